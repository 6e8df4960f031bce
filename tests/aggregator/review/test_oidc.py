"""OIDC sign-in: the claims that give a role here, and the login route sending the browser
to the provider's authorization endpoint, as found in its discovery document (served here
by a local provider stand-in over real HTTP)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.aggregator.review.conftest import AppFactory
from tests.support import ServerThread
from waakhond_aggregator.review.config import ReviewSettings
from waakhond_aggregator.review.oidc import (
    ClaimsRefusedError,
    pseudonymous_id,
    reviewer_from_claims,
)
from waakhond_contract.messages import ReviewerRole

SETTINGS = ReviewSettings(
    oidc_role_claim="waakhond_role", oidc_organisations_claim="waakhond_organisations"
)
ISSUER = "https://sso.example.nl/realms/waakhond"
CLIENT_ID = "waakhond-review"


@pytest.mark.parametrize(
    ("claims", "role", "organisations"),
    [
        pytest.param(
            {"waakhond_role": "reviewer", "waakhond_organisations": ["mee-noord"]},
            ReviewerRole.REVIEWER,
            ("mee-noord",),
            id="reviewer-with-a-list",
        ),
        pytest.param(
            {"waakhond_role": ["reviewer"], "waakhond_organisations": "mee-noord, welzijn-oost"},
            ReviewerRole.REVIEWER,
            ("mee-noord", "welzijn-oost"),
            id="comma-separated-organisations",
        ),
        pytest.param(
            {"waakhond_role": ["reviewer", "coordinator"]},
            ReviewerRole.COORDINATOR,
            (),
            id="the-highest-role-counts",
        ),
        pytest.param(
            {"waakhond_role": "Coordinator", "email": "a@b.nl", "name": "A. de Vries"},
            ReviewerRole.COORDINATOR,
            (),
            id="case-and-personal-claims-ignored",
        ),
    ],
)
def test_claims_map_to_a_role_and_organisations(
    claims: dict[str, Any], role: ReviewerRole, organisations: tuple[str, ...]
) -> None:
    reviewer = reviewer_from_claims({"iss": ISSUER, "sub": "f81d4fae", **claims}, SETTINGS)
    assert (reviewer.role, reviewer.organisations) == (role, organisations)
    assert reviewer.reviewer_id == pseudonymous_id(ISSUER, "f81d4fae")
    assert "vries" not in reviewer.username.lower()
    assert "@" not in reviewer.username


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        pytest.param({"waakhond_role": "admin"}, "neither", id="no-known-role"),
        pytest.param({}, "neither", id="no-role-claim"),
        pytest.param({"waakhond_role": "reviewer"}, "needs organisations", id="reviewer-no-org"),
        pytest.param(
            {"waakhond_role": "reviewer", "waakhond_organisations": ["MEE Noord"]},
            "invalid organisation",
            id="invalid-organisation",
        ),
    ],
)
def test_claims_without_a_role_here_are_refused(claims: dict[str, Any], message: str) -> None:
    with pytest.raises(ClaimsRefusedError, match=message):
        reviewer_from_claims({"iss": ISSUER, "sub": "f81d4fae", **claims}, SETTINGS)


def test_the_pseudonymous_id_is_stable_per_person_and_differs_between_people() -> None:
    assert pseudonymous_id(ISSUER, "a") == pseudonymous_id(ISSUER, "a")
    assert pseudonymous_id(ISSUER, "a") != pseudonymous_id(ISSUER, "b")
    assert pseudonymous_id(ISSUER, "a") != pseudonymous_id("https://other", "a")


@dataclass
class Provider:
    """A stand-in identity provider on a local port: discovery, keys, and a token endpoint
    that issues an ID token with ``claims`` for the nonce of the last authorization."""

    url: str = ""
    claims: dict[str, Any] = field(default_factory=dict)
    nonce: str = ""

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/waakhond"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


@pytest.fixture
def provider() -> Iterator[Provider]:
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    state = Provider()
    app = FastAPI()

    @app.get("/realms/waakhond/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        issuer = state.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/protocol/openid-connect/auth",
            "token_endpoint": f"{issuer}/protocol/openid-connect/token",
            "jwks_uri": f"{issuer}/protocol/openid-connect/certs",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    @app.get("/realms/waakhond/protocol/openid-connect/certs")
    def certs() -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False)]}

    @app.post("/realms/waakhond/protocol/openid-connect/token")
    def token() -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": state.issuer,
            "aud": CLIENT_ID,
            "sub": "5f1c2b9e-keycloak-user",
            "iat": now,
            "exp": now + 300,
            "nonce": state.nonce,
            **state.claims,
        }
        return {
            "access_token": "access",
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key),
        }

    with ServerThread(app) as server:
        state.url = server.url
        yield state


def oidc_app(make_app: AppFactory, provider: Provider) -> FastAPI:
    return make_app(
        oidc_metadata_url=provider.metadata_url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret="s3cret",
        oidc_scope="openid profile",
    )


def authorize(client: TestClient, provider: Provider) -> dict[str, list[str]]:
    """The login route's redirect, as the browser would follow it to the provider."""
    answer = client.get("/review/oidc/login", follow_redirects=False)
    assert answer.status_code == 302
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == (
        f"{provider.issuer}/protocol/openid-connect/auth"
    )
    query = parse_qs(target.query)
    provider.nonce = query["nonce"][0]
    return query


def test_the_login_route_redirects_to_the_providers_authorization_endpoint(
    make_app: AppFactory, provider: Provider
) -> None:
    with TestClient(oidc_app(make_app, provider)) as client:
        assert "Inloggen via uw organisatie" in client.get("/review/login").text
        query = authorize(client, provider)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["openid profile"]
    assert query["redirect_uri"] == ["http://testserver/review/oidc/callback"]
    assert query["state"][0]
    assert query["nonce"][0]


def test_the_providers_answer_signs_in_with_the_role_of_the_claims(
    make_app: AppFactory, provider: Provider
) -> None:
    provider.claims = {"waakhond_role": ["reviewer"], "waakhond_organisations": ["mee-noord"]}
    with TestClient(oidc_app(make_app, provider)) as client:
        state = authorize(client, provider)["state"][0]
        answer = client.get(
            "/review/oidc/callback", params={"code": "abc", "state": state}, follow_redirects=False
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/review/queue"
        queue = client.get("/review/queue").text
    assert "Signalen van mee-noord" in queue
    assert pseudonymous_id(provider.issuer, "5f1c2b9e-keycloak-user") in queue


def test_a_person_without_a_role_here_is_refused_after_the_provider(
    make_app: AppFactory, provider: Provider
) -> None:
    provider.claims = {"waakhond_role": ["admin"]}
    with TestClient(oidc_app(make_app, provider)) as client:
        state = authorize(client, provider)["state"][0]
        answer = client.get("/review/oidc/callback", params={"code": "abc", "state": state})
        assert answer.status_code == 403
        assert "Inloggen niet gelukt" in answer.text
        assert client.get("/review/queue", follow_redirects=False).status_code == 303


def test_a_callback_with_a_foreign_state_is_refused(
    make_app: AppFactory, provider: Provider
) -> None:
    provider.claims = {"waakhond_role": "coordinator"}
    with TestClient(oidc_app(make_app, provider)) as client:
        authorize(client, provider)
        answer = client.get("/review/oidc/callback", params={"code": "abc", "state": "forged"})
        assert answer.status_code == 403
        assert client.get("/review/queue", follow_redirects=False).status_code == 303


def test_without_oidc_settings_there_is_no_oidc_route(make_app: AppFactory) -> None:
    with TestClient(make_app()) as client:
        assert "Inloggen via" not in client.get("/review/login").text
        assert client.get("/review/oidc/login", follow_redirects=False).status_code == 404

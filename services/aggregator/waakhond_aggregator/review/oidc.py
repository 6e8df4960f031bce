"""OIDC sign-in for production (Authlib's Starlette client): the provider authenticates, and
two claims say what the person may do here (role and organisations; names configurable).

The reviewer's pseudonymous id is derived from the issuer and the subject, so it is stable
across sign-ins and restarts and says nothing about the person; no name or e-mail address
from the token is kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from waakhond_aggregator.review.accounts import ORGANISATION_PATTERN, Reviewer
from waakhond_aggregator.review.config import ReviewSettings
from waakhond_contract.messages import ReviewerRole

CLIENT_NAME = "waakhond"


class ClaimsRefusedError(ValueError):
    """The provider signed the person in, but the claims give no role here; the message says
    which claim is missing or wrong (for the log, not for the page)."""


def pseudonymous_id(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\x00{subject}".encode()).hexdigest()
    return f"rv-{digest[:16]}"


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def reviewer_from_claims(claims: Mapping[str, Any], settings: ReviewSettings) -> Reviewer:
    """The role is the highest of the role claim's values ('coordinator' over 'reviewer');
    a reviewer needs at least one valid organisation id."""
    subject = claims.get("sub")
    issuer = claims.get("iss", "")
    if not isinstance(subject, str) or not subject:
        raise ClaimsRefusedError("the token has no subject (sub)")
    roles = {value.lower() for value in _strings(claims.get(settings.oidc_role_claim))}
    if ReviewerRole.COORDINATOR.value in roles:
        role = ReviewerRole.COORDINATOR
    elif ReviewerRole.REVIEWER.value in roles:
        role = ReviewerRole.REVIEWER
    else:
        raise ClaimsRefusedError(
            f"claim {settings.oidc_role_claim!r} holds neither 'reviewer' nor 'coordinator'"
        )
    organisations = _strings(claims.get(settings.oidc_organisations_claim))
    invalid = [value for value in organisations if not re.match(ORGANISATION_PATTERN, value)]
    if invalid:
        raise ClaimsRefusedError(
            f"claim {settings.oidc_organisations_claim!r} holds invalid organisation ids"
        )
    if role is ReviewerRole.REVIEWER and not organisations:
        raise ClaimsRefusedError(
            f"a reviewer needs organisations in claim {settings.oidc_organisations_claim!r}"
        )
    reviewer_id = pseudonymous_id(str(issuer), subject)
    return Reviewer(
        username=f"oidc:{reviewer_id}",
        reviewer_id=reviewer_id,
        role=role,
        organisations=tuple(sorted(set(organisations))),
    )


def oidc_client(settings: ReviewSettings) -> Any:
    """The registered Authlib client; the discovery document is fetched at the first
    sign-in, not at start. Imported here: Authlib's HTTP client library is loaded only where
    OIDC is configured."""
    from authlib.integrations.starlette_client import OAuth

    if not settings.oidc_enabled or settings.oidc_client_secret is None:
        raise ValueError("OIDC needs WAAKHOND_REVIEW_OIDC_METADATA_URL, _CLIENT_ID and _SECRET")
    oauth = OAuth()
    oauth.register(
        CLIENT_NAME,
        server_metadata_url=settings.oidc_metadata_url,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        client_kwargs={"scope": settings.oidc_scope},
    )
    return oauth.create_client(CLIENT_NAME)

"""The form for supporters over HTTP, against the real broker: signing in with the
organisation's API key, CSRF, the session's end, the contract's errors in Dutch next to
their field, the live preview, and a submission that reaches ``signals.submitted``."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.intake.conftest import intake_client, wait_ready
from tests.intake.form.support import (
    NAME_TEXT,
    ORG,
    REDACTED_TEXT,
    csrf_of,
    filled_form,
    form_client,
    nothing_published,
    sign_in,
)
from tests.support import read_topic
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import SignalSubmitted
from waakhond_runtime.codec import decode
from waakhond_runtime.settings import KafkaSettings, TopicSettings

Keys = tuple[Path, dict[str, str]]


@pytest.fixture
def client(api_keys: Keys, kafka_settings: KafkaSettings, topics: TopicSettings) -> Any:
    with form_client(api_keys[0], kafka_settings, topics) as running:
        yield running


def test_the_form_asks_to_sign_in_first(client: TestClient) -> None:
    answer = client.get("/formulier/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/formulier/inloggen"
    page = client.get("/formulier/inloggen")
    assert page.status_code == 200
    assert '<label for="api_key">Sleutel van uw organisatie</label>' in page.text


def test_the_session_cookie_is_signed_strict_and_secure_by_default(
    api_keys: Keys, kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    with intake_client(api_keys[0], kafka_settings, topics) as secure:
        wait_ready(secure)
        answer = secure.get("/formulier/inloggen")
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("waakhond_formulier=")
    assert "samesite=strict" in cookie
    assert "secure" in cookie
    assert "httponly" in cookie
    assert "path=/formulier" in cookie


def test_a_wrong_key_is_refused_and_signs_no_one_in(
    client: TestClient, tokens: dict[str, str]
) -> None:
    page = client.get("/formulier/inloggen")
    key_id = tokens[ORG].split(".")[1]
    answer = client.post(
        "/formulier/inloggen",
        data={"csrf_token": csrf_of(page.text), "api_key": f"wk.{key_id}.wrong"},
        follow_redirects=False,
    )
    assert answer.status_code == 401
    assert "Deze sleutel is onjuist of ingetrokken" in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert client.get("/formulier/", follow_redirects=False).status_code == 303


def test_sign_in_pauses_after_too_many_wrong_keys(
    api_keys: Keys, kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    with form_client(api_keys[0], kafka_settings, topics, form_sign_in_max_failures=2) as client:
        for expected in (401, 401, 429):
            page = client.get("/formulier/inloggen")
            answer = client.post(
                "/formulier/inloggen",
                data={"csrf_token": csrf_of(page.text), "api_key": "wk.nothing.wrong"},
            )
            assert answer.status_code == expected
        assert int(answer.headers["retry-after"]) > 0
        assert "Te veel pogingen" in answer.text
        # The right key waits too: guessing is what the pause slows down.
        page = client.get("/formulier/inloggen")
        answer = client.post(
            "/formulier/inloggen",
            data={"csrf_token": csrf_of(page.text), "api_key": api_keys[1][ORG]},
            follow_redirects=False,
        )
        assert answer.status_code == 429


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        pytest.param("/formulier/", "form", id="submit"),
        pytest.param("/formulier/uitloggen", "form", id="sign-out"),
        pytest.param("/formulier/voorbeeld", "json", id="preview"),
    ],
)
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_a_post_without_the_pages_csrf_token_is_refused(
    client: TestClient,
    tokens: dict[str, str],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    path: str,
    kind: str,
    token: str,
) -> None:
    sign_in(client, tokens[ORG])
    presented = {"forged": {"csrf_token": "forged-token"}, "missing": {}}[token]
    if kind == "json":
        headers = {"X-CSRF-Token": presented["csrf_token"]} if presented else {}
        answer = client.post(path, json={"description": NAME_TEXT}, headers=headers)
    else:
        answer = client.post(path, data={**filled_form(), **presented})
        assert "Formulier geweigerd" in answer.text
    assert answer.status_code == 403
    # Still signed in (a refused post ends nothing) and nothing was published.
    assert client.get("/formulier/", follow_redirects=False).status_code == 200
    assert nothing_published(kafka_settings, topics.submitted)


def test_sign_in_itself_needs_the_pages_csrf_token(
    client: TestClient, tokens: dict[str, str]
) -> None:
    answer = client.post("/formulier/inloggen", data={"api_key": tokens[ORG]})
    assert answer.status_code == 403
    assert client.get("/formulier/", follow_redirects=False).status_code == 303


def test_an_idle_session_expires(
    api_keys: Keys, kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    with form_client(api_keys[0], kafka_settings, topics, form_session_idle_seconds=1) as client:
        csrf = sign_in(client, api_keys[1][ORG])
        time.sleep(1.5)
        refused = client.post("/formulier/", data={**filled_form(), "csrf_token": csrf})
        assert refused.status_code == 403
        assert "Sessie verlopen" in refused.text
        answer = client.get("/formulier/", follow_redirects=False)
        assert answer.status_code == 303
        page = client.get(answer.headers["location"])
        assert "Uw sessie is verlopen. Log opnieuw in." in page.text
    assert nothing_published(kafka_settings, topics.submitted)


def test_signing_out_ends_the_session(client: TestClient, tokens: dict[str, str]) -> None:
    csrf = sign_in(client, tokens[ORG])
    answer = client.post("/formulier/uitloggen", data={"csrf_token": csrf})
    assert answer.status_code == 200
    assert "U bent uitgelogd." in answer.text
    assert client.get("/formulier/", follow_redirects=False).status_code == 303
    preview = client.post(
        "/formulier/voorbeeld", json={"description": NAME_TEXT}, headers={"X-CSRF-Token": csrf}
    )
    assert preview.status_code == 401


TODAY = dt.date.today()
FIELD_ERRORS = [
    pytest.param("client_ref", {"client_ref": None}, "Vul dit veld in", id="client-ref-empty"),
    pytest.param(
        "client_ref",
        {"client_ref": "-jansen"},
        "Alleen letters, cijfers en . _ : / -",
        id="client-ref-pattern",
    ),
    pytest.param("observed_on", {"observed_on": None}, "Vul dit veld in", id="date-empty"),
    pytest.param(
        "observed_on",
        {"observed_on": (TODAY + dt.timedelta(days=2)).isoformat()},
        "ligt na vandaag",
        id="date-in-future",
    ),
    pytest.param(
        "observed_on",
        {"observed_on": "2014-12-31"},
        "De datum ligt voor 2015-01-01",
        id="date-early",
    ),
    pytest.param(
        "observed_on", {"observed_on": "31-02-2025"}, "Geen geldige datum", id="date-invalid"
    ),
    pytest.param(
        "municipality_code", {"municipality_code": None}, "Vul dit veld in", id="municipality-empty"
    ),
    pytest.param(
        "municipality_code",
        {"municipality_code": "GM9999"},
        "Gemeentecode GM9999 bestaat niet",
        id="municipality-unknown",
    ),
    pytest.param("law_domains", {"law_domains": []}, "Kies ten minste één", id="law-none"),
    pytest.param(
        "law_domains",
        {"law_domains": ["wmo", "tampered"]},
        "Onbekende waarde; kies uit: Wmo, Wlz",
        id="law-tampered",
    ),
    pytest.param("life_domains", {"life_domains": []}, "Kies ten minste één", id="life-none"),
    pytest.param("target_groups", {"target_groups": []}, "Kies ten minste één", id="groups-none"),
    pytest.param("age_band", {"age_band": None}, "Vul dit veld in", id="age-empty"),
    pytest.param("supporter_type", {"supporter_type": None}, "Vul dit veld in", id="supporter"),
    pytest.param(
        "description", {"description": "  kort  "}, "Te kort: ten minste", id="description-short"
    ),
    pytest.param(
        "suggested_categories",
        {"suggested_categories": ["policy_gap", "policy_gap"]},
        "Dezelfde waarde staat er meer dan eens in",
        id="categories-duplicate",
    ),
]


@pytest.mark.parametrize(("field", "changes", "reason"), FIELD_ERRORS)
def test_a_refused_field_shows_its_dutch_reason_next_to_it(
    client: TestClient,
    tokens: dict[str, str],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    field: str,
    changes: dict[str, Any],
    reason: str,
) -> None:
    csrf = sign_in(client, tokens[ORG])
    answer = client.post("/formulier/", data={**filled_form(**changes), "csrf_token": csrf})
    assert answer.status_code == 422
    html = answer.text
    message = re.search(rf'<p class="field-error" id="{field}-fout">(.*?)</p>', html, re.S)
    assert message, f"no error next to {field}"
    assert reason in message.group(1)
    # Only this field is refused: one error on the page, in the summary as well.
    assert html.count('class="field-error"') == 1
    assert re.search(rf'<a href="#{field}(-0)?">[^<]*{re.escape(reason)}', html)
    # Tied to its control (or to each control of its group) for screen readers.
    controls = re.findall(r"<(?:input|select|textarea|fieldset)[^>]*>", html)
    tied = [c for c in controls if f"{field}-fout" in c]
    assert tied, f"nothing points at {field}-fout"
    invalid = [c for c in controls if 'aria-invalid="true"' in c]
    assert invalid
    assert all(f'name="{field}"' in c for c in invalid)
    # What the supporter typed stays filled in.
    assert 'value="GM0363" selected' in html or field == "municipality_code"
    assert nothing_published(kafka_settings, topics.submitted)


def test_the_preview_shows_what_redaction_removes(
    client: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    csrf = sign_in(client, tokens[ORG])
    answer = client.post(
        "/formulier/voorbeeld", json={"description": NAME_TEXT}, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["description"] == REDACTED_TEXT
    assert {r["kind"]: r["count"] for r in body["removed"]} == {"name": 1, "age": 1}
    assert {r["label"] for r in body["removed"]} == {"naam", "leeftijd"}
    too_long = client.post(
        "/formulier/voorbeeld", json={"description": "x" * 2001}, headers={"X-CSRF-Token": csrf}
    )
    assert too_long.status_code == 422
    assert nothing_published(kafka_settings, topics.submitted)


def test_a_valid_form_reaches_the_broker_redacted_and_is_confirmed(
    client: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    page = client.get("/formulier/inloggen")
    client.post(
        "/formulier/inloggen", data={"csrf_token": csrf_of(page.text), "api_key": tokens[ORG]}
    )
    form = client.get("/formulier/")
    prefilled = re.search(r'id="client_ref" name="client_ref"[^>]* value="([^"]+)"', form.text)
    assert prefilled
    assert prefilled.group(1).startswith("formulier-")
    values = filled_form(
        client_ref=prefilled.group(1), suggested_categories=["policy_gap", "missed_rights"]
    )
    answer = client.post("/formulier/", data={**values, "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 200, answer.text
    signal_id = derive_signal_id(ORG, values["client_ref"])
    assert f'<code id="signaalnummer">{signal_id}</code>' in answer.text
    assert REDACTED_TEXT in answer.text
    assert "Jansen" not in answer.text

    records = read_topic(kafka_settings, topics.submitted, 1)
    assert len(records) == 1
    key, value = records[0]
    assert key == ORG.encode()
    stored = decode(SignalSubmitted, value)
    assert stored.signal_id == signal_id
    assert stored.organisation_id == ORG
    assert stored.description == REDACTED_TEXT
    assert stored.municipality_code == "GM0363"
    assert [str(v) for v in stored.law_domains] == ["wlz"]
    assert [str(v) for v in stored.suggested_categories] == ["policy_gap", "missed_rights"]
    assert str(stored.age_band) == "80+"
    assert str(stored.supporter_type) == "informal"

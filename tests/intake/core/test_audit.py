"""Refused submissions are visible: each leaves one audit line (organisation when the key was
valid, the reason, never content) and is counted per route and status."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from tests.support import valid_submission

SECRET_TEXT = "mevrouw Jansen woont aan de Dorpsstraat 12 en wacht op zorg"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def requests_counted(route: str, status: int) -> float:
    value = REGISTRY.get_sample_value(
        "waakhond_http_requests_total", {"route": route, "method": "POST", "status": str(status)}
    )
    return value or 0.0


@pytest.mark.parametrize(
    ("case", "status", "organisation", "reason"),
    [
        pytest.param("no-key", 401, "", "unauthorized", id="no-key"),
        pytest.param("bad-key", 401, "", "unauthorized", id="made-up-key"),
        pytest.param("too-large", 413, "mee-noord", "body-too-large", id="body-over-the-limit"),
        pytest.param("not-json", 422, "mee-noord", "validation-error", id="not-json"),
        pytest.param("invalid", 422, "mee-noord", "validation-error", id="invalid-signal"),
    ],
)
def test_a_request_refused_before_the_route_decides_is_audited_and_counted(
    intake: TestClient,
    tokens: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    case: str,
    status: int,
    organisation: str,
    reason: str,
) -> None:
    caplog.set_level("INFO", logger="waakhond.audit")
    headers = {"Content-Type": "application/json"}
    content = b"{}"
    if case == "bad-key":
        headers |= bearer("wk.0000000000000000.made-up")
    elif case != "no-key":
        headers |= bearer(tokens["mee-noord"])
    if case == "too-large":
        content = json.dumps({"description": "x" * 70_000}).encode()
    elif case == "not-json":
        content = SECRET_TEXT.encode()
    elif case == "invalid":
        content = json.dumps(
            valid_submission(description=SECRET_TEXT, municipality_code="GM9999")
        ).encode()
    before = requests_counted("/v1/signals", status)

    answer = intake.post("/v1/signals", content=content, headers=headers)

    assert answer.status_code == status, answer.text
    audits = [r for r in caplog.records if r.name == "waakhond.audit"]
    assert [(r.organisation_id, r.outcome, r.reason) for r in audits] == [  # type: ignore[attr-defined]
        (organisation, "refused", reason)
    ]
    assert "Jansen" not in " ".join(str(r.__dict__) for r in audits)
    assert requests_counted("/v1/signals", status) == before + 1


def test_a_decided_signal_is_audited_once(
    intake: TestClient, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """The route's own line is the only one: the middleware adds none."""
    caplog.set_level("INFO", logger="waakhond.audit")
    headers = bearer(tokens["mee-noord"])
    accepted = intake.post("/v1/signals", json=valid_submission(), headers=headers)
    batch = intake.post(
        "/v1/signals/batch",
        json={"signals": [{"client_ref": "x"}, {"client_ref": "y"}]},
        headers=headers,
    )
    assert (accepted.status_code, batch.status_code) == (202, 422)
    audits = [r for r in caplog.records if r.name == "waakhond.audit"]
    outcomes = [r.outcome for r in audits]  # type: ignore[attr-defined]
    assert outcomes == ["accepted", "rejected", "rejected"]


def test_requests_are_counted_by_route_template_not_by_raw_path(intake: TestClient) -> None:
    def count(route: str, status: str) -> float:
        value = REGISTRY.get_sample_value(
            "waakhond_http_requests_total", {"route": route, "method": "GET", "status": status}
        )
        return value or 0.0

    unmatched, ready = count("unmatched", "404"), count("/readyz", "200")
    for path in ("/no/such/thing", "/v1/nothing/" + "a" * 40, "/wp-login.php"):
        assert intake.get(path).status_code in (404, 405)
    assert intake.get("/readyz").status_code == 200
    assert count("/readyz", "200") == ready + 1
    scrapes = count("/metrics", "200")
    assert intake.get("/metrics/").status_code == 200
    assert count("/metrics", "200") == scrapes + 1
    assert count("unmatched", "404") >= unmatched + 2
    seconds = REGISTRY.get_sample_value(
        "waakhond_http_request_seconds_count", {"route": "/readyz", "method": "GET"}
    )
    assert seconds is not None
    assert seconds >= 1

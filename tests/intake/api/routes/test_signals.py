"""POST /v1/signals and /v1/signals/batch against the real broker."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.intake.conftest import intake_client, wait_ready
from tests.support import read_topic, valid_submission
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import SignalSubmitted
from waakhond_runtime.codec import decode
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.stack.broker import TansuBroker


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_accepted_signal_is_on_the_topic_keyed_by_organisation(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    body = valid_submission(client_ref="2025-000123")
    response = intake.post("/v1/signals", json=body, headers=bearer(tokens["mee-noord"]))
    assert response.status_code == 202, response.text
    signal_id = uuid.UUID(response.json()["signal_id"])
    assert signal_id == derive_signal_id("mee-noord", "2025-000123")
    # The same signal resubmitted with a municipality in another care-office region
    # (Amsterdam -> Groningen): both versions must share a partition, in order, so one
    # aggregator instance sees the conflict.
    moved = valid_submission(client_ref="2025-000123", municipality_code="GM0014")
    resubmitted = intake.post("/v1/signals", json=moved, headers=bearer(tokens["mee-noord"]))
    assert resubmitted.status_code == 202, resubmitted.text

    records = read_topic(kafka_settings, topics.submitted, 2)
    messages = [decode(SignalSubmitted, value) for _, value in records]
    assert [m.signal_id for m in messages] == [signal_id, signal_id]
    assert [m.municipality_code for m in messages] == ["GM0363", "GM0014"]
    assert [key for key, _ in records] == [b"mee-noord", b"mee-noord"]
    assert all(b"2025-000123" not in value for _, value in records)  # client_ref stays at intake


def test_retry_gets_the_same_signal_id(intake: TestClient, tokens: dict[str, str]) -> None:
    body = valid_submission()
    first = intake.post("/v1/signals", json=body, headers=bearer(tokens["mee-noord"]))
    again = intake.post("/v1/signals", json=body, headers=bearer(tokens["mee-noord"]))
    other = intake.post("/v1/signals", json=body, headers=bearer(tokens["welzijn-oost"]))
    assert first.json()["signal_id"] == again.json()["signal_id"]
    assert other.json()["signal_id"] != first.json()["signal_id"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer nonsense"}, id="malformed"),
        pytest.param({"Authorization": "Bearer wk.0123456789abcdef." + "A" * 43}, id="unknown"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="wrong-scheme"),
    ],
)
def test_no_valid_key_is_401_problem(intake: TestClient, headers: dict[str, str]) -> None:
    response = intake.post("/v1/signals", json=valid_submission(), headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_organisation_comes_from_the_key_not_the_body(
    intake: TestClient, tokens: dict[str, str]
) -> None:
    body = valid_submission(organisation_id="zorgbelang-west")
    response = intake.post("/v1/signals", json=body, headers=bearer(tokens["mee-noord"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organisation_id"


@pytest.mark.parametrize(
    ("body", "field", "error_type"),
    [
        pytest.param(
            valid_submission(municipality_code="GM9999"),
            "municipality_code",
            "unknown_municipality",
            id="unknown-municipality",
        ),
        pytest.param(
            valid_submission(observed_on="2999-01-01"),
            "observed_on",
            "observed_on_in_future",
            id="future",
        ),
        pytest.param(
            valid_submission(description="kort"), "description", "string_too_short", id="short-text"
        ),
        pytest.param(
            valid_submission(law_domains="wmo"), "law_domains", "list_type", id="not-a-list"
        ),
        pytest.param(
            {k: v for k, v in valid_submission().items() if k != "client_ref"},
            "client_ref",
            "missing",
            id="missing-ref",
        ),
    ],
)
def test_bad_input_is_422_problem_naming_field_and_reason(
    intake: TestClient, tokens: dict[str, str], body: dict[str, object], field: str, error_type: str
) -> None:
    response = intake.post("/v1/signals", json=body, headers=bearer(tokens["mee-noord"]))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert {(e["field"], e["type"]) for e in problem["errors"]} == {(field, error_type)}
    assert all(e["reason"] for e in problem["errors"])


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"{not json", id="broken-json"),
        pytest.param(b"[]", id="array"),
        pytest.param(b"[" * 30_000 + b"]" * 30_000, id="deeply-nested"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
    ],
)
def test_malformed_bodies_are_422_not_500(
    intake: TestClient, tokens: dict[str, str], raw: bytes
) -> None:
    headers = {**bearer(tokens["mee-noord"]), "Content-Type": "application/json"}
    response = intake.post("/v1/signals", content=raw, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_body_over_the_limit_is_413(intake: TestClient, tokens: dict[str, str]) -> None:
    body = json.dumps(valid_submission(description="x" * 70_000)).encode()
    headers = {**bearer(tokens["mee-noord"]), "Content-Type": "application/json"}
    response = intake.post("/v1/signals", content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["title"] == "The request body is too large"


def test_chunked_body_over_the_limit_is_413(intake: TestClient, tokens: dict[str, str]) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    headers = {**bearer(tokens["mee-noord"]), "Content-Type": "application/json"}
    response = intake.post("/v1/signals", content=chunks(), headers=headers)
    assert response.status_code == 413


def test_batch_gives_a_result_per_item(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    good = [valid_submission() for _ in range(5)]
    bad = valid_submission(municipality_code="GM0001")
    response = intake.post(
        "/v1/signals/batch",
        json={"signals": [good[0], bad, *good[1:]]},
        headers=bearer(tokens["zorgbelang-west"]),
    )
    assert response.status_code == 207, response.text
    result = response.json()
    assert (result["accepted"], result["rejected"], result["unavailable"]) == (5, 1, 0)
    assert [r["index"] for r in result["results"]] == list(range(6))
    assert result["results"][1]["status"] == "rejected"
    assert result["results"][1]["errors"][0]["type"] == "unknown_municipality"
    assert len(read_topic(kafka_settings, topics.submitted, 5)) == 5


def test_batch_all_valid_is_202(intake: TestClient, tokens: dict[str, str]) -> None:
    response = intake.post(
        "/v1/signals/batch",
        json={"signals": [valid_submission() for _ in range(50)]},
        headers=bearer(tokens["mee-noord"]),
    )
    assert response.status_code == 202
    assert response.json()["accepted"] == 50


def test_batch_all_invalid_is_422_with_indexed_fields(
    intake: TestClient, tokens: dict[str, str]
) -> None:
    response = intake.post(
        "/v1/signals/batch",
        json={"signals": [valid_submission(age_band="old"), {"client_ref": "x"}]},
        headers=bearer(tokens["mee-noord"]),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "signals.0.age_band" in fields
    assert "signals.1.description" in fields


@pytest.mark.parametrize(
    ("signals", "status"),
    [pytest.param([], 422, id="empty"), pytest.param([{}] * 1001, 422, id="over-1000")],
)
def test_batch_size_bounds(
    intake: TestClient, tokens: dict[str, str], signals: list[object], status: int
) -> None:
    response = intake.post(
        "/v1/signals/batch", json={"signals": signals}, headers=bearer(tokens["mee-noord"])
    )
    assert response.status_code == status


def test_broker_unreachable_is_503_with_retry_after(
    api_keys: tuple[Path, dict[str, str]], unreachable_kafka: KafkaSettings, topics: TopicSettings
) -> None:
    keys_file, tokens = api_keys
    with intake_client(keys_file, unreachable_kafka, topics) as client:
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200
        single = client.post(
            "/v1/signals", json=valid_submission(), headers=bearer(tokens["mee-noord"])
        )
        batch = client.post(
            "/v1/signals/batch",
            json={"signals": [valid_submission()]},
            headers=bearer(tokens["mee-noord"]),
        )
    for response in (single, batch):
        assert response.status_code == 503
        assert int(response.headers["retry-after"]) > 0
        assert "signal_id" not in response.json()


def test_broker_stopped_while_running_is_503_never_202(
    api_keys: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    keys_file, tokens = api_keys
    own_broker = TansuBroker(log_file=tmp_path / "tansu.log")
    kafka = KafkaSettings(bootstrap_servers=own_broker.start())
    topics = TopicSettings(partitions=1)
    from waakhond_runtime.topics import ensure_topics

    ensure_topics(kafka, topics)
    try:
        with intake_client(keys_file, kafka, topics) as client:
            wait_ready(client)
            headers = bearer(tokens["mee-noord"])
            assert (
                client.post("/v1/signals", json=valid_submission(), headers=headers).status_code
                == 202
            )
            own_broker.stop()
            response = client.post("/v1/signals", json=valid_submission(), headers=headers)
            assert response.status_code == 503
            assert client.get("/readyz").status_code == 503
    finally:
        own_broker.stop()


PLANTED = {
    "bsn": "111222333",
    "phone": "06-12345678",
    "email": "j.jansen@example.nl",
    "name": "mevrouw De Vries",
}
IDENTIFYING = (
    f"Op verzoek van {PLANTED['name']} (BSN {PLANTED['bsn']}, tel. {PLANTED['phone']}, "
    f"{PLANTED['email']}) gebeld: al een jaar op de wachtlijst voor beschermd wonen."
)


def test_identifying_details_are_replaced_before_kafka(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    body = valid_submission(description=IDENTIFYING)
    response = intake.post("/v1/signals", json=body, headers=bearer(tokens["mee-noord"]))
    assert response.status_code == 202, response.text
    kinds = {r["kind"]: r["count"] for r in response.json()["redactions"]}
    assert kinds == {"bsn": 1, "phone": 1, "email": 1, "name": 1}
    assert PLANTED["bsn"] not in response.text

    ((_, value),) = read_topic(kafka_settings, topics.submitted, 1)
    text = decode(SignalSubmitted, value).description
    for planted in PLANTED.values():
        assert planted not in value.decode()
    assert "[BSN]" in text
    assert "wachtlijst voor beschermd wonen" in text  # the signal itself is kept


def test_strict_mode_refuses_with_kinds_and_spans_and_publishes_nothing(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    body = valid_submission(description=IDENTIFYING)
    response = intake.post(
        "/v1/signals", params={"strict": "true"}, json=body, headers=bearer(tokens["mee-noord"])
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["type"] for e in errors} == {"identifying_detail"}
    start = IDENTIFYING.index(PLANTED["bsn"])
    assert f"(bsn) at characters {start}-{start + 9}" in " ".join(e["reason"] for e in errors)
    assert PLANTED["bsn"] not in response.text
    clean = intake.post(
        "/v1/signals",
        params={"strict": "true"},
        json=valid_submission(),
        headers=bearer(tokens["mee-noord"]),
    )
    assert clean.status_code == 202
    assert len(read_topic(kafka_settings, topics.submitted, 1)) == 1


def test_batch_strict_mode_refuses_per_item(intake: TestClient, tokens: dict[str, str]) -> None:
    response = intake.post(
        "/v1/signals/batch",
        params={"strict": "true"},
        json={"signals": [valid_submission(), valid_submission(description=IDENTIFYING)]},
        headers=bearer(tokens["mee-noord"]),
    )
    assert response.status_code == 207
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["accepted", "rejected"]


def test_rate_limit_is_429_with_retry_after_per_organisation(
    api_keys: tuple[Path, dict[str, str]], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    keys_file, tokens = api_keys
    with intake_client(
        keys_file,
        kafka_settings,
        topics,
        rate_limit_signals_per_second=0.5,
        rate_limit_burst=1000,
    ) as client:
        wait_ready(client)
        full = {"signals": [valid_submission() for _ in range(1000)]}
        assert (
            client.post(
                "/v1/signals/batch", json=full, headers=bearer(tokens["mee-noord"])
            ).status_code
            == 202
        )
        over = client.post(
            "/v1/signals", json=valid_submission(), headers=bearer(tokens["mee-noord"])
        )
        other = client.post(
            "/v1/signals", json=valid_submission(), headers=bearer(tokens["welzijn-oost"])
        )
    assert over.status_code == 429
    assert int(over.headers["retry-after"]) >= 1
    assert over.headers["content-type"] == "application/problem+json"
    assert other.status_code == 202


def test_every_submission_is_audited_without_content(
    intake: TestClient, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="waakhond.audit")
    body = valid_submission(description=IDENTIFYING)
    accepted = intake.post("/v1/signals", json=body, headers=bearer(tokens["mee-noord"]))
    intake.post(
        "/v1/signals", params={"strict": "true"}, json=body, headers=bearer(tokens["mee-noord"])
    )
    audits = [r for r in caplog.records if r.name == "waakhond.audit"]
    assert [(r.organisation_id, r.outcome) for r in audits] == [  # type: ignore[attr-defined]
        ("mee-noord", "accepted"),
        ("mee-noord", "refused"),
    ]
    assert audits[0].signal_id == accepted.json()["signal_id"]  # type: ignore[attr-defined]
    logged = " ".join(str(r.__dict__) for r in audits)
    assert "wachtlijst" not in logged
    assert PLANTED["bsn"] not in logged


def test_dry_run_shows_what_would_be_stored_and_publishes_nothing(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    body = valid_submission(client_ref="dry-1", description=IDENTIFYING)
    response = intake.post(
        "/v1/signals", params={"dry_run": "true"}, json=body, headers=bearer(tokens["mee-noord"])
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["status"] == "valid"
    assert uuid.UUID(preview["signal_id"]) == derive_signal_id("mee-noord", "dry-1")
    assert {r["kind"] for r in preview["redactions"]} == {"bsn", "phone", "email", "name"}
    assert "[BSN]" in preview["description"]
    assert "wachtlijst voor beschermd wonen" in preview["description"]
    assert PLANTED["bsn"] not in response.text
    # Invalid input is refused as it would be without dry_run.
    invalid = intake.post(
        "/v1/signals",
        params={"dry_run": "true"},
        json=valid_submission(age_band="100+"),
        headers=bearer(tokens["mee-noord"]),
    )
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "age_band"
    # The real submission afterwards is the only record on the topic.
    real = intake.post("/v1/signals", json=valid_submission(), headers=bearer(tokens["mee-noord"]))
    assert real.status_code == 202
    ((_, value),) = read_topic(kafka_settings, topics.submitted, 1)
    assert decode(SignalSubmitted, value).signal_id == uuid.UUID(real.json()["signal_id"])


def test_batch_dry_run_answers_per_item_and_publishes_nothing(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    signals = [
        valid_submission(description=IDENTIFYING),
        valid_submission(age_band="100+"),
        valid_submission(),
    ]
    response = intake.post(
        "/v1/signals/batch",
        params={"dry_run": "true"},
        json={"signals": signals},
        headers=bearer(tokens["mee-noord"]),
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["valid"], result["rejected"], result["accepted"]) == (2, 1, 0)
    assert [item["status"] for item in result["results"]] == ["valid", "rejected", "valid"]
    assert "[BSN]" in result["results"][0]["description"]
    assert result["results"][1]["errors"][0]["field"] == "age_band"
    real = intake.post("/v1/signals", json=valid_submission(), headers=bearer(tokens["mee-noord"]))
    assert real.status_code == 202
    assert len(read_topic(kafka_settings, topics.submitted, 1)) == 1

"""GET /v1/signals/{signal_id}, GET /v1/signals and DELETE /v1/signals/{signal_id}.

Intake reads the statuses from a real aggregator app, served by uvicorn on a local port
(real HTTP, the aggregator's bearer token), on its own chDB database; withdrawals go to the
real broker. The aggregator does not consume here: the statuses are what its store holds,
written the way its consumers write them (``TrendStore.insert`` and ``record_events``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, TopicPartition

from tests.aggregator.processing.test_transform import classified
from tests.intake.conftest import intake_client, wait_ready
from tests.support import ServerThread, read_topic
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app as create_aggregator
from waakhond_aggregator.processing.ledger import LedgerEvent
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import (
    DUTCH_TIME,
    SignalClassified,
    SignalState,
    SignalWithdrawn,
    WithdrawalRequester,
)
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category
from waakhond_runtime.codec import decode
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings
from waakhond_tools.stack.broker import free_port

OWN = "mee-noord"
OTHER = "zorgbelang-west"
STATUS_TOKEN = "status-token-for-tests"
PROBLEM = "application/problem+json"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
LONG_AGO = NOW - dt.timedelta(days=10)  # when the dead letters happened


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Seeded:
    url: str
    database: str
    counted: uuid.UUID
    counted_signal: SignalClassified
    accepted: uuid.UUID
    withdrawn: uuid.UUID
    dead: list[uuid.UUID]  # sorted
    others: uuid.UUID  # OTHER's, counted

    @property
    def own(self) -> list[uuid.UUID]:
        return sorted([self.counted, self.accepted, self.withdrawn, *self.dead])


def _event(
    organisation: str,
    signal_id: uuid.UUID,
    event: SignalState,
    at: dt.datetime,
    submitted_at: dt.datetime = LONG_AGO,
    **dead_letter: str,
) -> LedgerEvent:
    return LedgerEvent(organisation, signal_id, submitted_at, event, at, **dead_letter)


def _counted(store: TrendStore, signal: SignalClassified) -> list[LedgerEvent]:
    """Stored as the aggregator stores it, with the ledger events of its way there."""
    store.insert([to_rows(signal, load_region_reference())])
    at = signal.submitted_at
    return [
        _event(signal.organisation_id, signal.signal_id, state, at, submitted_at=at)
        for state in (SignalState.ACCEPTED, SignalState.CLASSIFIED, SignalState.COUNTED)
    ]


def _seed(client: Client, database: str, url: str) -> Seeded:
    store = TrendStore(client, database)
    counted = classified([Category.NO_SUITABLE_CARE]).model_copy(
        update={"organisation_id": OWN, "submitted_at": NOW}
    )
    others = counted.model_copy(update={"organisation_id": OTHER, "signal_id": uuid.uuid4()})
    accepted, withdrawn = uuid.uuid4(), uuid.uuid4()
    dead = sorted(uuid.uuid4() for _ in range(3))
    events = _counted(store, counted) + _counted(store, others)
    events.append(_event(OWN, accepted, SignalState.ACCEPTED, NOW, submitted_at=NOW))
    events += [
        _event(OWN, withdrawn, SignalState.ACCEPTED, NOW, submitted_at=NOW),
        _event(OWN, withdrawn, SignalState.WITHDRAWN, NOW, submitted_at=NOW),
    ]
    for signal_id in dead:
        events += [
            _event(OWN, signal_id, SignalState.ACCEPTED, LONG_AGO),
            _event(
                OWN,
                signal_id,
                SignalState.DEAD_LETTERED,
                LONG_AGO,
                stage="classifier",
                reason="invalid_message",
                detail="classification.labels: not a list",
            ),
        ]
    store.record_events(events)
    return Seeded(
        url=url,
        database=database,
        counted=counted.signal_id,
        counted_signal=counted,
        accepted=accepted,
        withdrawn=withdrawn,
        dead=dead,
        others=others.signal_id,
    )


@pytest.fixture(scope="module")
def aggregator(clickhouse_client: Client, chdb_path: Path) -> Iterator[Seeded]:
    """The aggregator's API (not consuming) on its own database, seeded, over real HTTP."""
    database = f"t_{uuid.uuid4().hex[:10]}"
    app = create_aggregator(
        AggregatorSettings(consume=False, status_token=STATUS_TOKEN),
        ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=database),
        client=clickhouse_client,
    )
    seeded = _seed(clickhouse_client, database, "")
    try:
        with ServerThread(app) as server:
            yield Seeded(**{**seeded.__dict__, "url": server.url})
    finally:
        clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


@pytest.fixture
def status_intake(
    api_keys: tuple[Path, dict[str, str]],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    aggregator: Seeded,
) -> Iterator[TestClient]:
    with intake_client(
        api_keys[0],
        kafka_settings,
        topics,
        status_url=aggregator.url,
        status_token=STATUS_TOKEN,
    ) as client:
        wait_ready(client)
        yield client


def topic_size(kafka: KafkaSettings, topic: str) -> int:
    """How many records the topic holds, from its partitions' end offsets."""
    consumer = KafkaConsumer(bootstrap_servers=kafka.bootstrap_list)
    try:
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
        ]
        assert partitions, f"no partitions of {topic}"
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/v1/signals/{id}", id="get-one"),
        pytest.param("GET", "/v1/signals", id="list"),
        pytest.param("DELETE", "/v1/signals/{id}", id="delete"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer wk.0123456789abcdef." + "A" * 43}, id="unknown"),
    ],
)
def test_no_valid_key_is_401(
    status_intake: TestClient,
    aggregator: Seeded,
    method: str,
    path: str,
    headers: dict[str, str],
) -> None:
    response = status_intake.request(method, path.format(id=aggregator.counted), headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_own_counted_signal_with_its_version_and_labels(
    status_intake: TestClient, tokens: dict[str, str], aggregator: Seeded
) -> None:
    response = status_intake.get(f"/v1/signals/{aggregator.counted}", headers=bearer(tokens[OWN]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["signal_id"] == str(aggregator.counted)
    assert body["status"] == "counted"
    assert body["version"] == 1
    assert body["labels"] == ["no_suitable_care"]
    assert body["labels_from"] == "model"
    assert body["dead_letter"] is None
    stored = aggregator.counted_signal
    assert dt.datetime.fromisoformat(body["submitted_at"]) == stored.submitted_at
    assert body["signal"]["municipality_code"] == stored.municipality_code
    assert body["signal"]["description"] == stored.description
    assert body["signal"]["text_erased"] is False


def test_dead_lettered_signal_says_where_and_why(
    status_intake: TestClient, tokens: dict[str, str], aggregator: Seeded
) -> None:
    response = status_intake.get(f"/v1/signals/{aggregator.dead[0]}", headers=bearer(tokens[OWN]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "dead_lettered"
    assert body["signal"] is None
    assert body["dead_letter"]["stage"] == "classifier"
    assert body["dead_letter"]["reason"] == "invalid_message"


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_another_organisations_signal_is_404_like_an_unknown_one(
    status_intake: TestClient, tokens: dict[str, str], aggregator: Seeded, method: str
) -> None:
    theirs = status_intake.request(
        method, f"/v1/signals/{aggregator.others}", headers=bearer(tokens[OWN])
    )
    unknown = status_intake.request(
        method, f"/v1/signals/{uuid.uuid4()}", headers=bearer(tokens[OWN])
    )
    assert_problem(theirs, 404)
    assert_problem(unknown, 404)
    # Nothing tells the two apart: the same problem, only the id in the text differs.
    assert theirs.json()["type"] == unknown.json()["type"]
    # The owner does see it.
    own = status_intake.get(f"/v1/signals/{aggregator.others}", headers=bearer(tokens[OTHER]))
    assert own.status_code == 200, own.text


def test_list_is_the_organisations_own_signals(
    status_intake: TestClient, tokens: dict[str, str], aggregator: Seeded
) -> None:
    response = status_intake.get("/v1/signals", headers=bearer(tokens[OWN]))
    assert response.status_code == 200, response.text
    body = response.json()
    listed = [item["signal_id"] for item in body["items"]]
    assert sorted(listed) == [str(i) for i in aggregator.own]
    assert body["next_cursor"] is None
    theirs = status_intake.get("/v1/signals", headers=bearer(tokens[OTHER])).json()
    assert [item["signal_id"] for item in theirs["items"]] == [str(aggregator.others)]


def test_list_filters_on_status_and_pages_with_the_cursor(
    status_intake: TestClient, tokens: dict[str, str], aggregator: Seeded
) -> None:
    query = {"status": "dead_lettered", "limit": 2}
    first = status_intake.get("/v1/signals", params=query, headers=bearer(tokens[OWN]))
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 2
    assert {item["status"] for item in page["items"]} == {"dead_lettered"}
    # The cursor is the last signal of the page (the store's signal_id order).
    assert page["next_cursor"] == page["items"][-1]["signal_id"]
    second = status_intake.get(
        "/v1/signals",
        params={**query, "cursor": page["next_cursor"]},
        headers=bearer(tokens[OWN]),
    )
    assert second.status_code == 200, second.text
    last = second.json()
    assert len(last["items"]) == 1
    assert last["next_cursor"] is None
    paged = [item["signal_id"] for item in page["items"] + last["items"]]
    assert sorted(paged) == [str(i) for i in aggregator.dead]  # each once, none missing
    whole = status_intake.get(
        "/v1/signals", params={"status": "dead_lettered"}, headers=bearer(tokens[OWN])
    ).json()
    assert [item["signal_id"] for item in whole["items"]] == paged  # the same order

    withdrawn = status_intake.get(
        "/v1/signals", params={"status": "withdrawn"}, headers=bearer(tokens[OWN])
    ).json()
    assert [item["signal_id"] for item in withdrawn["items"]] == [str(aggregator.withdrawn)]


def test_list_since_a_date_or_a_time_with_a_zone(
    status_intake: TestClient, tokens: dict[str, str], aggregator: Seeded
) -> None:
    def listed(since: str) -> list[str]:
        response = status_intake.get(
            "/v1/signals", params={"since": since}, headers=bearer(tokens[OWN])
        )
        assert response.status_code == 200, response.text
        return sorted(item["signal_id"] for item in response.json()["items"])

    recent = [
        str(i) for i in sorted([aggregator.counted, aggregator.accepted, aggregator.withdrawn])
    ]
    everything = [str(i) for i in aggregator.own]
    assert listed((LONG_AGO - dt.timedelta(days=1)).date().isoformat()) == everything
    assert listed((NOW + dt.timedelta(days=2)).date().isoformat()) == []
    # The dead letters changed at LONG_AGO: on or after it they are in, a second later not,
    # whatever the zone the time is given in.
    at = LONG_AGO.astimezone(DUTCH_TIME)
    assert listed(at.isoformat()) == everything
    assert listed((at + dt.timedelta(seconds=1)).isoformat()) == recent


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"since": "yesterday"}, "since", id="since-words"),
        pytest.param({"since": "2026-13-01"}, "since", id="since-no-date"),
        pytest.param({"since": "2026-12-01T09:00:00"}, "since", id="since-without-zone"),
        pytest.param({"cursor": "not-a-cursor"}, "cursor", id="cursor"),
        pytest.param({"status": "lost"}, "status", id="status"),
    ],
)
def test_bad_query_is_422_problem_naming_the_field(
    status_intake: TestClient,
    tokens: dict[str, str],
    params: dict[str, str],
    field: str,
) -> None:
    response = status_intake.get("/v1/signals", params=params, headers=bearer(tokens[OWN]))
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == [field]


def test_withdrawal_publishes_one_message_and_only_once(
    status_intake: TestClient,
    tokens: dict[str, str],
    aggregator: Seeded,
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
) -> None:
    before = dt.datetime.now(dt.UTC)
    response = status_intake.delete(
        f"/v1/signals/{aggregator.counted}", headers=bearer(tokens[OWN])
    )
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/signals/{aggregator.counted}"
    accepted = response.json()
    assert accepted["signal_id"] == str(aggregator.counted)
    assert accepted["status_url"] == f"/v1/signals/{aggregator.counted}"

    # Already withdrawn: its status, and nothing published.
    again = status_intake.delete(f"/v1/signals/{aggregator.withdrawn}", headers=bearer(tokens[OWN]))
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "withdrawn"
    assert again.json()["signal_id"] == str(aggregator.withdrawn)
    # Another organisation's: not found, nothing published.
    theirs = status_intake.delete(f"/v1/signals/{aggregator.others}", headers=bearer(tokens[OWN]))
    assert theirs.status_code == 404

    records = read_topic(kafka_settings, topics.withdrawn, 1, settle_seconds=2.0)
    assert len(records) == 1
    assert topic_size(kafka_settings, topics.withdrawn) == 1
    key, value = records[0]
    withdrawal = decode(SignalWithdrawn, value)
    assert key == str(aggregator.counted).encode()
    assert withdrawal.signal_id == aggregator.counted
    assert withdrawal.organisation_id == OWN
    assert withdrawal.requested_by is WithdrawalRequester.ORGANISATION
    assert str(withdrawal.withdrawal_id) == accepted["withdrawal_id"]
    assert before <= withdrawal.withdrawn_at <= dt.datetime.now(dt.UTC)
    # Nothing else went anywhere: the submissions topic is untouched.
    assert topic_size(kafka_settings, topics.submitted) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/v1/signals/{id}", id="get-one"),
        pytest.param("GET", "/v1/signals", id="list"),
        pytest.param("DELETE", "/v1/signals/{id}", id="delete"),
    ],
)
def test_no_status_store_configured_is_503_problem(
    intake: TestClient, tokens: dict[str, str], method: str, path: str
) -> None:
    response = intake.request(method, path.format(id=uuid.uuid4()), headers=bearer(tokens[OWN]))
    body = assert_problem(response, 503)
    assert "WAAKHOND_INTAKE_STATUS_URL" in str(body["title"]) + str(body.get("detail"))


@pytest.mark.parametrize("token", [STATUS_TOKEN, "not-the-token"], ids=["closed-port", "bad-token"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/v1/signals/{id}", id="get-one"),
        pytest.param("GET", "/v1/signals", id="list"),
        pytest.param("DELETE", "/v1/signals/{id}", id="delete"),
    ],
)
def test_unreachable_status_store_is_503_problem_and_nothing_published(
    api_keys: tuple[Path, dict[str, str]],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    aggregator: Seeded,
    method: str,
    path: str,
    token: str,
) -> None:
    # A closed port, or the running aggregator refusing the token (401 there).
    url = f"http://127.0.0.1:{free_port()}" if token == STATUS_TOKEN else aggregator.url
    with intake_client(
        api_keys[0],
        kafka_settings,
        topics,
        status_url=url,
        status_token=token,
        status_timeout_seconds=2.0,
    ) as client:
        wait_ready(client)
        response = client.request(
            method, path.format(id=aggregator.counted), headers=bearer(api_keys[1][OWN])
        )
    body = assert_problem(response, 503)
    assert str(body["type"]).endswith("status-unavailable")
    assert response.headers["retry-after"] == "5"
    if method == "DELETE":
        assert topic_size(kafka_settings, topics.withdrawn) == 0


def test_aggregator_without_a_status_token_is_503_not_404(
    api_keys: tuple[Path, dict[str, str]],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    aggregator: Seeded,
    clickhouse_client: Client,
    chdb_path: Path,
) -> None:
    """A misconfigured aggregator must not make an organisation's signal look unknown."""
    unconfigured = create_aggregator(
        AggregatorSettings(consume=False),
        ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=aggregator.database),
        client=clickhouse_client,
    )
    with (
        ServerThread(unconfigured) as server,
        intake_client(
            api_keys[0], kafka_settings, topics, status_url=server.url, status_token=STATUS_TOKEN
        ) as client,
    ):
        wait_ready(client)
        headers = bearer(api_keys[1][OWN])
        one = client.get(f"/v1/signals/{aggregator.counted}", headers=headers)
        withdrawal = client.delete(f"/v1/signals/{aggregator.counted}", headers=headers)
    assert_problem(one, 503)
    assert_problem(withdrawal, 503)
    assert topic_size(kafka_settings, topics.withdrawn) == 0

"""An organisation's view of its signals (migration 0013): the status follows the latest
submission through accepted, classified, counted and withdrawn, a correction on its way shows
as the next version, a dead letter says where and why, and another organisation's signal is
not found. Pages list every signal once, in signal_id order."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.processing.test_transform import classified
from tests.aggregator.storage.test_analytics_views import EXACT, prepare
from tests.aggregator.storage.test_revisions import apply, decision, store_through_the_plan
from tests.aggregator.storage.test_withdrawals import withdraw, withdrawal_of
from waakhond_aggregator.processing.ledger import LedgerEvent, ledger_event
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_aggregator.storage.status import SignalStatusStore
from waakhond_contract.messages import (
    DeadLetter,
    DeadLetterReason,
    DeadLetterStage,
    LabelOrigin,
    SignalClassified,
    SignalState,
    SignalStatus,
    SignalSubmitted,
    StatusDeadLetter,
)
from waakhond_contract.vocabularies import Category
from waakhond_runtime.codec import encode
from waakhond_runtime.settings import TopicSettings

TOPICS = TopicSettings()
ORG = "mee-noord"
T1 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
T2 = T1 + dt.timedelta(days=3)
T3 = T2 + dt.timedelta(days=4)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def database(clickhouse_client: Client, chdb_path: Path) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    prepare(clickhouse_client, name, EXACT)
    yield name
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


def message(
    signal_id: uuid.UUID,
    submitted_at: dt.datetime,
    labels: list[Category],
    organisation_id: str = ORG,
    **changes: object,
) -> SignalClassified:
    signal = classified(labels, observed_on="2026-09-30", **changes)
    return signal.model_copy(
        update={
            "signal_id": signal_id,
            "organisation_id": organisation_id,
            "submitted_at": submitted_at,
            "classification": signal.classification.model_copy(
                update={"classified_at": submitted_at + 2 * SECOND, "model_version": "m-7"}
            ),
        }
    )


def submitted(signal: SignalClassified) -> bytes:
    return encode(SignalSubmitted.model_validate(signal.model_dump(exclude={"classification"})))


def event(topic: str, value: bytes) -> LedgerEvent:
    found = ledger_event(topic, value, TOPICS)
    assert found is not None
    return found


def accepted(sink: TrendStore, signal: SignalClassified) -> None:
    sink.record_events([event(TOPICS.submitted, submitted(signal))])


def classified_event(sink: TrendStore, signal: SignalClassified) -> None:
    sink.record_events([event(TOPICS.classified, encode(signal))])


def counted(sink: TrendStore, signal: SignalClassified, classified_first: bool = False) -> None:
    """As the aggregator's writer does: store through the plan, then record counted."""
    if classified_first:
        classified_event(sink, signal)
    plan = store_through_the_plan(sink, [signal])
    sink.record_events(
        [
            LedgerEvent(
                c.signal.organisation_id,
                c.signal.signal_id,
                c.signal.submitted_at,
                SignalState.COUNTED,
                c.signal.submitted_at + 5 * SECOND,
            )
            for c in plan.counted
        ]
    )


def withdrawn(sink: TrendStore, signal: SignalClassified, at: dt.datetime) -> None:
    item = withdrawal_of(signal, at)
    for w in withdraw(sink, [item]).withdrawn:
        sink.record_events(
            [
                LedgerEvent(
                    w.organisation_id,
                    w.signal_id,
                    w.withdrawn_at,
                    SignalState.WITHDRAWN,
                    w.withdrawn_at,
                )
            ]
        )


def summary(status: SignalStatus | None) -> dict[str, Any]:
    assert status is not None
    shown = status.signal
    return {
        "status": status.status,
        "version": status.version,
        "submitted_at": status.submitted_at,
        "updated_at": status.updated_at,
        "labels": status.labels,
        "labels_from": status.labels_from,
        "model_version": status.model_version,
        "text": None if shown is None else (shown.description, shown.text_erased),
        "municipality": None if shown is None else shown.municipality_code,
    }


def test_a_signals_status_through_counting_a_correction_and_a_withdrawal(
    clickhouse_client: Client, database: str
) -> None:
    sink = TrendStore(clickhouse_client, database)
    statuses = SignalStatusStore(clickhouse_client, database)
    signal_id = uuid.uuid4()
    v1 = message(signal_id, T1, [Category.NO_SUITABLE_CARE])
    v2 = message(
        signal_id,
        T2,
        [Category.MISSED_RIGHTS, Category.POLICY_GAP],
        description="Correctie: de aanvraag is zonder onderzoek afgewezen.",
        municipality_code="GM0344",
    )
    base = {
        "version": 1,
        "submitted_at": T1,
        "labels": [],
        "labels_from": None,
        "model_version": None,
        "text": None,
        "municipality": None,
    }
    counted_v1 = {
        **base,
        "status": SignalState.COUNTED,
        "updated_at": T1 + 5 * SECOND,
        "labels": [Category.NO_SUITABLE_CARE],
        "labels_from": LabelOrigin.MODEL,
        "model_version": "m-7",
        "text": (v1.description, False),
        "municipality": "GM0363",
    }
    steps: list[tuple[str, Callable[[], None], dict[str, Any]]] = [
        (
            "accepted",
            lambda: accepted(sink, v1),
            {**base, "status": SignalState.ACCEPTED, "updated_at": T1},
        ),
        (
            "classified",
            lambda: classified_event(sink, v1),
            {**base, "status": SignalState.CLASSIFIED, "updated_at": T1 + 2 * SECOND},
        ),
        ("counted", lambda: counted(sink, v1), counted_v1),
        (
            "reviewed",
            lambda: apply(sink, [decision(v1, [Category.POLICY_GAP])]),
            {**counted_v1, "labels": [Category.POLICY_GAP], "labels_from": LabelOrigin.REVIEW},
        ),
        (
            "correction-accepted",
            lambda: accepted(sink, v2),
            {
                **base,
                "status": SignalState.ACCEPTED,
                "version": 2,
                "submitted_at": T2,
                "updated_at": T2,
            },
        ),
        (
            "correction-counted",
            lambda: counted(sink, v2, classified_first=True),
            {
                **base,
                "status": SignalState.COUNTED,
                "version": 2,
                "submitted_at": T2,
                "updated_at": T2 + 5 * SECOND,
                "labels": [Category.MISSED_RIGHTS, Category.POLICY_GAP],
                "labels_from": LabelOrigin.MODEL,
                "model_version": "m-7",
                "text": (v2.description, False),
                "municipality": "GM0344",
            },
        ),
        (
            "withdrawn",
            lambda: withdrawn(sink, v2, T3),
            {
                **base,
                "status": SignalState.WITHDRAWN,
                "version": 2,
                "submitted_at": T2,
                "updated_at": T3,
                "text": ("", True),
                "municipality": "GM0344",
            },
        ),
    ]
    for name, step, expected in steps:
        step()
        assert summary(statuses.status(ORG, signal_id)) == expected, name
    # Another organisation asks about it: not found, as if it did not exist.
    assert statuses.status("mee-zuid", signal_id) is None
    assert statuses.status(ORG, uuid.uuid4()) is None


def test_a_submission_after_the_withdrawal_is_the_next_version_on_its_way(
    clickhouse_client: Client, database: str
) -> None:
    sink = TrendStore(clickhouse_client, database)
    statuses = SignalStatusStore(clickhouse_client, database)
    signal_id = uuid.uuid4()
    v1 = message(signal_id, T1, [Category.NO_SUITABLE_CARE])
    again = message(signal_id, T3, [Category.POLICY_GAP])
    accepted(sink, v1)
    counted(sink, v1)
    withdrawn(sink, v1, T2)
    accepted(sink, again)
    found = statuses.status(ORG, signal_id)
    assert found is not None
    assert (found.status, found.version, found.submitted_at) == (SignalState.ACCEPTED, 2, T3)
    counted(sink, again)
    found = statuses.status(ORG, signal_id)
    assert found is not None
    assert (found.status, found.version, found.labels) == (
        SignalState.COUNTED,
        2,
        [Category.POLICY_GAP],
    )
    assert found.signal is not None
    assert found.signal.description == again.description


def test_a_withdrawal_that_overtook_its_signal_stays_withdrawn(
    clickhouse_client: Client, database: str
) -> None:
    sink = TrendStore(clickhouse_client, database)
    statuses = SignalStatusStore(clickhouse_client, database)
    signal_id = uuid.uuid4()
    v1 = message(signal_id, T1, [Category.NO_SUITABLE_CARE])
    accepted(sink, v1)
    withdrawn(sink, v1, T2)
    classified_event(sink, v1)
    counted(sink, v1)  # ignored by the plan: an older version than the tombstone
    found = statuses.status(ORG, signal_id)
    assert found is not None
    assert (found.status, found.version, found.submitted_at, found.labels) == (
        SignalState.WITHDRAWN,
        1,
        T1,
        [],
    )


def dead_letter(signal: SignalClassified, failed_at: dt.datetime) -> bytes:
    return encode(
        DeadLetter(
            stage=DeadLetterStage.CLASSIFIER,
            reason=DeadLetterReason.PROCESSING_FAILED,
            detail="the model could not be loaded",
            source_topic=TOPICS.submitted,
            source_partition=1,
            source_offset=12,
            value_base64=base64.b64encode(submitted(signal)).decode(),
            signal_id=signal.signal_id,
            failed_at=failed_at,
        )
    )


def test_a_dead_lettered_signal_says_where_and_why(
    clickhouse_client: Client, database: str
) -> None:
    sink = TrendStore(clickhouse_client, database)
    statuses = SignalStatusStore(clickhouse_client, database)
    signal_id = uuid.uuid4()
    v1 = message(signal_id, T1, [Category.NO_SUITABLE_CARE])
    accepted(sink, v1)
    sink.record_events([event(TOPICS.deadletter, dead_letter(v1, T1 + 9 * SECOND))])
    found = statuses.status(ORG, signal_id)
    assert found is not None
    assert (found.status, found.version, found.submitted_at, found.updated_at) == (
        SignalState.DEAD_LETTERED,
        1,
        T1,
        T1 + 9 * SECOND,
    )
    assert found.dead_letter == StatusDeadLetter(
        stage=DeadLetterStage.CLASSIFIER,
        reason=DeadLetterReason.PROCESSING_FAILED,
        detail="the model could not be loaded",
        failed_at=T1 + 9 * SECOND,
    )
    assert found.signal is None
    assert statuses.status("mee-zuid", signal_id) is None


STATES = [SignalState.ACCEPTED, SignalState.CLASSIFIED, SignalState.DEAD_LETTERED]


def seed_page(sink: TrendStore, total: int) -> list[tuple[uuid.UUID, SignalState]]:
    """``total`` signals of ORG, accepted a minute apart, left in STATES in turn; and some of
    another organisation, which no page of ORG may show."""
    seeded = []
    for index in range(total):
        signal = message(uuid.uuid4(), T1 + dt.timedelta(minutes=index), [Category.POLICY_GAP])
        accepted(sink, signal)
        state = STATES[index % len(STATES)]
        if state is SignalState.CLASSIFIED:
            classified_event(sink, signal)
        elif state is SignalState.DEAD_LETTERED:
            sink.record_events([event(TOPICS.deadletter, dead_letter(signal, signal.submitted_at))])
        seeded.append((signal.signal_id, state))
    for index in range(3):
        accepted(sink, message(uuid.uuid4(), T1 + dt.timedelta(minutes=index), [], "mee-zuid"))
    return seeded


@pytest.mark.parametrize(
    ("total", "limit", "pages"),
    [
        pytest.param(25, 10, 3, id="25-by-10"),
        pytest.param(20, 10, 2, id="exactly-full-last-page"),
        pytest.param(4, 10, 1, id="one-page"),
        pytest.param(0, 10, 1, id="none"),
    ],
)
def test_pages_list_every_signal_once_in_signal_id_order(
    total: int, limit: int, pages: int, clickhouse_client: Client, database: str
) -> None:
    sink = TrendStore(clickhouse_client, database)
    seeded = seed_page(sink, total)
    statuses = SignalStatusStore(clickhouse_client, database)
    listed: list[tuple[uuid.UUID, SignalState]] = []
    cursors: list[uuid.UUID | None] = []
    after: uuid.UUID | None = None
    while True:
        page = statuses.page(ORG, after=after, limit=limit)
        assert len(page.items) <= limit
        listed.extend((item.signal_id, item.status) for item in page.items)
        cursors.append(page.last_signal_id)
        if page.last_signal_id is None:
            break
        after = page.last_signal_id
    # ClickHouse's order of UUIDs is not Python's: the cursor follows the database's.
    assert sorted(listed) == sorted(seeded)
    assert len(set(listed)) == len(listed)
    assert len(cursors) == pages


def test_pages_filter_on_state_and_on_the_last_change(
    clickhouse_client: Client, database: str
) -> None:
    sink = TrendStore(clickhouse_client, database)
    seeded = seed_page(sink, 25)
    statuses = SignalStatusStore(clickhouse_client, database)
    for state in STATES:
        page = statuses.page(ORG, state=state)
        assert sorted(i.signal_id for i in page.items) == sorted(i for i, s in seeded if s is state)
        assert {i.status for i in page.items} == {state}
        assert page.last_signal_id is None
    since = T1 + dt.timedelta(minutes=15)
    recent = statuses.page(ORG, since=since)
    assert sorted(i.signal_id for i in recent.items) == sorted(i for i, _ in seeded[15:])
    assert all(i.updated_at >= since for i in recent.items)
    both = statuses.page(ORG, state=SignalState.CLASSIFIED, since=since, limit=1)
    rest = statuses.page(ORG, state=SignalState.CLASSIFIED, since=since, after=both.last_signal_id)
    expected = sorted(i for i, s in seeded[15:] if s is SignalState.CLASSIFIED)
    assert len(expected) == 3
    assert [i.signal_id for i in both.items] == [both.last_signal_id]
    assert sorted(i.signal_id for i in [*both.items, *rest.items]) == expected
    assert rest.last_signal_id is None
    assert statuses.page("mee-oost").items == []

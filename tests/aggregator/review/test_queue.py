"""The review page's reads on real chDB: who sees what, the deterministic sample of confident
signals, decided signals leaving the queue, and the coordinators' disagreements."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.review.conftest import classified, record_decision, store
from waakhond_aggregator.review.accounts import Reviewer
from waakhond_aggregator.review.queue import (
    QueueItem,
    read_disagreements,
    read_queue,
    read_signal,
)
from waakhond_contract.messages import ReviewerRole
from waakhond_contract.vocabularies import Category

RITA = Reviewer("rita", "rv-00000000000000a1", ReviewerRole.REVIEWER, ("mee-noord",))
WIM = Reviewer("wim", "rv-00000000000000b2", ReviewerRole.REVIEWER, ("zorgbelang-west",))
CORA = Reviewer("cora", "rv-00000000000000c3", ReviewerRole.COORDINATOR, ())


def ids(items: list[QueueItem]) -> list[uuid.UUID]:
    return [item.signal_id for item in items]


def test_the_sample_of_confident_signals_is_stable_nested_and_near_its_rate(
    clickhouse_client: Client, review_database: str
) -> None:
    confident = [classified() for _ in range(1000)]
    store(clickhouse_client, review_database, confident)

    def sample(rate: float) -> set[uuid.UUID]:
        return set(ids(read_queue(clickhouse_client, review_database, RITA, rate, 2000)))

    small, larger = sample(0.1), sample(0.3)
    assert sample(0.1) == small, "the same signals at every read"
    assert small < larger, "a higher rate adds signals and keeps the ones sampled"
    assert 50 <= len(small) <= 150  # 100 expected; the hash is not a fixed list
    assert sample(0.0) == set()
    assert sample(1.0) == {s.signal_id for s in confident}


def test_flagged_signals_come_first_and_each_reviewer_sees_its_own_organisations(
    clickhouse_client: Client, review_database: str
) -> None:
    now = dt.datetime.now(dt.UTC)
    old_confident = classified(submitted_at=now - dt.timedelta(days=9))
    flagged_new = classified(needs_review=True, submitted_at=now - dt.timedelta(days=1))
    flagged_old = classified(needs_review=True, submitted_at=now - dt.timedelta(days=2))
    west = classified("zorgbelang-west", needs_review=True)
    store(clickhouse_client, review_database, [old_confident, flagged_new, flagged_old, west])

    rita = read_queue(clickhouse_client, review_database, RITA, 1.0, 50)
    assert ids(rita) == [flagged_old.signal_id, flagged_new.signal_id, old_confident.signal_id]
    assert ids(read_queue(clickhouse_client, review_database, WIM, 1.0, 50)) == [west.signal_id]
    assert set(ids(read_queue(clickhouse_client, review_database, CORA, 1.0, 50))) == {
        s.signal_id for s in (old_confident, flagged_new, flagged_old, west)
    }
    # What a reviewer skipped or just decided is left out when asked.
    assert ids(
        read_queue(clickhouse_client, review_database, RITA, 1.0, 50, {flagged_old.signal_id})
    ) == [flagged_new.signal_id, old_confident.signal_id]
    assert read_signal(clickhouse_client, review_database, RITA, west.signal_id) is None
    assert read_signal(clickhouse_client, review_database, WIM, west.signal_id) is not None
    assert read_signal(clickhouse_client, review_database, CORA, west.signal_id) is not None


def test_a_decided_signal_leaves_the_queue(clickhouse_client: Client, review_database: str) -> None:
    decided, waiting = classified(needs_review=True), classified(needs_review=True)
    store(clickhouse_client, review_database, [decided, waiting])
    record_decision(
        clickhouse_client,
        review_database,
        decided,
        RITA.reviewer_id,
        RITA.role,
        ["policy_gap"],
        dt.datetime.now(dt.UTC),
    )
    for viewer in (RITA, CORA):
        assert ids(read_queue(clickhouse_client, review_database, viewer, 0.0, 50)) == [
            waiting.signal_id
        ]


@pytest.mark.parametrize(
    ("decisions", "listed"),
    [
        pytest.param(
            [(RITA, ["policy_gap"]), (WIM, ["missed_rights"])], True, id="reviewers-differ"
        ),
        pytest.param(
            [(RITA, ["policy_gap", "missed_rights"]), (WIM, ["missed_rights", "policy_gap"])],
            False,
            id="same-labels-in-another-order",
        ),
        pytest.param(
            [(RITA, ["policy_gap"]), (WIM, ["missed_rights"]), (CORA, ["policy_gap"])],
            False,
            id="a-coordinator-settled-it",
        ),
        pytest.param(
            [(RITA, ["policy_gap"]), (RITA, ["missed_rights"])],
            False,
            id="one-reviewer-changed-its-mind",
        ),
        pytest.param(
            [(RITA, ["policy_gap"]), (WIM, ["missed_rights"]), (WIM, ["policy_gap"])],
            False,
            id="the-latest-decisions-agree",
        ),
    ],
)
def test_disagreements_are_latest_reviewer_decisions_that_differ_without_a_coordinator(
    clickhouse_client: Client,
    review_database: str,
    decisions: list[tuple[Reviewer, list[str]]],
    listed: bool,
) -> None:
    signal = classified(labels=(Category.POLICY_GAP,))
    store(clickhouse_client, review_database, [signal])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    for minute, (reviewer, labels) in enumerate(decisions):
        record_decision(
            clickhouse_client,
            review_database,
            signal,
            reviewer.reviewer_id,
            reviewer.role,
            labels,
            start + dt.timedelta(minutes=minute),
        )
    found = read_disagreements(clickhouse_client, review_database, 50)
    assert [d.signal_id for d in found] == ([signal.signal_id] if listed else [])
    if listed:
        assert found[0].label_sets == (("missed_rights",), ("policy_gap",))
        assert found[0].reviewers == 2

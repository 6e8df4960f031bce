"""People's decisions in ClickHouse (migration 0012): a reviewed database publishes exactly
what a database whose signals had the reviewed labels from the start publishes: the same
counts, the same suppression and the same noise, live and after a refresh, whatever order
the decisions are replayed in."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.storage.test_analytics_views import (
    DEFAULT,
    EXACT,
    analytics_signals,
    prepare,
    store,
)
from tests.aggregator.storage.test_cells import published
from waakhond_aggregator.processing.decisions import (
    DecisionCandidate,
    plan_decisions,
    process_decision,
)
from waakhond_aggregator.processing.dedup import WritePlan, plan_writes
from waakhond_aggregator.processing.rows import Candidate
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage.cells import RefreshPolicy, refresh_weekly_cells
from waakhond_aggregator.storage.disclosure import DisclosurePolicy
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import (
    ReviewerRole,
    ReviewOutcome,
    SignalClassified,
    SignalReviewed,
)
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category, PiiKind
from waakhond_runtime.codec import encode
from waakhond_runtime.records import ConsumedRecord

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def decision(
    signal: SignalClassified,
    labels: list[Category],
    role: ReviewerRole = ReviewerRole.REVIEWER,
    minutes: int = 0,
    outcome: ReviewOutcome = ReviewOutcome.LABELLED,
) -> SignalReviewed:
    return SignalReviewed(
        decision_id=uuid.uuid5(signal.signal_id, f"{role}-{minutes}-{labels}-{outcome}"),
        signal_id=signal.signal_id,
        organisation_id=signal.organisation_id,
        outcome=outcome,
        labels=labels,
        identifying_kinds=[PiiKind.NAME]
        if outcome is ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
        else [],
        reviewer=f"rv-{uuid.uuid5(uuid.NAMESPACE_OID, str(role)).hex[:16]}",
        role=role,
        decided_at=T0 + dt.timedelta(minutes=minutes),
        reviewed_model_version=signal.classification.model_version,
    )


def apply(sink: TrendStore, decisions: list[SignalReviewed]) -> None:
    """As the aggregator's writer does for one batch of signals.reviewed."""
    candidates = []
    for offset, item in enumerate(decisions):
        record = ConsumedRecord("signals.reviewed", 0, offset, None, encode(item))
        candidate = process_decision(record)
        assert isinstance(candidate, DecisionCandidate)
        candidates.append(candidate)
    plan = plan_decisions(candidates, sink.stored_signals([d.signal_id for d in decisions]))
    assert not plan.rejected
    sink.insert(plan.writes)
    sink.insert_decisions(plan.decision_rows)
    sink.erase_text(plan.erase)


def relabelled(signal: SignalClassified, labels: list[Category]) -> SignalClassified:
    return signal.model_copy(
        update={"classification": signal.classification.model_copy(update={"labels": labels})}
    )


def scenario() -> tuple[list[SignalClassified], list[SignalReviewed], list[SignalClassified]]:
    """Signals, the decisions on some of them, and the signals as the decisions leave them.

    Moves signals out of and into cells of every size: Amsterdam's rise loses three
    signals to another category, a Utrecht signal loses one of its two categories, a small
    Groningen cell gains one; a reviewer's decision is overruled by a coordinator's that came
    earlier, and a reviewer changes their mind (the later decision stands).
    """
    signals = analytics_signals()
    amsterdam = [s for s in signals if s.municipality_code == "GM0363"]
    utrecht = [s for s in signals if s.municipality_code == "GM0344"]
    groningen = [s for s in signals if s.municipality_code == "GM0014"]
    final: dict[uuid.UUID, list[Category]] = {}
    decisions: list[SignalReviewed] = []
    for signal in amsterdam[-3:]:
        decisions.append(decision(signal, [Category.POLICY_GAP]))
        final[signal.signal_id] = [Category.POLICY_GAP]
    decisions.append(decision(utrecht[0], [Category.MISSED_RIGHTS], minutes=5))
    decisions.append(decision(utrecht[0], [Category.POLICY_GAP], ReviewerRole.COORDINATOR))
    final[utrecht[0].signal_id] = [Category.POLICY_GAP]
    decisions.append(decision(utrecht[1], [], minutes=1))
    decisions.append(decision(utrecht[1], [Category.UNREACHABLE_GROUPS], minutes=9))
    final[utrecht[1].signal_id] = [Category.UNREACHABLE_GROUPS]
    decisions.append(
        decision(
            groningen[0],
            [Category.MISSED_RIGHTS, Category.NO_SUITABLE_CARE, Category.UNREACHABLE_GROUPS],
        )
    )
    final[groningen[0].signal_id] = [
        Category.MISSED_RIGHTS,
        Category.NO_SUITABLE_CARE,
        Category.UNREACHABLE_GROUPS,
    ]
    expected = [relabelled(s, final[s.signal_id]) if s.signal_id in final else s for s in signals]
    return signals, decisions, expected


@pytest.fixture
def databases(clickhouse_client: Client, chdb_path: Path) -> Iterator[tuple[str, str]]:
    names = (f"t_{uuid.uuid4().hex[:10]}", f"t_{uuid.uuid4().hex[:10]}")
    yield names
    for name in names:
        clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


def refresh(client: Client, database: str) -> None:
    refresh_weekly_cells(client, database, RefreshPolicy(quiet_seconds=0, max_weeks=100))


@pytest.mark.parametrize("policy", [EXACT, DEFAULT], ids=["exact", "k10-b5-noise"])
@pytest.mark.parametrize("refreshed_before", [False, True], ids=["live", "cells-stored"])
@pytest.mark.parametrize("order_seed", [None, 1, 2], ids=["in-order", "shuffled-1", "shuffled-2"])
def test_a_reviewed_database_publishes_what_the_reviewed_labels_would(
    policy: DisclosurePolicy,
    refreshed_before: bool,
    order_seed: int | None,
    clickhouse_client: Client,
    databases: tuple[str, str],
) -> None:
    reviewed_db, oracle_db = databases
    signals, decisions, expected = scenario()
    prepare(clickhouse_client, oracle_db, policy)
    store(clickhouse_client, oracle_db, expected)
    prepare(clickhouse_client, reviewed_db, policy)
    store(clickhouse_client, reviewed_db, signals)
    if refreshed_before:
        refresh(clickhouse_client, reviewed_db)
    before = published(clickhouse_client, reviewed_db)
    if order_seed is not None:
        random.Random(order_seed).shuffle(decisions)
    sink = TrendStore(clickhouse_client, reviewed_db)
    # One decision per batch, then every decision again in one batch (a replay).
    for item in decisions:
        apply(sink, [item])
    apply(sink, decisions)

    live = published(clickhouse_client, reviewed_db)
    refresh(clickhouse_client, reviewed_db)
    after_refresh = published(clickhouse_client, reviewed_db)
    oracle = published(clickhouse_client, oracle_db)
    assert live != before  # the decisions moved signals between cells
    assert live == oracle
    assert after_refresh == oracle


def test_replaying_the_models_row_after_a_review_changes_nothing(
    clickhouse_client: Client, databases: tuple[str, str]
) -> None:
    """The classifier's message redelivered after a decision: the decision's labels stay."""
    reviewed_db, oracle_db = databases
    signals, decisions, expected = scenario()
    prepare(clickhouse_client, oracle_db, EXACT)
    store(clickhouse_client, oracle_db, expected)
    prepare(clickhouse_client, reviewed_db, EXACT)
    store(clickhouse_client, reviewed_db, signals)
    apply(TrendStore(clickhouse_client, reviewed_db), decisions)
    store(clickhouse_client, reviewed_db, signals)  # what a replay that skipped the plan writes
    assert published(clickhouse_client, reviewed_db) == published(clickhouse_client, oracle_db)


def current(client: Client, database: str, signal_id: uuid.UUID) -> dict[str, object]:
    result = client.query(
        f"SELECT categories, label_source, model_categories, description, text_erased "
        f"FROM {database}.current_signals WHERE signal_id = {{id:UUID}}",
        parameters={"id": signal_id},
    )
    (row,) = result.result_rows
    return dict(zip(result.column_names, row, strict=True))


def test_current_signals_shows_the_decision_and_keeps_the_models_labels(
    clickhouse_client: Client, databases: tuple[str, str]
) -> None:
    database, _ = databases
    signals, _, _ = scenario()
    prepare(clickhouse_client, database, EXACT)
    store(clickhouse_client, database, signals)
    target = signals[0]
    apply(TrendStore(clickhouse_client, database), [decision(target, [Category.POLICY_GAP])])
    assert current(clickhouse_client, database, target.signal_id) == {
        "categories": ["policy_gap"],
        "label_source": "review",
        "model_categories": [str(c) for c in target.classification.labels],
        "description": target.description,
        "text_erased": False,
    }
    count = clickhouse_client.query(f"SELECT count() FROM {database}.current_signals").result_rows[
        0
    ][0]
    assert count == len(signals)


def test_identifying_details_erase_the_text_of_every_revision_for_good(
    clickhouse_client: Client, databases: tuple[str, str]
) -> None:
    """Even when the decision that found them is overruled, and when a later decision or the
    model's message comes again."""
    database, _ = databases
    signals, _, _ = scenario()
    prepare(clickhouse_client, database, EXACT)
    store(clickhouse_client, database, signals)
    target = signals[1]
    sink = TrendStore(clickhouse_client, database)
    apply(sink, [decision(target, [Category.MISSED_RIGHTS], ReviewerRole.COORDINATOR)])
    found = decision(
        target, [Category.POLICY_GAP], outcome=ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
    )
    apply(sink, [found])
    apply(sink, [decision(target, [Category.NO_SUITABLE_CARE], ReviewerRole.COORDINATOR, 30)])
    # The classifier's message again: the write plan leaves the model's row alone.
    record = ConsumedRecord("signals.classified", 0, 0, None, encode(target))
    replay = Candidate(record, target, to_rows(target, load_region_reference()))
    plan = plan_writes([replay], sink.stored_versions([target.signal_id]))
    assert (plan.writes, plan.superseded_ignored) == ([], 1)
    texts = clickhouse_client.query(
        f"SELECT DISTINCT description, text_erased FROM {database}.signals "
        "WHERE signal_id = {id:UUID}",
        parameters={"id": target.signal_id},
    ).result_rows
    assert texts == [("", True)]
    assert current(clickhouse_client, database, target.signal_id)["categories"] == [
        "no_suitable_care"
    ]
    kinds = clickhouse_client.query(
        f"SELECT identifying_kinds FROM {database}.review_decisions FINAL "
        "WHERE decision_id = {id:UUID}",
        parameters={"id": found.decision_id},
    ).result_rows
    assert kinds == [(["name"],)]


def test_a_decision_about_an_unknown_signal_or_another_organisation_is_refused(
    clickhouse_client: Client, databases: tuple[str, str]
) -> None:
    database, _ = databases
    signals, _, _ = scenario()
    prepare(clickhouse_client, database, EXACT)
    store(clickhouse_client, database, signals[1:])
    sink = TrendStore(clickhouse_client, database)
    unknown = decision(signals[0], [Category.POLICY_GAP])
    other = decision(signals[1], [Category.POLICY_GAP]).model_copy(
        update={"organisation_id": "another-org"}
    )
    candidates = [
        process_decision(ConsumedRecord("signals.reviewed", 0, i, None, encode(d)))
        for i, d in enumerate([unknown, other])
    ]
    assert all(isinstance(c, DecisionCandidate) for c in candidates)
    plan = plan_decisions(
        [c for c in candidates if isinstance(c, DecisionCandidate)],
        sink.stored_signals([unknown.signal_id, other.signal_id]),
    )
    assert [(r.rejection.reason.value, r.rejection.signal_id) for r in plan.rejected] == [
        ("unknown_signal", unknown.signal_id),
        ("invalid_message", other.signal_id),
    ]
    assert not plan.writes
    assert not plan.decision_rows


def store_through_the_plan(sink: TrendStore, signals: list[SignalClassified]) -> WritePlan:
    """As the aggregator's writer does for one batch of signals.classified."""
    reference = load_region_reference()
    candidates = [
        Candidate(
            ConsumedRecord("signals.classified", 0, i, None, encode(s)), s, to_rows(s, reference)
        )
        for i, s in enumerate(signals)
    ]
    plan = plan_writes(candidates, sink.stored_versions([s.signal_id for s in signals]))
    assert not plan.conflicts
    sink.insert(plan.writes)
    return plan


def corrected(signal: SignalClassified, days_later: int, **changes: object) -> SignalClassified:
    return signal.model_copy(
        update={"submitted_at": signal.submitted_at + dt.timedelta(days=days_later), **changes}
    )


@pytest.mark.parametrize("refreshed_before", [False, True], ids=["live", "cells-stored"])
def test_corrections_replace_the_old_version_in_every_count(
    refreshed_before: bool, clickhouse_client: Client, databases: tuple[str, str]
) -> None:
    """Corrections that move a signal to another week, another municipality, other labels
    and other dimensions; a decision on the old version is not applied to the new one, a
    decision on the new one is; the old versions are replayed afterwards."""
    corrected_db, oracle_db = databases
    signals = analytics_signals()
    amsterdam = [s for s in signals if s.municipality_code == "GM0363"]
    utrecht = [s for s in signals if s.municipality_code == "GM0344"]
    moved_week = corrected(amsterdam[-1], 1, observed_on=amsterdam[0].observed_on)
    moved_place = corrected(utrecht[0], 2, municipality_code="GM0014")
    relabelled_text = corrected(
        utrecht[1],
        3,
        description="Correctie: de gemeente wijst de aanvraag af zonder onderzoek.",
        classification=utrecht[1].classification.model_copy(
            update={"labels": [Category.MISSED_RIGHTS]}
        ),
        target_groups=["informal_carers"],
    )
    reviewed_new = corrected(amsterdam[-2], 1, description="Correctie: nog steeds geen plek.")
    final = {s.signal_id: s for s in (moved_week, moved_place, relabelled_text, reviewed_new)}
    expected = [final.get(s.signal_id, s) for s in signals]
    expected = [
        relabelled(s, [Category.POLICY_GAP]) if s.signal_id == reviewed_new.signal_id else s
        for s in expected
    ]

    prepare(clickhouse_client, oracle_db, DEFAULT)
    store(clickhouse_client, oracle_db, expected)
    prepare(clickhouse_client, corrected_db, DEFAULT)
    sink = TrendStore(clickhouse_client, corrected_db)
    store_through_the_plan(sink, signals)
    if refreshed_before:
        refresh(clickhouse_client, corrected_db)
    # A decision on version 1 of a signal that is then corrected: kept, not applied.
    apply(sink, [decision(moved_place, [Category.UNREACHABLE_GROUPS])])
    store_through_the_plan(sink, list(final.values()))
    apply(
        sink,
        [
            decision(reviewed_new, [Category.POLICY_GAP], minutes=5).model_copy(
                update={"version": 2}
            ),
            decision(relabelled_text, [Category.POLICY_GAP], minutes=6),  # saw version 1
        ],
    )
    store_through_the_plan(sink, signals)  # every old version replayed

    live = published(clickhouse_client, corrected_db)
    refresh(clickhouse_client, corrected_db)
    after_refresh = published(clickhouse_client, corrected_db)
    oracle = published(clickhouse_client, oracle_db)
    assert live == oracle
    assert after_refresh == oracle
    versions = {
        row[0]: row[1]
        for row in clickhouse_client.query(
            f"SELECT signal_id, version FROM {corrected_db}.current_signals WHERE version > 1"
        ).result_rows
    }
    assert versions == dict.fromkeys(final, 2)

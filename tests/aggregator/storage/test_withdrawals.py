"""Withdrawals in ClickHouse (migration 0013): a database whose organisations withdrew some
signals publishes exactly what a database that never had them publishes: the same counts,
the same suppression and the same noise, live and after a refresh, also when the signals
were reviewed or corrected first and when everything is replayed. Their text is erased in
every revision; the same signal submitted again after the withdrawal counts again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from tests.aggregator.storage.test_revisions import (
    apply,
    corrected,
    decision,
    refresh,
    store_through_the_plan,
)
from waakhond_aggregator.processing.withdrawals import (
    WithdrawalCandidate,
    WithdrawalPlan,
    plan_withdrawals,
    process_withdrawal,
)
from waakhond_aggregator.storage.disclosure import DisclosurePolicy
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import (
    SignalClassified,
    SignalWithdrawn,
    WithdrawalRequester,
)
from waakhond_contract.vocabularies import Category
from waakhond_runtime.codec import encode
from waakhond_runtime.records import ConsumedRecord


@pytest.fixture
def databases(clickhouse_client: Client, chdb_path: Path) -> Iterator[tuple[str, str]]:
    names = (f"t_{uuid.uuid4().hex[:10]}", f"t_{uuid.uuid4().hex[:10]}")
    yield names
    for name in names:
        clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


def withdrawal_of(signal: SignalClassified, at: dt.datetime) -> SignalWithdrawn:
    return SignalWithdrawn(
        withdrawal_id=uuid.uuid5(signal.signal_id, f"withdrawal-{at.isoformat()}"),
        signal_id=signal.signal_id,
        organisation_id=signal.organisation_id,
        requested_by=WithdrawalRequester.ORGANISATION,
        withdrawn_at=at,
    )


def withdraw(sink: TrendStore, withdrawals: list[SignalWithdrawn]) -> WithdrawalPlan:
    """As the aggregator's writer does for one batch of signals.withdrawn."""
    candidates = []
    for offset, item in enumerate(withdrawals):
        record = ConsumedRecord("signals.withdrawn", 0, offset, None, encode(item))
        candidate = process_withdrawal(record)
        assert isinstance(candidate, WithdrawalCandidate)
        candidates.append(candidate)
    plan = plan_withdrawals(candidates, sink.stored_signals([w.signal_id for w in withdrawals]))
    assert not plan.rejected
    sink.insert(plan.writes)
    sink.erase_withdrawn(plan.erase)
    return plan


def latest_submission(signals: list[SignalClassified]) -> dt.datetime:
    return max(s.submitted_at for s in signals)


def rows_of(client: Client, database: str, signal_id: uuid.UUID) -> list[dict[str, Any]]:
    result = client.query(
        "SELECT revision, version, label_source, description, text_erased "
        f"FROM {database}.signals FINAL WHERE signal_id = {{id:UUID}} ORDER BY revision",
        parameters={"id": signal_id},
    )
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def everything(client: Client, database: str) -> list[tuple[Any, ...]]:
    return sorted(
        (
            tuple(r)
            for r in client.query(
                f"SELECT * EXCEPT (ingested_at) FROM {database}.signals FINAL"
            ).result_rows
        ),
        key=repr,
    )


def counted_signals(client: Client, database: str) -> set[uuid.UUID]:
    return {
        row[0]
        for row in client.query(
            f"SELECT signal_id FROM {database}.current_signals WHERE label_source != 'withdrawn'"
        ).result_rows
    }


@pytest.mark.parametrize("policy", [EXACT, DEFAULT], ids=["exact", "k10-b5-noise"])
@pytest.mark.parametrize("refreshed_before", [False, True], ids=["live", "cells-stored"])
def test_a_database_with_withdrawals_publishes_what_one_without_those_signals_would(
    policy: DisclosurePolicy,
    refreshed_before: bool,
    clickhouse_client: Client,
    databases: tuple[str, str],
) -> None:
    """Withdrawn: three of Amsterdam's rise, every Groningen signal (a whole cell goes), a
    reviewed Utrecht signal and a corrected one that moved week before it was withdrawn."""
    withdrawn_db, oracle_db = databases
    signals = analytics_signals()
    amsterdam = [s for s in signals if s.municipality_code == "GM0363"]
    utrecht = [s for s in signals if s.municipality_code == "GM0344"]
    groningen = [s for s in signals if s.municipality_code == "GM0014"]
    moved = corrected(utrecht[1], 1, observed_on=amsterdam[0].observed_on)
    at = latest_submission(signals) + dt.timedelta(days=5)
    gone = [*amsterdam[-3:], *groningen, utrecht[0], utrecht[1]]
    gone_ids = {s.signal_id for s in gone}
    withdrawals = [withdrawal_of(s, at + dt.timedelta(minutes=i)) for i, s in enumerate(gone)]

    prepare(clickhouse_client, oracle_db, policy)
    store(clickhouse_client, oracle_db, [s for s in signals if s.signal_id not in gone_ids])
    prepare(clickhouse_client, withdrawn_db, policy)
    sink = TrendStore(clickhouse_client, withdrawn_db)
    store_through_the_plan(sink, signals)
    if refreshed_before:
        refresh(clickhouse_client, withdrawn_db)
    apply(sink, [decision(utrecht[0], [Category.NO_SUITABLE_CARE])])
    store_through_the_plan(sink, [moved])
    before = published(clickhouse_client, withdrawn_db)
    # In two batches, then all again in one (a replay).
    withdraw(sink, withdrawals[:4])
    withdraw(sink, withdrawals[4:])
    withdraw(sink, withdrawals)
    oracle = published(clickhouse_client, oracle_db)
    withdrawn = published(clickhouse_client, withdrawn_db)
    # Then every signal again (a replay of signals.classified): the withdrawn ones are older
    # versions than their tombstones.
    replay = store_through_the_plan(sink, [*signals, moved])
    assert {r.signal[0] for r in replay.writes}.isdisjoint(gone_ids)
    assert replay.older_versions_ignored == len(gone) + 1  # moved's version 1, and moved
    live = published(clickhouse_client, withdrawn_db)
    refresh(clickhouse_client, withdrawn_db)
    after_refresh = published(clickhouse_client, withdrawn_db)
    assert withdrawn != before  # the withdrawals took signals out of cells
    assert withdrawn == oracle
    assert live == oracle
    assert after_refresh == oracle
    assert counted_signals(clickhouse_client, withdrawn_db) == counted_signals(
        clickhouse_client, oracle_db
    )


def test_a_withdrawal_erases_every_revision_and_a_later_submission_counts_again(
    clickhouse_client: Client, databases: tuple[str, str]
) -> None:
    """Reviewed, corrected, reviewed again, withdrawn: no text left in any revision. The same
    client_ref submitted after the withdrawal is the next version, keeps its text and is
    counted, in the cells it names."""
    database, oracle_db = databases
    signals = analytics_signals()
    target = signals[4]
    v2 = corrected(target, 1, description="Correctie: nog altijd geen passende woonplek.")
    at = latest_submission([*signals, v2]) + dt.timedelta(days=2)
    v3 = corrected(
        target,
        10,
        description="Opnieuw ingediend: de wachtlijst duurt inmiddels een jaar.",
        municipality_code="GM0344",
    )
    prepare(clickhouse_client, database, DEFAULT)
    sink = TrendStore(clickhouse_client, database)
    store_through_the_plan(sink, signals)
    apply(sink, [decision(target, [Category.POLICY_GAP])])
    store_through_the_plan(sink, [v2])
    apply(
        sink, [decision(v2, [Category.MISSED_RIGHTS], minutes=3).model_copy(update={"version": 2})]
    )
    (tomb,) = withdraw(sink, [withdrawal_of(target, at)]).writes
    tombstone_revision = int(tomb.signal[1])

    withdrawn = rows_of(clickhouse_client, database, target.signal_id)
    assert len(withdrawn) == 5  # v1 model, v1 review, v2 model, v2 review, tombstone
    assert [(r["description"], r["text_erased"]) for r in withdrawn] == [("", True)] * 5
    assert withdrawn[-1]["revision"] == tombstone_revision
    assert withdrawn[-1]["label_source"] == "withdrawn"
    assert target.signal_id not in counted_signals(clickhouse_client, database)

    resubmitted = store_through_the_plan(sink, [v3])
    assert resubmitted.corrections == 1
    after = rows_of(clickhouse_client, database, target.signal_id)
    assert [(r["description"], r["text_erased"]) for r in after[:-1]] == [("", True)] * 5
    assert {k: after[-1][k] for k in ("version", "label_source", "description", "text_erased")} == {
        "version": 3,
        "label_source": "model",
        "description": v3.description,
        "text_erased": False,
    }
    assert after[-1]["revision"] > tombstone_revision
    # Replaying the withdrawal neither erases the new text nor takes the signal out again.
    withdraw(sink, [withdrawal_of(target, at)])
    assert rows_of(clickhouse_client, database, target.signal_id)[-1] == after[-1]

    prepare(clickhouse_client, oracle_db, DEFAULT)
    store(
        clickhouse_client,
        oracle_db,
        [v3 if s.signal_id == target.signal_id else s for s in signals],
    )
    live = published(clickhouse_client, database)
    refresh(clickhouse_client, database)
    assert live == published(clickhouse_client, oracle_db)
    assert published(clickhouse_client, database) == published(clickhouse_client, oracle_db)


def test_a_withdrawal_that_overtakes_its_signal_makes_the_signal_count_nowhere(
    clickhouse_client: Client, databases: tuple[str, str]
) -> None:
    database, oracle_db = databases
    signals = analytics_signals()
    early = [signals[0], signals[-1]]  # Amsterdam's first week, and a Groningen signal
    at = latest_submission(signals) + dt.timedelta(hours=1)
    prepare(clickhouse_client, database, EXACT)
    sink = TrendStore(clickhouse_client, database)
    withdraw(sink, [withdrawal_of(s, at) for s in early])
    arrived = store_through_the_plan(sink, signals)
    assert arrived.older_versions_ignored == 2
    assert {c.signal.signal_id for c in arrived.counted}.isdisjoint(s.signal_id for s in early)
    for signal in early:
        assert [
            (r["label_source"], r["description"])
            for r in rows_of(clickhouse_client, database, signal.signal_id)
        ] == [("withdrawn", "")]

    prepare(clickhouse_client, oracle_db, EXACT)
    store(clickhouse_client, oracle_db, signals[1:-1])
    live = published(clickhouse_client, database)
    refresh(clickhouse_client, database)
    assert live == published(clickhouse_client, oracle_db)
    assert published(clickhouse_client, database) == published(clickhouse_client, oracle_db)


def test_replaying_a_withdrawal_changes_nothing(
    clickhouse_client: Client, databases: tuple[str, str]
) -> None:
    database, _ = databases
    signals = analytics_signals()
    prepare(clickhouse_client, database, DEFAULT)
    sink = TrendStore(clickhouse_client, database)
    store_through_the_plan(sink, signals)
    at = latest_submission(signals) + dt.timedelta(days=1)
    items = [withdrawal_of(s, at) for s in signals[::7]]
    first = withdraw(sink, items)
    refresh(clickhouse_client, database)
    stored = everything(clickhouse_client, database)
    shown = published(clickhouse_client, database)

    again = withdraw(sink, items)
    assert [r.signal for r in again.writes] == [r.signal for r in first.writes]
    assert everything(clickhouse_client, database) == stored
    assert published(clickhouse_client, database) == shown
    refresh(clickhouse_client, database)
    assert published(clickhouse_client, database) == shown

"""The review backlog read from ClickHouse (real chDB): flagged signals stored within the
window, counted once however often they were written, and the age of the oldest; a reader
that keeps reading, and counts what fails without ever breaking /metrics."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY, CollectorRegistry

from tests.aggregator.processing.test_transform import classified
from tests.aggregator.storage.test_revisions import apply, decision
from tests.aggregator.test_metrics import registered_collector
from tests.e2e.conftest import wait_until
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_aggregator.metrics import ReviewBacklog
from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_aggregator.storage.review import (
    ReviewBacklogReader,
    read_review_backlog,
    read_review_quality,
)
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import ReviewerRole, ReviewOutcome, SignalClassified
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category, PiiKind
from waakhond_runtime.settings import ClickHouseSettings

ERRORS = "waakhond_aggregator_review_backlog_read_errors_total"
WINDOW_DAYS = 7


@pytest.fixture
def database(clickhouse_client: Client, chdb_path: Path) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    apply_migrations(clickhouse_client, name)
    yield name
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


def signal(*, needs_review: bool) -> SignalClassified:
    plain = classified([] if needs_review else [Category.POLICY_GAP])
    flagged = plain.classification.model_copy(update={"needs_review": needs_review})
    return plain.model_copy(update={"classification": flagged})


def store(
    client: Client, database: str, signals: list[SignalClassified], stored_at: dt.datetime
) -> None:
    """Rows as the aggregator writes them, with ``ingested_at`` set as if stored then."""
    reference = load_region_reference()
    client.insert(
        f"{database}.signals",
        [[*to_rows(s, reference).signal, stored_at] for s in signals],
        column_names=[*SIGNAL_COLUMNS, "ingested_at"],
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_flagged_signals_of_the_window_are_counted_once_with_the_oldest_age(
    clickhouse_client: Client, database: str
) -> None:
    recent = [signal(needs_review=True) for _ in range(3)]
    two_days_old = signal(needs_review=True)
    store(clickhouse_client, database, recent, now())
    store(clickhouse_client, database, recent[:2], now())  # replayed, not merged yet
    store(clickhouse_client, database, [two_days_old], now() - dt.timedelta(days=2))
    # Outside the window, and not flagged: neither counts.
    store(clickhouse_client, database, [signal(needs_review=True)], now() - dt.timedelta(days=8))
    store(clickhouse_client, database, [signal(needs_review=False) for _ in range(5)], now())

    backlog = read_review_backlog(clickhouse_client, database, WINDOW_DAYS)

    assert backlog.signals == 4
    two_days = dt.timedelta(days=2).total_seconds()
    assert two_days <= backlog.oldest_age_seconds < two_days + 60


def test_an_empty_backlog_is_zero_signals_of_age_zero(
    clickhouse_client: Client, database: str
) -> None:
    store(clickhouse_client, database, [signal(needs_review=False)], now())
    store(clickhouse_client, database, [signal(needs_review=True)], now() - dt.timedelta(days=30))
    assert read_review_backlog(clickhouse_client, database, WINDOW_DAYS) == ReviewBacklog(0, 0.0)


def test_the_window_follows_the_setting(clickhouse_client: Client, database: str) -> None:
    store(clickhouse_client, database, [signal(needs_review=True)], now() - dt.timedelta(days=8))
    assert read_review_backlog(clickhouse_client, database, 7).signals == 0
    assert read_review_backlog(clickhouse_client, database, 9).signals == 1


def samples(registry: CollectorRegistry) -> dict[str, float]:
    return {
        sample.name: sample.value
        for family in registry.collect()
        for sample in family.samples
        if sample.name.startswith("waakhond_aggregator_review_backlog")
    }


def test_the_reader_reads_at_start_and_again_on_its_timer(
    clickhouse_client: Client, database: str
) -> None:
    collector, registry = registered_collector()
    reader = ReviewBacklogReader(clickhouse_client, database, WINDOW_DAYS, 0.2, collector)
    started = time.time()
    reader.start()
    try:
        wait_until(lambda: samples(registry), 30, "first read")
        assert samples(registry)["waakhond_aggregator_review_backlog_signals"] == 0
        store(clickhouse_client, database, [signal(needs_review=True)], now())
        wait_until(
            lambda: samples(registry)["waakhond_aggregator_review_backlog_signals"] == 1,
            30,
            "the new flagged signal read",
        )
    finally:
        reader.stop()
    read = samples(registry)
    assert read["waakhond_aggregator_review_backlog_oldest_age_seconds"] < 60
    assert started <= read["waakhond_aggregator_review_backlog_read_timestamp_seconds"]


def test_failed_reads_are_counted_and_keep_the_last_value(
    clickhouse_client: Client, database: str
) -> None:
    collector, registry = registered_collector()
    collector.update(ReviewBacklog(signals=12, oldest_age_seconds=3600.0), read_at=1.0)
    errors_before = REGISTRY.get_sample_value(ERRORS) or 0.0
    clickhouse_client.command(f"DROP TABLE {database}.signals SYNC")
    reader = ReviewBacklogReader(clickhouse_client, database, WINDOW_DAYS, 0.1, collector)
    reader.start()
    try:
        wait_until(
            lambda: (REGISTRY.get_sample_value(ERRORS) or 0.0) >= errors_before + 2,
            30,
            "two failed reads counted",
        )
    finally:
        reader.stop()
    assert samples(registry) == {
        "waakhond_aggregator_review_backlog_signals": 12,
        "waakhond_aggregator_review_backlog_oldest_age_seconds": 3600.0,
        "waakhond_aggregator_review_backlog_read_timestamp_seconds": 1.0,
    }


def test_metrics_serve_the_backlog_and_still_answer_when_reading_it_fails(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    settings = AggregatorSettings(consume=False, review_backlog_refresh_seconds=0.1)
    app = create_app(settings, clickhouse_settings, client=clickhouse_client)
    database = clickhouse_settings.database
    store(clickhouse_client, database, [signal(needs_review=True) for _ in range(2)], now())
    started = time.time()
    try:
        with TestClient(app) as client:

            def read_since_start() -> bool:
                stamp = REGISTRY.get_sample_value(
                    "waakhond_aggregator_review_backlog_read_timestamp_seconds"
                )
                return stamp is not None and stamp >= started

            wait_until(read_since_start, 30, "the backlog read by the app")
            served = client.get("/metrics/")
            assert served.status_code == 200
            assert "\nwaakhond_aggregator_review_backlog_signals 2.0\n" in served.text

            errors_before = REGISTRY.get_sample_value(ERRORS) or 0.0
            clickhouse_client.command(f"DROP TABLE {database}.signals SYNC")
            wait_until(
                lambda: (REGISTRY.get_sample_value(ERRORS) or 0.0) > errors_before,
                30,
                "a failed read counted",
            )
            failing = client.get("/metrics/")
    finally:
        clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")
    assert failing.status_code == 200
    assert f"\n{ERRORS} " in failing.text
    assert "\nwaakhond_aggregator_review_backlog_signals 2.0\n" in failing.text


def test_a_signal_a_person_decided_on_leaves_the_backlog(
    clickhouse_client: Client, database: str
) -> None:
    flagged = [signal(needs_review=True) for _ in range(3)]
    store(clickhouse_client, database, flagged, now())
    apply(TrendStore(clickhouse_client, database), [decision(flagged[0], [Category.POLICY_GAP])])
    assert read_review_backlog(clickhouse_client, database, WINDOW_DAYS).signals == 2


def test_the_models_precision_and_recall_come_from_the_decisions_that_stand(
    clickhouse_client: Client, database: str
) -> None:
    """Four confident signals the model labelled policy_gap, reviewed: people keep it on
    three (one of them after a reviewer had removed it: the coordinator's decision stands)
    and add missed_rights to one. One flagged signal without labels gets no_suitable_care."""
    confident = [signal(needs_review=False) for _ in range(4)]
    unsure = signal(needs_review=True)
    store(clickhouse_client, database, [*confident, unsure], now())
    reviewer, coordinator = ReviewerRole.REVIEWER, ReviewerRole.COORDINATOR
    apply(
        TrendStore(clickhouse_client, database),
        [
            decision(confident[0], [Category.POLICY_GAP]),
            decision(confident[1], [Category.POLICY_GAP, Category.MISSED_RIGHTS]),
            decision(confident[2], [], reviewer, minutes=1),
            decision(confident[2], [Category.POLICY_GAP], coordinator),
            decision(confident[3], []),
            decision(unsure, [Category.NO_SUITABLE_CARE]),
        ],
    )
    quality = read_review_quality(clickhouse_client, database)
    by_scope = {(a.category, a.flagged): a for a in quality.agreement}
    policy_gap = by_scope[("policy_gap", False)]
    assert (policy_gap.true_positives, policy_gap.false_positives) == (3, 1)
    assert policy_gap.precision == 0.75
    assert policy_gap.recall == 1.0
    missed = by_scope[("missed_rights", False)]
    assert (missed.false_negatives, missed.recall, missed.precision) == (1, 0.0, None)
    care = by_scope[("no_suitable_care", True)]
    assert (care.true_positives, care.false_positives, care.false_negatives) == (0, 0, 1)
    assert (quality.double_reviewed, quality.reviewers_agreeing) == (0, 0)


def test_reviewers_agree_when_their_latest_labels_are_the_same(
    clickhouse_client: Client, database: str
) -> None:
    signals = [signal(needs_review=False) for _ in range(3)]
    store(clickhouse_client, database, signals, now())
    first, second = "rv-00000000000000a1", "rv-00000000000000b2"
    made = [
        # Agree at once.
        decision(signals[0], [Category.POLICY_GAP]),
        decision(signals[0], [Category.POLICY_GAP], minutes=1),
        # Disagree, until the first changes their mind to the second's labels.
        decision(signals[1], [Category.MISSED_RIGHTS]),
        decision(signals[1], [Category.NO_SUITABLE_CARE], minutes=1),
        decision(signals[1], [Category.NO_SUITABLE_CARE], minutes=2),
        # Disagree.
        decision(signals[2], [Category.MISSED_RIGHTS]),
        decision(signals[2], [], minutes=1),
    ]
    reviewers = [first, second, first, second, first, first, second]
    made = [d.model_copy(update={"reviewer": r}) for d, r in zip(made, reviewers, strict=True)]
    apply(TrendStore(clickhouse_client, database), made)
    quality = read_review_quality(clickhouse_client, database)
    assert (quality.double_reviewed, quality.reviewers_agreeing) == (3, 2)


def test_redaction_misses_are_counted_per_kind_of_detail(
    clickhouse_client: Client, database: str
) -> None:
    signals = [signal(needs_review=False) for _ in range(4)]
    store(clickhouse_client, database, signals, now())
    found = ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
    made = [
        decision(signals[0], [Category.POLICY_GAP]),
        decision(signals[1], [], outcome=found),
        decision(signals[2], [], outcome=found).model_copy(
            update={"identifying_kinds": [PiiKind.NAME, PiiKind.LICENCE_PLATE]}
        ),
        # Found again by a second reviewer: still one signal.
        decision(signals[2], [], minutes=1, outcome=found),
        decision(signals[3], [Category.MISSED_RIGHTS]),
    ]
    apply(TrendStore(clickhouse_client, database), made)
    quality = read_review_quality(clickhouse_client, database)
    assert (quality.reviewed_signals, quality.signals_with_misses) == (4, 2)
    assert quality.misses_by_kind == (("licence_plate", 1), ("name", 2))

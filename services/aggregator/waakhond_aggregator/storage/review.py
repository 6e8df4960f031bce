"""The review backlog and the review's figures, read from ClickHouse on a timer for the
aggregator's metrics (``metrics.ReviewBacklogCollector``, ``metrics.ReviewQualityCollector``).

The backlog is every flagged signal stored within a window of days that no person has
decided on yet (no reviewed revision, migration 0012); the age of its oldest is bounded by
that window. The quality figures compare the model's labels with the labels that stand.
"""

from __future__ import annotations

import logging
import time

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.metrics import (
    REVIEW_BACKLOG,
    REVIEW_BACKLOG_READ_ERRORS,
    REVIEW_QUALITY,
    ModelAgreement,
    ReviewBacklog,
    ReviewBacklogCollector,
    ReviewQuality,
    ReviewQualityCollector,
)
from waakhond_aggregator.periodic import Periodic
from waakhond_contract.vocabularies import Category

log = logging.getLogger(__name__)


def read_review_backlog(client: Client, database: str, days: int) -> ReviewBacklog:
    """Flagged signals stored in the last ``days`` days whose current row still has the
    model's labels (no person decided on it; a correction puts a signal back), and how long
    the oldest has waited, both by the database's clock (``ingested_at`` is the
    database's too).

    ``signals`` is ordered by ``signal_id``, so the window cannot use the key and the query
    reads the window's rows; replayed rows that no merge has collapsed yet count once.
    """
    signals, oldest_age_ms = client.query(
        "SELECT count() AS flagged, "
        "if(flagged = 0, 0, toUnixTimestamp64Milli(now64(3, 'UTC')) "
        "- toUnixTimestamp64Milli(min(waiting_since))) "
        "FROM ("
        "  SELECT signal_id, argMax(needs_review, revision) AS needs_review,"
        "    argMax(label_source, revision) AS label_source,"
        "    argMax(ingested_at, revision) AS waiting_since"
        f"  FROM {database}.signals"
        "  WHERE ingested_at >= now64(3, 'UTC') - toIntervalDay({days:UInt32})"
        "  GROUP BY signal_id"
        ") WHERE needs_review AND label_source = 'model'",
        parameters={"days": days},
    ).result_rows[0]
    return ReviewBacklog(signals=int(signals), oldest_age_seconds=max(0, oldest_age_ms) / 1000)


def read_review_quality(client: Client, database: str) -> ReviewQuality:
    """Per category and scope, the model's labels against those of the decision that stands
    (the highest reviewed revision of each signal); and reviewers' agreement, each reviewer's
    latest decision per signal."""
    categories = [str(category) for category in Category]
    agreement = client.query(
        "SELECT category, flagged, "
        "countIf(has(model, category) AND has(people, category)), "
        "countIf(has(model, category) AND NOT has(people, category)), "
        "countIf(NOT has(model, category) AND has(people, category)) "
        "FROM ("
        "  SELECT signal_id, argMax(model_categories, revision) AS model, "
        "    argMax(categories, revision) AS people, argMax(needs_review, revision) AS flagged"
        f"  FROM {database}.signals WHERE label_source = 'review' GROUP BY signal_id"
        ") ARRAY JOIN {categories:Array(String)} AS category "
        "GROUP BY category, flagged ORDER BY category, flagged",
        parameters={"categories": categories},
    ).result_rows
    double, agreeing = client.query(
        "SELECT count(), countIf(label_sets = 1) FROM ("
        "  SELECT signal_id, uniqExact(latest) AS label_sets, count() AS reviewers FROM ("
        "    SELECT signal_id, reviewer, argMax(labels, decided_at) AS latest"
        f"    FROM {database}.review_decisions FINAL WHERE role = 'reviewer'"
        "    GROUP BY signal_id, reviewer"
        "  ) GROUP BY signal_id"
        ") WHERE reviewers >= 2"
    ).result_rows[0]
    reviewed, with_misses = client.query(
        "SELECT uniqExact(signal_id), "
        "uniqExactIf(signal_id, outcome = 'contains_identifying_details') "
        f"FROM {database}.review_decisions FINAL"
    ).result_rows[0]
    by_kind = client.query(
        "SELECT kind, uniqExact(signal_id) "
        f"FROM {database}.review_decisions FINAL ARRAY JOIN identifying_kinds AS kind "
        "WHERE outcome = 'contains_identifying_details' GROUP BY kind ORDER BY kind"
    ).result_rows
    return ReviewQuality(
        agreement=tuple(
            ModelAgreement(str(row[0]), bool(row[1]), int(row[2]), int(row[3]), int(row[4]))
            for row in agreement
        ),
        double_reviewed=int(double),
        reviewers_agreeing=int(agreeing),
        reviewed_signals=int(reviewed),
        signals_with_misses=int(with_misses),
        misses_by_kind=tuple((str(kind), int(count)) for kind, count in by_kind),
    )


class ReviewBacklogReader(Periodic):
    """Reads the backlog at start and then every ``interval_seconds`` into ``collector``. A
    failed read is counted (``waakhond_aggregator_review_backlog_read_errors_total``) and
    logged; the gauges keep the last value read."""

    def __init__(
        self,
        client: Client,
        database: str,
        days: int,
        interval_seconds: float,
        collector: ReviewBacklogCollector = REVIEW_BACKLOG,
        quality: ReviewQualityCollector = REVIEW_QUALITY,
    ) -> None:
        def read() -> None:
            collector.update(read_review_backlog(client, database, days), time.time())
            quality.update(read_review_quality(client, database))

        super().__init__("review-backlog", read, interval_seconds, _read_failed, at_start=True)


def _read_failed(error: Exception) -> None:
    REVIEW_BACKLOG_READ_ERRORS.inc()
    log.warning("reading the review backlog failed (%r); its gauges keep the last value", error)

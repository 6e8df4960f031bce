"""The review backlog: stored signals the classifier flagged ``needs_review``, read from
ClickHouse on a timer for the aggregator's metrics (``metrics.ReviewBacklogCollector``).

Nothing records yet that a person has reviewed a signal, so the backlog is every flagged
signal stored within a window of days, and the age of its oldest is bounded by that window.
"""

from __future__ import annotations

import logging
import time

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.metrics import (
    REVIEW_BACKLOG,
    REVIEW_BACKLOG_READ_ERRORS,
    ReviewBacklog,
    ReviewBacklogCollector,
)
from waakhond_aggregator.periodic import Periodic

log = logging.getLogger(__name__)


def read_review_backlog(client: Client, database: str, days: int) -> ReviewBacklog:
    """Flagged signals stored in the last ``days`` days and the age of the oldest, both by
    the database's clock (``ingested_at`` is the database's too).

    ``signals`` is ordered by ``signal_id``, so the window cannot use the key and the query
    reads ``needs_review`` of every row; ClickHouse filters on it first (PREWHERE), and only
    flagged rows are counted. Replayed rows that no merge has collapsed yet are counted once.
    """
    signals, oldest_age_ms = client.query(
        "SELECT uniqExact(signal_id) AS flagged, "
        "if(flagged = 0, 0, toUnixTimestamp64Milli(now64(3, 'UTC')) "
        "- toUnixTimestamp64Milli(min(ingested_at))) "
        f"FROM {database}.signals "
        "WHERE needs_review AND ingested_at >= now64(3, 'UTC') - toIntervalDay({days:UInt32})",
        parameters={"days": days},
    ).result_rows[0]
    return ReviewBacklog(signals=int(signals), oldest_age_seconds=max(0, oldest_age_ms) / 1000)


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
    ) -> None:
        def read() -> None:
            collector.update(read_review_backlog(client, database, days), time.time())

        super().__init__("review-backlog", read, interval_seconds, _read_failed, at_start=True)


def _read_failed(error: Exception) -> None:
    REVIEW_BACKLOG_READ_ERRORS.inc()
    log.warning("reading the review backlog failed (%r); its gauges keep the last value", error)

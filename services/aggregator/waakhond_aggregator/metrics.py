"""The aggregator's Prometheus metrics, served on ``/metrics`` of the trends API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from waakhond_contract.messages import DeadLetterReason

SIGNALS_STORED = Counter("waakhond_aggregator_signals_stored_total", "Signal rows inserted.")
DEAD_LETTERED = Counter(
    "waakhond_aggregator_dead_lettered_total", "Messages dead-lettered, by reason.", ["reason"]
)
# Every reason exported as 0 from the start: a labelled series that first appears at 1 is
# invisible to increase() and rate(), so the alert on dead letters would miss the first one
# of each reason after every restart.
for _reason in DeadLetterReason:
    DEAD_LETTERED.labels(_reason.value)
RECLASSIFICATIONS_IGNORED = Counter(
    "waakhond_aggregator_reclassifications_ignored_total",
    "Signals seen again with other labels; the first classification stands.",
)
BATCH_SIZE = Histogram(
    "waakhond_aggregator_batch_size",
    "Messages per flushed batch.",
    buckets=(1, 10, 100, 500, 1000, 2500, 5000, 10000),
)
OPEN_BATCH = Gauge(
    "waakhond_aggregator_open_batch_messages", "Messages read but not yet stored and committed."
)
INSERT_SECONDS = Histogram("waakhond_aggregator_insert_seconds", "ClickHouse insert latency.")
# 1.5 and 3 s: the latency target is 2 s at p95, and percentiles are read inside buckets.
PROCESSING_LAG = Histogram(
    "waakhond_aggregator_processing_lag_seconds",
    "From submission at intake to being stored in ClickHouse.",
    buckets=(0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 300),
)
# The aggregator's own part of it: which side of the classified topic a delay is on.
STORE_LAG = Histogram(
    "waakhond_aggregator_store_lag_seconds",
    "From classification to being stored in ClickHouse.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 300),
)
RETRYING_SECONDS = Gauge(
    "waakhond_aggregator_retrying_seconds",
    "How long the consumer has been retrying a step that depends on ClickHouse or Kafka; 0 "
    "when it is not. Above the stuck limit, readiness fails.",
)
ROWS_REFUSED = Counter(
    "waakhond_aggregator_rows_refused_total",
    "Rows ClickHouse or its client refused for their values; each was dead-lettered.",
)


@dataclass(frozen=True, slots=True)
class ReviewBacklog:
    """Signals flagged ``needs_review`` stored within the backlog window, and how long the
    oldest of them has been stored (0 when there is none)."""

    signals: int
    oldest_age_seconds: float


class ReviewBacklogCollector(Collector):
    """Serves the review backlog as last read from ClickHouse (``storage/review.py`` reads it
    on a timer). A scrape never queries ClickHouse: a slow or failing database must not make
    ``/metrics`` slow or fail, which would read as the aggregator being down. Until the first
    read succeeds the gauges have no sample, so "not known" is not mistaken for 0."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._backlog: ReviewBacklog | None = None
        self._read_at = 0.0

    def update(self, backlog: ReviewBacklog, read_at: float) -> None:
        with self._lock:
            self._backlog = backlog
            self._read_at = read_at

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return self._families(None, 0.0)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            backlog, read_at = self._backlog, self._read_at
        return self._families(backlog, read_at)

    @staticmethod
    def _families(backlog: ReviewBacklog | None, read_at: float) -> Iterator[GaugeMetricFamily]:
        signals = GaugeMetricFamily(
            "waakhond_aggregator_review_backlog_signals",
            "Stored signals flagged needs_review within the last "
            "WAAKHOND_AGGREGATOR_REVIEW_BACKLOG_DAYS days, as last read from ClickHouse.",
        )
        oldest = GaugeMetricFamily(
            "waakhond_aggregator_review_backlog_oldest_age_seconds",
            "How long the oldest of those signals had been stored when last read; 0 when "
            "there is none.",
        )
        read = GaugeMetricFamily(
            "waakhond_aggregator_review_backlog_read_timestamp_seconds",
            "When the review backlog was last read successfully (Unix time).",
        )
        if backlog is not None:
            signals.add_metric([], backlog.signals)
            oldest.add_metric([], backlog.oldest_age_seconds)
            read.add_metric([], read_at)
        yield from (signals, oldest, read)


REVIEW_BACKLOG = ReviewBacklogCollector()
REGISTRY.register(REVIEW_BACKLOG)
REVIEW_BACKLOG_READ_ERRORS = Counter(
    "waakhond_aggregator_review_backlog_read_errors_total",
    "Failed reads of the review backlog; the gauges keep the last value read.",
)

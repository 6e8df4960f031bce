"""The aggregator's Prometheus metrics, served on ``/metrics`` of the trends API."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SIGNALS_STORED = Counter("waakhond_aggregator_signals_stored_total", "Signal rows inserted.")
DEAD_LETTERED = Counter(
    "waakhond_aggregator_dead_lettered_total", "Messages dead-lettered, by reason.", ["reason"]
)
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

"""The classifier's Prometheus metrics, served on ``/metrics`` of its web port."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CLASSIFIED = Counter(
    "waakhond_classifier_signals_classified_total", "Signals classified, by label.", ["label"]
)
REVIEW = Counter("waakhond_classifier_needs_review_total", "Signals sent to review.")
DEAD_LETTERED = Counter(
    "waakhond_classifier_dead_lettered_total", "Messages dead-lettered by the classifier."
)
BATCH_SIZE = Histogram(
    "waakhond_classifier_batch_size",
    "Messages per batch.",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2000),
)
DELIVERY_REFUSED = Counter(
    "waakhond_classifier_delivery_refused_total",
    "Records the broker refused for themselves: classified records (their source was "
    "dead-lettered instead) and dead letters (dropped).",
    ["record"],
)
# Both exported as 0 from the start: a labelled series that first appears at 1 is invisible
# to increase(), and a dropped dead letter must never go unnoticed by the alert on it.
for _record in ("classified", "dead_letter"):
    DELIVERY_REFUSED.labels(_record)
RETRYING_SECONDS = Gauge(
    "waakhond_classifier_retrying_seconds",
    "How long delivery to Kafka has been failing; 0 when it is not. Above the stuck limit, "
    "readiness fails.",
)

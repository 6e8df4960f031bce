"""The classifier's Prometheus metrics, served on ``/metrics`` of its web port."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

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

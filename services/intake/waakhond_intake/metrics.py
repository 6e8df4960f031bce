"""Prometheus metrics of intake."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SIGNALS_RECEIVED = Counter(
    "waakhond_intake_signals_received_total", "Signals received.", ["endpoint"]
)
SIGNALS_ACCEPTED = Counter(
    "waakhond_intake_signals_accepted_total", "Signals acknowledged by Kafka and answered 202."
)
SIGNALS_REJECTED = Counter(
    "waakhond_intake_signals_rejected_total", "Signals refused, by reason.", ["reason"]
)
PUBLISH_SECONDS = Histogram(
    "waakhond_intake_publish_seconds", "Time from send to the broker's acknowledgement."
)
REDACTIONS = Counter(
    "waakhond_intake_redactions_total", "Identifying details replaced, by kind.", ["kind"]
)

"""The aggregator's metrics as Prometheus sees them before anything happened: every
dead-letter reason at 0, and the review backlog without a sample until it was read."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

from waakhond_aggregator.metrics import (
    DEAD_LETTERED,
    REVIEW_BACKLOG,
    ReviewBacklog,
    ReviewBacklogCollector,
)
from waakhond_contract.messages import DeadLetterReason

BACKLOG_FAMILIES = [
    "waakhond_aggregator_review_backlog_signals",
    "waakhond_aggregator_review_backlog_oldest_age_seconds",
    "waakhond_aggregator_review_backlog_read_timestamp_seconds",
]


def test_every_dead_letter_reason_is_exported_from_the_start() -> None:
    # The alert takes increase() of each series; one that first appears at 1 shows none.
    (family,) = DEAD_LETTERED.collect()
    exported = {s.labels["reason"] for s in family.samples if s.name.endswith("_total")}
    assert exported == {reason.value for reason in DeadLetterReason}


def registered_collector() -> tuple[ReviewBacklogCollector, CollectorRegistry]:
    """A backlog collector of its own, on a registry of its own."""
    collector = ReviewBacklogCollector()
    registry = CollectorRegistry()
    registry.register(collector)
    return collector, registry


def test_the_backlog_has_no_sample_until_it_was_read() -> None:
    collector, registry = registered_collector()
    assert [f.name for f in collector.describe()] == BACKLOG_FAMILIES
    text = generate_latest(registry).decode()
    assert all(f"# TYPE {name} gauge" in text for name in BACKLOG_FAMILIES)
    assert [f.samples for f in registry.collect()] == [[], [], []]

    collector.update(ReviewBacklog(signals=7, oldest_age_seconds=86400.5), read_at=1700000000.0)
    assert {s.name: s.value for f in registry.collect() for s in f.samples} == {
        "waakhond_aggregator_review_backlog_signals": 7,
        "waakhond_aggregator_review_backlog_oldest_age_seconds": 86400.5,
        "waakhond_aggregator_review_backlog_read_timestamp_seconds": 1700000000.0,
    }


def test_the_service_serves_the_backlog_on_its_registry() -> None:
    assert isinstance(REVIEW_BACKLOG, ReviewBacklogCollector)
    text = generate_latest(REGISTRY).decode()
    assert all(f"# TYPE {name} gauge" in text for name in BACKLOG_FAMILIES)

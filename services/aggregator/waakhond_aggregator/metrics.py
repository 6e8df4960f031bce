"""The aggregator's Prometheus metrics, served on ``/metrics`` of the trends API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from waakhond_contract.messages import DeadLetterReason, ReviewerRole, ReviewOutcome

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
RESUBMISSIONS = Counter(
    "waakhond_aggregator_resubmissions_total",
    "Signals submitted again under the same client_ref: corrected (a new version replaces "
    "the old one in every count), unchanged (a retry; nothing changes) or older (a replay of "
    "a version already replaced; nothing changes).",
    ["result"],
)
DECISIONS_CONSUMED = Counter(
    "waakhond_aggregator_review_decisions_consumed_total",
    "People's decisions consumed: applied (their labels now count), or superseded (a "
    "coordinator's or a later decision stands).",
    ["result"],
)
# Exported as 0 from the start: the dashboard's rate() cannot see a series that first
# appears at 1.
for _result in ("corrected", "unchanged", "older"):
    RESUBMISSIONS.labels(_result)
for _result in ("applied", "superseded"):
    DECISIONS_CONSUMED.labels(_result)
TEXTS_ERASED = Counter(
    "waakhond_aggregator_texts_erased_total",
    "Signal texts erased because a reviewer found identifying details in them.",
)
WITHDRAWALS_APPLIED = Counter(
    "waakhond_aggregator_withdrawals_applied_total",
    "Withdrawals applied: the signal left every count and its text was erased.",
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


@dataclass(frozen=True, slots=True)
class ModelAgreement:
    """How the model's labels of one category compare with people's, over reviewed signals
    that were flagged (``flagged``) or confident (not flagged, reviewed as a sample): true
    positives, false positives (the model said it, people did not), false negatives."""

    category: str
    flagged: bool
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float | None:
        said = self.true_positives + self.false_positives
        return self.true_positives / said if said else None

    @property
    def recall(self) -> float | None:
        meant = self.true_positives + self.false_negatives
        return self.true_positives / meant if meant else None


@dataclass(frozen=True, slots=True)
class ReviewQuality:
    """The live estimate of the classifier's quality, and how far reviewers agree: of the
    signals two or more reviewers decided on, the share where their latest labels agree."""

    agreement: tuple[ModelAgreement, ...]
    double_reviewed: int
    reviewers_agreeing: int
    # Redaction misses: reviewed signals, and of those the ones a person found identifying
    # details in, per kind of detail (a text can hold several kinds).
    reviewed_signals: int = 0
    signals_with_misses: int = 0
    misses_by_kind: tuple[tuple[str, int], ...] = ()


class ReviewQualityCollector(Collector):
    """Serves ``ReviewQuality`` as last read from ClickHouse, like ``ReviewBacklogCollector``:
    a scrape never queries the database, and nothing is served before the first read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._quality: ReviewQuality | None = None

    def update(self, quality: ReviewQuality) -> None:
        with self._lock:
            self._quality = quality

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return self._families(None)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            quality = self._quality
        return self._families(quality)

    @staticmethod
    def _families(quality: ReviewQuality | None) -> Iterator[GaugeMetricFamily]:
        labels = ["category", "scope"]
        precision = GaugeMetricFamily(
            "waakhond_aggregator_model_precision",
            "Of the reviewed signals the model gave this category, the share people kept it "
            "on (scope flagged: sent to review; confident: the random sample).",
            labels=labels,
        )
        recall = GaugeMetricFamily(
            "waakhond_aggregator_model_recall",
            "Of the reviewed signals people gave this category, the share the model had "
            "given it too.",
            labels=labels,
        )
        outcomes = GaugeMetricFamily(
            "waakhond_aggregator_model_review_outcomes",
            "Reviewed signals per category and scope by how the model's label compares with "
            "people's: true_positive, false_positive, false_negative.",
            labels=[*labels, "outcome"],
        )
        double = GaugeMetricFamily(
            "waakhond_aggregator_review_double_reviewed_signals",
            "Signals that two or more reviewers decided on.",
        )
        agreeing = GaugeMetricFamily(
            "waakhond_aggregator_review_reviewers_agreeing_signals",
            "Of those, the signals whose reviewers' latest labels are the same.",
        )
        reviewed = GaugeMetricFamily(
            "waakhond_aggregator_review_reviewed_signals",
            "Signals a person decided on.",
        )
        with_misses = GaugeMetricFamily(
            "waakhond_aggregator_redaction_missed_signals",
            "Reviewed signals in which a person found identifying details that redaction "
            "missed (the live miss rate is this over the reviewed signals).",
        )
        by_kind = GaugeMetricFamily(
            "waakhond_aggregator_redaction_misses",
            "Reviewed signals with identifying details of this kind left in the text.",
            labels=["kind"],
        )
        if quality is not None:
            reviewed.add_metric([], quality.reviewed_signals)
            with_misses.add_metric([], quality.signals_with_misses)
            for kind, count in quality.misses_by_kind:
                by_kind.add_metric([kind], count)
            for row in quality.agreement:
                scope = [row.category, "flagged" if row.flagged else "confident"]
                if row.precision is not None:
                    precision.add_metric(scope, row.precision)
                if row.recall is not None:
                    recall.add_metric(scope, row.recall)
                outcomes.add_metric([*scope, "true_positive"], row.true_positives)
                outcomes.add_metric([*scope, "false_positive"], row.false_positives)
                outcomes.add_metric([*scope, "false_negative"], row.false_negatives)
            double.add_metric([], quality.double_reviewed)
            agreeing.add_metric([], quality.reviewers_agreeing)
        yield from (precision, recall, outcomes, double, agreeing, reviewed, with_misses, by_kind)


REVIEW_BACKLOG = ReviewBacklogCollector()
REGISTRY.register(REVIEW_BACKLOG)
REVIEW_QUALITY = ReviewQualityCollector()
REGISTRY.register(REVIEW_QUALITY)
REVIEW_BACKLOG_READ_ERRORS = Counter(
    "waakhond_aggregator_review_backlog_read_errors_total",
    "Failed reads of the review backlog; the gauges keep the last value read.",
)
REVIEW_DECISIONS = Counter(
    "waakhond_aggregator_review_decisions_total",
    "Decisions published from the review page, by the reviewer's role and the outcome.",
    ["role", "outcome"],
)
# Every pair exported as 0 from the start, as for dead letters: increase() cannot see a
# series that first appears at 1.
for _role in ReviewerRole:
    for _outcome in ReviewOutcome:
        REVIEW_DECISIONS.labels(_role.value, _outcome.value)
REVIEW_SIGN_INS_REFUSED = Counter(
    "waakhond_aggregator_review_sign_ins_refused_total",
    "Sign-ins on the review page refused: wrong password or unknown account (failed), or too "
    "many failures (rate_limited).",
    ["reason"],
)
for _reason_text in ("failed", "rate_limited"):
    REVIEW_SIGN_INS_REFUSED.labels(_reason_text)

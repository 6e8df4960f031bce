"""Multi-label metrics for a classifier on a labelled split.

Everything is computed from ``classify_batch`` output, so the rule baseline
and the trained model are measured by exactly the same code. A signal that
goes to review counts with the labels it was given (usually none): review is
reported as its own share, not hidden in the scores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput, SignalClassifier
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import CATEGORY_ORDER, CorpusRecord

BATCH_SIZE = 512
# Review budgets the trade-off curve is reported at (share of signals reviewed).
TRADEOFF_SHARES = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30)
RELIABILITY_BINS = 10


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """Scores in [low, high): how many, their mean, and how often the category was true."""

    low: float
    high: float
    count: int
    mean_score: float
    observed: float


@dataclass(frozen=True, slots=True)
class TradeoffPoint:
    """Review the ``reviewed`` least confident signals: which share of the wrong ones is caught."""

    share_reviewed: float
    caught: float


@dataclass(frozen=True, slots=True)
class CategoryMetrics:
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    # Mean squared error of the score against the 0/1 truth: calibration quality.
    brier: float


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    name: str
    model_version: str
    n_signals: int
    per_category: dict[Category, CategoryMetrics]
    macro_f1: float
    micro_f1: float
    exact_match: float
    review_share: float
    # (true category or "-", wrongly predicted category or "-") -> count.
    confusions: dict[tuple[str, str], int]
    # Signals whose label set is not exactly right, and the share of them flagged needs_review.
    wrong: int = 0
    wrong_caught_by_review: float = 0.0
    # Expected calibration error over every (signal, category) score; None when the
    # scores are not probabilities.
    ece: float | None = None
    reliability: tuple[ReliabilityBin, ...] = ()
    tradeoff: tuple[TradeoffPoint, ...] = field(default_factory=tuple)


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def classify_records(
    classifier: SignalClassifier, records: Sequence[CorpusRecord]
) -> list[ClassifierOutput]:
    outputs: list[ClassifierOutput] = []
    for start in range(0, len(records), BATCH_SIZE):
        batch = records[start : start + BATCH_SIZE]
        outputs.extend(classifier.classify_batch([ClassifierInput(text=r.text) for r in batch]))
    return outputs


def score_outputs(
    name: str,
    model_version: str,
    records: Sequence[CorpusRecord],
    outputs: Sequence[ClassifierOutput],
) -> EvaluationReport:
    per_category: dict[Category, CategoryMetrics] = {}
    total_tp = total_fp = total_fn = 0
    for category in CATEGORY_ORDER:
        tp = fp = fn = 0
        squared = 0.0
        for record, output in zip(records, outputs, strict=True):
            is_true = category in record.labels
            is_predicted = category in output.labels
            tp += int(is_true and is_predicted)
            fp += int(is_predicted and not is_true)
            fn += int(is_true and not is_predicted)
            squared += (output.scores.get(category, 0.0) - float(is_true)) ** 2
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per_category[category] = CategoryMetrics(
            precision=precision,
            recall=recall,
            f1=_f1(precision, recall),
            support=tp + fn,
            predicted=tp + fp,
            brier=squared / len(records) if records else 0.0,
        )
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
    micro_precision = total_tp / (total_tp + total_fp) if total_tp + total_fp else 0.0
    micro_recall = total_tp / (total_tp + total_fn) if total_tp + total_fn else 0.0
    confusions: Counter[tuple[str, str]] = Counter()
    for record, output in zip(records, outputs, strict=True):
        truth = {c.value for c in record.labels}
        predicted = {c.value for c in output.labels}
        # A wrongly given category is charged to each true category it did not
        # find ("-" when it was simply extra); an empty prediction to each true one.
        for extra in sorted(predicted - truth):
            for source in sorted(truth - predicted) or ["-"]:
                confusions[(source, extra)] += 1
        if not predicted:
            for missed in sorted(truth):
                confusions[(missed, "-")] += 1
    n = len(records)
    wrong = [set(r.labels) != set(o.labels) for r, o in zip(records, outputs, strict=True)]
    caught = sum(w and o.needs_review for w, o in zip(wrong, outputs, strict=True))
    return EvaluationReport(
        name=name,
        model_version=model_version,
        n_signals=n,
        per_category=per_category,
        macro_f1=sum(m.f1 for m in per_category.values()) / len(per_category),
        micro_f1=_f1(micro_precision, micro_recall),
        exact_match=(
            sum(set(r.labels) == set(o.labels) for r, o in zip(records, outputs, strict=True)) / n
            if n
            else 0.0
        ),
        review_share=sum(o.needs_review for o in outputs) / n if n else 0.0,
        confusions=dict(confusions),
        wrong=sum(wrong),
        wrong_caught_by_review=caught / sum(wrong) if any(wrong) else 1.0,
    )


def reliability_bins(
    scores: Sequence[float], truth: Sequence[bool], bins: int = RELIABILITY_BINS
) -> tuple[ReliabilityBin, ...]:
    values = np.asarray(scores, dtype=float)
    hits = np.asarray(truth, dtype=float)
    index = np.minimum((values * bins).astype(int), bins - 1)
    result = []
    for b in range(bins):
        inside = index == b
        count = int(inside.sum())
        result.append(
            ReliabilityBin(
                low=b / bins,
                high=(b + 1) / bins,
                count=count,
                mean_score=float(values[inside].mean()) if count else 0.0,
                observed=float(hits[inside].mean()) if count else 0.0,
            )
        )
    return tuple(result)


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float:
    """Mean gap between score and observed frequency, weighted by the bins' counts."""
    total = sum(b.count for b in bins)
    if not total:
        return 0.0
    return sum(b.count * abs(b.mean_score - b.observed) for b in bins) / total


def output_confidence(output: ClassifierOutput) -> float:
    """The classifier's own label-set confidence, or one computed from its scores."""
    if output.confidence is not None:
        return output.confidence
    confidence = 1.0
    for category, score in output.scores.items():
        p = min(max(score, 0.0), 1.0)
        confidence *= p if category in output.labels else 1.0 - p
    return confidence


def review_tradeoff(
    records: Sequence[CorpusRecord],
    outputs: Sequence[ClassifierOutput],
    shares: Sequence[float] = TRADEOFF_SHARES,
) -> tuple[TradeoffPoint, ...]:
    """Share of wrong label sets caught when the least confident ``share`` is reviewed."""
    wrong = [set(r.labels) != set(o.labels) for r, o in zip(records, outputs, strict=True)]
    if not any(wrong):
        return tuple(TradeoffPoint(share, 1.0) for share in shares)
    # Stable order: ties broken by position, so the curve is reproducible.
    order = sorted(range(len(outputs)), key=lambda i: (output_confidence(outputs[i]), i))
    points = []
    for share in shares:
        reviewed = order[: round(share * len(outputs))]
        points.append(TradeoffPoint(share, sum(wrong[i] for i in reviewed) / sum(wrong)))
    return tuple(points)


def with_calibration(
    report: EvaluationReport,
    records: Sequence[CorpusRecord],
    outputs: Sequence[ClassifierOutput],
) -> EvaluationReport:
    """The report plus reliability, ECE and the review trade-off (for probability scores)."""
    scores = [o.scores.get(c, 0.0) for o in outputs for c in CATEGORY_ORDER]
    truth = [c in r.labels for r in records for c in CATEGORY_ORDER]
    bins = reliability_bins(scores, truth)
    return replace(
        report,
        ece=expected_calibration_error(bins),
        reliability=bins,
        tradeoff=review_tradeoff(records, outputs),
    )


def evaluate(
    classifier: SignalClassifier,
    records: Sequence[CorpusRecord],
    name: str,
    probabilities: bool = True,
) -> EvaluationReport:
    """Metrics of ``classifier`` on ``records``; calibration too if its scores are probabilities."""
    outputs = classify_records(classifier, records)
    report = score_outputs(name, classifier.version, records, outputs)
    return with_calibration(report, records, outputs) if probabilities else report


def format_report(report: EvaluationReport, top_confusions: int = 6) -> str:
    lines = [
        f"{report.name}  (model {report.model_version}, {report.n_signals} signals)",
        f"  {'category':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8} "
        f"{'predicted':>9} {'brier':>6}",
    ]
    for category, m in report.per_category.items():
        lines.append(
            f"  {category.value:<20} {m.precision:>9.3f} {m.recall:>7.3f} {m.f1:>6.3f} "
            f"{m.support:>8d} {m.predicted:>9d} {m.brier:>6.3f}"
        )
    lines.append(
        f"  macro-F1 {report.macro_f1:.3f}   micro-F1 {report.micro_f1:.3f}   "
        f"exact match {report.exact_match:.3f}   sent to review {report.review_share:.1%}"
    )
    lines.append(
        f"  review: {report.review_share:.1%} of signals flagged needs_review, catching "
        f"{report.wrong_caught_by_review:.1%} of the {report.wrong} signals not exactly right"
    )
    if report.ece is not None:
        lines.append(
            f"  calibration: ECE {report.ece:.3f} over {report.n_signals * len(CATEGORY_ORDER)} "
            f"scores ({len(report.reliability)} bins; bin: mean score -> observed, count): "
            + ", ".join(
                f"{b.mean_score:.2f}->{b.observed:.2f} ({b.count})"
                for b in report.reliability
                if b.count
            )
        )
    if report.tradeoff:
        lines.append(
            "  review trade-off (least confident share reviewed -> wrong ones caught): "
            + ", ".join(f"{p.share_reviewed:.0%} -> {p.caught:.0%}" for p in report.tradeoff)
        )
    ranked = sorted(report.confusions.items(), key=lambda item: (-item[1], item[0]))
    if ranked[:top_confusions]:
        described = ", ".join(
            f"{true} -> {wrong}: {count}" for (true, wrong), count in ranked[:top_confusions]
        )
        lines.append(f"  most frequent confusions (true -> wrongly given, '-' = none): {described}")
    return "\n".join(lines)

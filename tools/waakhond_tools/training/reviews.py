"""Retraining on reviewed signals: ``waakhond train --with-reviews FILE``.

Reviewed signals are people's decisions on real text, so they are the most
valuable training material there is, and the most dangerous: a batch of
careless decisions can make the model worse. Hence:

1. the reviews are split by time: the oldest part is added to the hand-written
   training material (it joins the dev split's folds, so it also shapes the
   calibration, thresholds and review cut-off); the newest slice is held out;
2. a candidate model is trained on the corpus plus the older reviews;
3. it is promoted only if its macro-F1 does not drop, against the current
   model, on the frozen held-out split nor on the held-out reviews.

``simulate_review_loop`` measures this loop on generated signals whose labels
are known: simulated reviewers give the true labels for 200, 500 and 1,000
signals, and each step is retrained and compared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from waakhond_classifier.model.artefact import LinearArtefact
from waakhond_classifier.model.base import SignalClassifier
from waakhond_classifier.model.linear import LinearSignalClassifier
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import (
    CorpusRecord,
    Source,
    Split,
    default_corpus_dir,
    load_split,
    ordered_labels,
)
from waakhond_tools.training.corpus_generator import GeneratorConfig, generate
from waakhond_tools.training.evaluation import evaluate
from waakhond_tools.training.training import TrainingConfig, TrainingResult, train

# Share of the reviews, the newest, held out to judge a candidate model.
HELD_OUT_SHARE = 0.2
# Reviews needed before a time split means anything.
MIN_REVIEWS = 10


class ReviewFileError(ValueError):
    """A reviews file that does not follow the format; the message names the line."""


@dataclass(frozen=True, slots=True)
class ReviewedSignal:
    signal_id: str
    description: str
    labels: tuple[Category, ...]
    decided_at: dt.datetime

    def as_record(self) -> CorpusRecord:
        return CorpusRecord(
            id=f"review-{self.signal_id}",
            text=self.description,
            labels=self.labels,
            source=Source.HANDWRITTEN,
        )


def _parse_review(raw: object, where: str) -> ReviewedSignal:
    if not isinstance(raw, dict):
        raise ReviewFileError(f"{where}: a review must be a JSON object")
    missing = [k for k in ("signal_id", "description", "labels", "decided_at") if k not in raw]
    if missing:
        raise ReviewFileError(f"{where}: missing field(s) {', '.join(missing)}")
    signal_id, description, labels = raw["signal_id"], raw["description"], raw["labels"]
    if not isinstance(signal_id, str) or not signal_id:
        raise ReviewFileError(f"{where}: signal_id must be a non-empty string")
    if not isinstance(description, str) or not description.strip():
        raise ReviewFileError(f"{where}: description must be a non-empty string")
    if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
        raise ReviewFileError(f"{where}: labels must be a list of category keys")
    try:
        categories = ordered_labels(Category(v) for v in labels)
    except ValueError:
        known = ", ".join(c.value for c in Category)
        raise ReviewFileError(f"{where}: unknown category in labels (known: {known})") from None
    try:
        decided_at = dt.datetime.fromisoformat(str(raw["decided_at"]))
    except ValueError:
        raise ReviewFileError(f"{where}: decided_at must be an ISO 8601 date-time") from None
    if decided_at.tzinfo is None:
        raise ReviewFileError(f"{where}: decided_at needs a time zone (e.g. 'Z' or '+01:00')")
    return ReviewedSignal(signal_id, description, categories, decided_at)


def read_reviews(path: Path) -> list[ReviewedSignal]:
    """Reviewed signals from JSON Lines; the latest decision per signal counts."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ReviewFileError(f"{path}: cannot read the file ({error})") from None
    latest: dict[str, ReviewedSignal] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise ReviewFileError(f"{where}: invalid JSON ({error.msg})") from None
        review = _parse_review(raw, where)
        known = latest.get(review.signal_id)
        if known is None or review.decided_at >= known.decided_at:
            latest[review.signal_id] = review
    return sorted(latest.values(), key=lambda r: (r.decided_at, r.signal_id))


def split_by_time(
    reviews: Sequence[ReviewedSignal], held_out_share: float = HELD_OUT_SHARE
) -> tuple[list[ReviewedSignal], list[ReviewedSignal]]:
    """(older for training, newest slice held out), by ``decided_at``."""
    if len(reviews) < MIN_REVIEWS:
        raise ReviewFileError(
            f"{len(reviews)} reviewed signals; at least {MIN_REVIEWS} are needed to hold "
            "out the newest ones"
        )
    ordered = sorted(reviews, key=lambda r: (r.decided_at, r.signal_id))
    held = max(1, round(held_out_share * len(ordered)))
    return ordered[:-held], ordered[-held:]


def reviews_digest(reviews: Sequence[ReviewedSignal]) -> str:
    digest = hashlib.sha256()
    for review in reviews:
        digest.update(review.as_record().to_json().encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Comparison:
    """Macro-F1 of the current and the candidate model on one evaluation set."""

    name: str
    current: float
    candidate: float

    @property
    def dropped(self) -> bool:
        return self.candidate < self.current


@dataclass(frozen=True, slots=True)
class ReviewRetraining:
    candidate: TrainingResult
    trained_on: int
    held_out: int
    comparisons: tuple[Comparison, ...]

    @property
    def promote(self) -> bool:
        return not any(c.dropped for c in self.comparisons)


def retrain_with_reviews(
    reviews: Sequence[ReviewedSignal],
    current: SignalClassifier,
    corpus_dir: Path | None = None,
    config: TrainingConfig | None = None,
) -> ReviewRetraining:
    """Train a candidate on the corpus plus the older reviews and compare it with ``current``."""
    corpus_dir = corpus_dir or default_corpus_dir()
    older, newest = split_by_time(reviews)
    result = train(
        corpus_dir, config, extra=[r.as_record() for r in older], extra_digest=reviews_digest(older)
    )
    candidate = LinearSignalClassifier(result.artefact)
    sets = {
        "held-out split (test)": load_split(Split.TEST, corpus_dir),
        "held-out reviews (newest)": [r.as_record() for r in newest],
    }
    comparisons = tuple(
        Comparison(
            name,
            evaluate(current, records, name, False).macro_f1,
            evaluate(candidate, records, name, False).macro_f1,
        )
        for name, records in sets.items()
    )
    return ReviewRetraining(result, len(older), len(newest), comparisons)


# --- the loop, simulated -----------------------------------------------------

SIMULATION_STEPS = (200, 500, 1000)
# Not the training split's seed: the simulated stream is other signals.
SIMULATION_SEED = 19_2026


@dataclass(frozen=True, slots=True)
class LoopStep:
    reviewed: int
    before: dict[str, float]
    after: dict[str, float]
    promoted: bool


def simulated_reviews(count: int, seed: int = SIMULATION_SEED) -> list[ReviewedSignal]:
    """Generated signals with their known labels, as if reviewers had decided them in order."""
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    records = generate(replace(GeneratorConfig(), seed=seed, size=count))
    return [
        ReviewedSignal(
            signal_id=f"sim-{index:05d}",
            description=record.text,
            labels=record.labels,
            decided_at=start + dt.timedelta(hours=index),
        )
        for index, record in enumerate(records)
    ]


def simulate_review_loop(
    current: LinearArtefact,
    steps: Sequence[int] = SIMULATION_STEPS,
    corpus_dir: Path | None = None,
    config: TrainingConfig | None = None,
) -> list[LoopStep]:
    """Macro-F1 before and after retraining on 200, 500, 1,000 simulated reviews.

    Each step starts from the model the previous step left (promoted or not),
    and reviews accumulate, as they would in production.
    """
    corpus_dir = corpus_dir or default_corpus_dir()
    stream = simulated_reviews(max(steps))
    frozen = {split.value: load_split(split, corpus_dir) for split in (Split.TEST, Split.VOICES)}
    model: SignalClassifier = LinearSignalClassifier(current)
    results: list[LoopStep] = []
    for count in steps:
        reviews = stream[:count]
        _, newest = split_by_time(reviews)
        sets = {**frozen, "held-out reviews": [r.as_record() for r in newest]}
        before = {name: evaluate(model, recs, name, False).macro_f1 for name, recs in sets.items()}
        retraining = retrain_with_reviews(reviews, model, corpus_dir, config)
        candidate = LinearSignalClassifier(retraining.candidate.artefact)
        after = {
            name: evaluate(candidate, recs, name, False).macro_f1 for name, recs in sets.items()
        }
        results.append(LoopStep(count, before, after, retraining.promote))
        if retraining.promote:
            model = candidate
    return results


def format_loop(steps: Sequence[LoopStep]) -> str:
    names = list(steps[0].before) if steps else []
    header = "reviewed  " + "  ".join(f"{n:>26}" for n in names) + "  promoted"
    lines = [header, " " * 10 + "  ".join(f"{'before -> after':>26}" for _ in names)]
    for step in steps:
        cells = "  ".join(
            f"{step.before[n]:>15.3f} -> {step.after[n]:.3f}".rjust(26) for n in names
        )
        lines.append(f"{step.reviewed:>8}  {cells}  {'yes' if step.promoted else 'no':>8}")
    return "\n".join(lines)

"""Deterministic training from the corpus: ``waakhond train``.

1. Cross-fitting: the hand-written dev split is cut into folds. For each fold
   a full model (features and weights) is trained on the generated split plus
   the other dev folds and predicts the held-back fold. That gives honest,
   out-of-fold decision values for every dev signal.
2. Per category, Platt scaling is fitted on those out-of-fold values, and the
   threshold that maximises a smoothed F1 on the calibrated dev scores is
   chosen. Then the review cut-off: the probability that a dev signal's label
   set is exactly right (``label_set_confidence``) below which the least
   confident ``review_share`` of the dev split would go to review.
3. The final model is trained on the generated split plus the whole dev split
   and stored with the calibration and thresholds from step 2.

The held-out test split is never read here. Everything is seeded; the model
version is a digest of the training data, this configuration, the lexicon
and the feature code version, so the same inputs give the same version.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from waakhond_classifier.model.arrays import BoolArray, FloatArray, round_trip
from waakhond_classifier.model.artefact import Calibration, LinearArtefact
from waakhond_classifier.model.features import FeatureConfig, Featurizer, analyse
from waakhond_classifier.model.lexicon import lexicon_digest
from waakhond_classifier.model.linear import label_set_confidence
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import (
    CATEGORY_ORDER,
    CorpusRecord,
    Manifest,
    Source,
    Split,
    corpus_digest,
    default_corpus_dir,
    load_split,
)

# Bump when feature extraction changes in a way the configuration does not show.
FEATURE_CODE_VERSION = 1


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    # Inverse regularisation strength of the logistic regressions.
    c: float = 8.0
    balanced_classes: bool = True
    # Hand-written signals are closer to real ones than generated ones.
    handwritten_weight: float = 2.0
    folds: int = 5
    seed: int = 20250611
    suggestion_margin: float = 0.1
    threshold_low: float = 0.10
    threshold_high: float = 0.90
    # Half-width, in grid steps of 0.01, of the window F1 is averaged over,
    # so the threshold sits on a plateau rather than on one lucky point.
    threshold_smoothing: int = 3
    # Share of the dev split's out-of-fold predictions, the least confident,
    # that the review cut-off sends to review (UNCERTAIN). Out-of-fold models saw
    # less hand-written material than the final one and are less sure, so this
    # share is larger than the share the final model sends (bench/README.md).
    review_share: float = 0.25

    def to_json(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["features"] = self.features.to_json()
        return raw


@dataclass(frozen=True, slots=True)
class TrainingResult:
    artefact: LinearArtefact
    dev_records: list[CorpusRecord]
    # Calibrated out-of-fold probabilities of the dev split, rows as dev_records.
    dev_probabilities: FloatArray


def label_matrix(records: Sequence[CorpusRecord]) -> BoolArray:
    return np.array([[c in r.labels for c in CATEGORY_ORDER] for r in records], dtype=bool)


def _sample_weights(records: Sequence[CorpusRecord], config: TrainingConfig) -> FloatArray:
    return np.array(
        [config.handwritten_weight if r.source is Source.HANDWRITTEN else 1.0 for r in records]
    )


def fit_linear(
    records: Sequence[CorpusRecord], config: TrainingConfig
) -> tuple[Featurizer, FloatArray, FloatArray]:
    """Features plus one logistic regression per category on ``records``."""
    featurizer = Featurizer.fit([r.text for r in records], config.features)
    matrix = featurizer.transform([analyse(r.text) for r in records])
    targets = label_matrix(records)
    weights = _sample_weights(records, config)
    coef = np.zeros((len(CATEGORY_ORDER), featurizer.n_features))
    intercept = np.zeros(len(CATEGORY_ORDER))
    for k in range(len(CATEGORY_ORDER)):
        model = LogisticRegression(
            C=config.c,
            class_weight="balanced" if config.balanced_classes else None,
            solver="liblinear",
            # More features than signals: the dual problem is the smaller one.
            dual=True,
            max_iter=5000,
            random_state=config.seed,
        )
        model.fit(matrix, targets[:, k], sample_weight=weights)
        coef[k] = model.coef_[0]
        intercept[k] = model.intercept_[0]
    return featurizer, round_trip(coef), round_trip(intercept)


def decision_values(
    featurizer: Featurizer, coef: FloatArray, intercept: FloatArray, texts: Sequence[str]
) -> FloatArray:
    matrix: sp.csr_matrix = featurizer.transform([analyse(t) for t in texts])
    return np.asarray(matrix @ coef.T + intercept)


def fold_assignment(records: Sequence[CorpusRecord], folds: int, seed: int) -> list[int]:
    order = sorted(range(len(records)), key=lambda i: records[i].id)
    random.Random(seed).shuffle(order)  # noqa: S311 - a seeded split, not cryptography
    assignment = [0] * len(records)
    for position, index in enumerate(order):
        assignment[index] = position % folds
    return assignment


def out_of_fold_decisions(
    generated: Sequence[CorpusRecord], dev: Sequence[CorpusRecord], config: TrainingConfig
) -> FloatArray:
    assignment = fold_assignment(dev, config.folds, config.seed)
    decisions = np.zeros((len(dev), len(CATEGORY_ORDER)))
    for fold in range(config.folds):
        held = [i for i, f in enumerate(assignment) if f == fold]
        rest = [dev[i] for i, f in enumerate(assignment) if f != fold]
        featurizer, coef, intercept = fit_linear([*generated, *rest], config)
        decisions[held] = decision_values(featurizer, coef, intercept, [dev[i].text for i in held])
    return decisions


def fit_calibration(decisions: FloatArray, truth: BoolArray) -> Calibration:
    """Platt scaling with a weak regulariser, stable on a few hundred signals."""
    model = LogisticRegression(C=1.0, solver="lbfgs")
    model.fit(decisions.reshape(-1, 1), truth)
    return Calibration(slope=float(model.coef_[0][0]), offset=float(model.intercept_[0]))


def calibrate(calibration: Calibration, decisions: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-(calibration.slope * decisions + calibration.offset))))


def tune_threshold(probabilities: FloatArray, truth: BoolArray, config: TrainingConfig) -> float:
    grid = np.round(np.arange(config.threshold_low, config.threshold_high + 1e-9, 0.01), 2)
    f1s = []
    for threshold in grid:
        predicted = probabilities >= threshold
        tp = int(np.sum(predicted & truth))
        fp = int(np.sum(predicted & ~truth))
        fn = int(np.sum(~predicted & truth))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    width = config.threshold_smoothing
    padded = np.pad(np.array(f1s), width, mode="edge")
    smoothed = np.convolve(padded, np.ones(2 * width + 1) / (2 * width + 1), mode="valid")
    best = float(np.max(smoothed))
    # Among equally good thresholds prefer the one closest to 0.5.
    candidates = [t for t, s in zip(grid, smoothed, strict=True) if s >= best - 1e-12]
    return float(min(candidates, key=lambda t: (abs(t - 0.5), t)))


def review_cutoff(confidences: FloatArray, share: float) -> float:
    """The cut-off below which at most ``share`` of ``confidences`` fall (4 decimals).

    Rounded down, so that rounding never sends more than ``share`` to review.
    """
    if share <= 0 or len(confidences) == 0:
        return 0.0
    ordered = np.sort(confidences)
    index = min(int(np.floor(share * len(ordered))), len(ordered) - 1)
    return float(np.floor(ordered[index] * 10_000) / 10_000)


def model_version(corpus_dir: Path, config: TrainingConfig, extra_digest: str = "") -> str:
    manifest = Manifest.read(corpus_dir)
    digest = hashlib.sha256()
    digest.update(corpus_digest(corpus_dir, (Split.TRAIN, Split.DEV)).encode())
    # Reviewed signals trained on besides the corpus (``waakhond train --with-reviews``).
    digest.update(extra_digest.encode())
    digest.update(json.dumps(config.to_json(), sort_keys=True).encode())
    digest.update(lexicon_digest().encode())
    digest.update(str(FEATURE_CODE_VERSION).encode())
    return f"linear-{manifest.version}-{digest.hexdigest()[:12]}"


def train(
    corpus_dir: Path | None = None,
    config: TrainingConfig | None = None,
    extra: Sequence[CorpusRecord] = (),
    extra_digest: str = "",
) -> TrainingResult:
    """Train from the corpus; ``extra`` hand-labelled records (reviews) join the dev split.

    ``extra_digest`` identifies ``extra`` in the model version; required with ``extra``.
    """
    if extra and not extra_digest:
        raise ValueError("extra training records need a digest for the model version")
    corpus_dir = corpus_dir or default_corpus_dir()
    config = config or TrainingConfig()
    manifest = Manifest.read(corpus_dir)
    stale = manifest.mismatches(corpus_dir)
    if stale:
        names = ", ".join(s.value for s in stale)
        raise ValueError(f"corpus files differ from manifest.json ({names}); refresh the manifest")
    generated = load_split(Split.TRAIN, corpus_dir)
    dev = [*load_split(Split.DEV, corpus_dir), *extra]

    decisions = out_of_fold_decisions(generated, dev, config)
    truth = label_matrix(dev)
    calibrations: list[Calibration] = []
    thresholds: list[float] = []
    probabilities = np.zeros_like(decisions)
    for k in range(len(CATEGORY_ORDER)):
        calibration = fit_calibration(decisions[:, k], truth[:, k])
        rounded = Calibration(round(calibration.slope, 6), round(calibration.offset, 6))
        probabilities[:, k] = calibrate(rounded, decisions[:, k])
        calibrations.append(rounded)
        thresholds.append(tune_threshold(probabilities[:, k], truth[:, k], config))

    given = probabilities >= np.asarray(thresholds)
    review_confidence = review_cutoff(
        label_set_confidence(probabilities, given), config.review_share
    )

    featurizer, coef, intercept = fit_linear([*generated, *dev], config)
    artefact = LinearArtefact(
        model_version=model_version(corpus_dir, config, extra_digest),
        categories=CATEGORY_ORDER,
        featurizer=featurizer,
        coef=coef,
        intercept=intercept,
        calibration=tuple(calibrations),
        thresholds=tuple(thresholds),
        suggestion_margin=config.suggestion_margin,
        review_confidence=review_confidence,
        provenance={
            "corpus_version": manifest.version,
            "corpus_sha256": {s.value: manifest.sha256[s] for s in (Split.TRAIN, Split.DEV)},
            "training_signals": {"generated": len(generated), "handwritten": len(dev)},
            "lexicon_sha256": lexicon_digest(),
            **({"reviews": {"count": len(extra), "sha256": extra_digest}} if extra else {}),
            "feature_code_version": FEATURE_CODE_VERSION,
            "config": config.to_json(),
        },
    )
    return TrainingResult(artefact=artefact, dev_records=dev, dev_probabilities=probabilities)


def categories_from_probabilities(
    probabilities: FloatArray, thresholds: Sequence[float]
) -> list[tuple[Category, ...]]:
    passed = probabilities >= np.asarray(thresholds)
    return [tuple(c for k, c in enumerate(CATEGORY_ORDER) if row[k]) for row in passed]


# Variants compared by ``waakhond evaluate --ablation``; the defaults were
# chosen on the dev split's out-of-fold scores, never on the held-out split.
ABLATIONS: dict[str, TrainingConfig] = {
    "model as shipped": TrainingConfig(),
    "without lexicon features": TrainingConfig(features=FeatureConfig(use_lexicon=False)),
    "without character n-grams": TrainingConfig(features=FeatureConfig(use_chars=False)),
    "without word bigrams": TrainingConfig(features=FeatureConfig(use_word_bigrams=False)),
    "hand-written weight 1 (not 2)": TrainingConfig(handwritten_weight=1.0),
    "generated split only": TrainingConfig(handwritten_weight=0.0),
}

"""Training: deterministic, reproduces the committed artefact, sound calibration pieces."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from waakhond_classifier.model.artefact import LinearArtefact
from waakhond_classifier.model.base import ClassifierInput
from waakhond_classifier.model.linear import LinearSignalClassifier, label_set_confidence
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import CorpusRecord, Source, Split, load_split
from waakhond_tools.training.training import (
    TrainingConfig,
    TrainingResult,
    fit_calibration,
    fold_assignment,
    model_version,
    review_cutoff,
    train,
    tune_threshold,
)


@pytest.fixture(scope="module")
def retrained() -> TrainingResult:
    # One full training run (a few seconds) shared by the tests below.
    return train()


@pytest.fixture(scope="module")
def committed() -> LinearArtefact:
    return LinearArtefact.load_packaged()


def test_retraining_reproduces_the_committed_artefact(
    retrained: TrainingResult, committed: LinearArtefact
) -> None:
    fresh = retrained.artefact
    assert fresh.model_version == committed.model_version
    assert fresh.thresholds == committed.thresholds
    assert fresh.calibration == committed.calibration
    assert fresh.featurizer.word_vocabulary == committed.featurizer.word_vocabulary
    assert fresh.featurizer.char_vocabulary == committed.featurizer.char_vocabulary
    np.testing.assert_allclose(fresh.coef, committed.coef, atol=1e-5)
    np.testing.assert_allclose(fresh.intercept, committed.intercept, atol=1e-5)


def test_retrained_model_predicts_like_the_committed_one(
    retrained: TrainingResult, committed: LinearArtefact
) -> None:
    items = [ClassifierInput(text=r.text) for r in load_split(Split.TEST)]
    fresh = LinearSignalClassifier(retrained.artefact).classify_batch(items)
    stored = LinearSignalClassifier(committed).classify_batch(items)
    assert [o.labels for o in fresh] == [o.labels for o in stored]
    for a, b in zip(fresh, stored, strict=True):
        for category in Category:
            assert a.scores[category] == pytest.approx(b.scores[category], abs=1e-3)


def test_artefact_serialisation_is_canonical(committed: LinearArtefact) -> None:
    assert LinearArtefact.from_json(committed.to_json()).dumps() == committed.dumps()


def test_artefact_records_its_provenance(committed: LinearArtefact) -> None:
    provenance = committed.provenance
    assert set(provenance["corpus_sha256"]) == {"train", "dev"}
    assert provenance["training_signals"]["handwritten"] > 0
    assert committed.model_version.startswith(f"linear-{provenance['corpus_version']}-")
    assert len(committed.model_version) <= 64


def test_thresholds_and_calibration_are_sane(committed: LinearArtefact) -> None:
    assert all(0.1 <= t <= 0.9 for t in committed.thresholds)
    # A higher decision value must mean a higher probability.
    assert all(c.slope > 0 for c in committed.calibration)


def test_dev_probabilities_are_out_of_fold_and_calibrated(retrained: TrainingResult) -> None:
    probabilities = retrained.dev_probabilities
    assert probabilities.shape == (len(retrained.dev_records), len(Category))
    truth = np.array([[c in r.labels for c in Category] for r in retrained.dev_records])
    # Calibrated: the mean probability is close to the base rate per category.
    np.testing.assert_allclose(probabilities.mean(axis=0), truth.mean(axis=0), atol=0.05)


def test_model_version_changes_with_the_configuration() -> None:
    base = TrainingConfig()
    assert model_version_for(base) == model_version_for(base)
    assert model_version_for(base) != model_version_for(replace(base, c=base.c * 2))


def model_version_for(config: TrainingConfig) -> str:
    from waakhond_tools.training.corpus import default_corpus_dir

    return model_version(default_corpus_dir(), config)


def _record(i: int) -> CorpusRecord:
    return CorpusRecord(id=f"r{i:03d}", text=f"t{i}", labels=(), source=Source.HANDWRITTEN)


def test_fold_assignment_is_balanced_and_deterministic() -> None:
    records = [_record(i) for i in range(103)]
    first = fold_assignment(records, 5, seed=3)
    assert first == fold_assignment(list(reversed(records))[::-1], 5, seed=3)
    sizes = np.bincount(first)
    assert sizes.max() - sizes.min() <= 1
    assert first != fold_assignment(records, 5, seed=4)


def test_tune_threshold_finds_the_separating_region() -> None:
    probabilities = np.array([0.05, 0.1, 0.2, 0.3, 0.62, 0.7, 0.8, 0.9])
    truth = np.array([False, False, False, False, True, True, True, True])
    threshold = tune_threshold(probabilities, truth, TrainingConfig(threshold_smoothing=0))
    assert 0.3 < threshold <= 0.62


def test_tune_threshold_prefers_the_middle_among_equals() -> None:
    probabilities = np.array([0.0, 0.0, 1.0, 1.0])
    truth = np.array([False, False, True, True])
    assert tune_threshold(probabilities, truth, TrainingConfig()) == pytest.approx(0.5)


def test_fit_calibration_is_increasing_for_informative_scores() -> None:
    rng = np.random.default_rng(0)
    truth = rng.random(400) < 0.3
    decisions = np.where(truth, 1.0, -1.0) + rng.normal(0, 0.8, 400)
    calibration = fit_calibration(decisions, truth)
    assert calibration.slope > 0


def test_review_cutoff_sends_at_most_the_share_asked_for() -> None:
    confidences = np.linspace(0.0, 0.99, 100)
    cutoff = review_cutoff(confidences, 0.25)
    assert np.sum(confidences < cutoff) == 25
    assert review_cutoff(confidences, 0.0) == 0.0
    # Rounding to 4 decimals goes down, never past the share.
    assert (
        np.sum(
            np.array([0.123456] * 3 + [0.9]) < review_cutoff(np.array([0.123456] * 3 + [0.9]), 0.5)
        )
        == 0
    )


def test_committed_review_cutoff_comes_from_the_dev_split(
    committed: LinearArtefact, retrained: TrainingResult
) -> None:
    assert 0.0 < committed.review_confidence < 1.0
    given = retrained.dev_probabilities >= np.asarray(committed.thresholds)
    confidences = label_set_confidence(retrained.dev_probabilities, given)
    share = float(np.mean(confidences < committed.review_confidence))
    assert share <= TrainingConfig().review_share

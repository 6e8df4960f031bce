"""The trained classifier behind ``SignalClassifier``: outputs, review, suggestions, loading."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import replace

import pytest

from waakhond_classifier.model.artefact import LinearArtefact
from waakhond_classifier.model.base import ClassifierInput, SignalClassifier
from waakhond_classifier.model.linear import LinearSignalClassifier
from waakhond_classifier.model.loader import load_default_classifier, load_linear_classifier
from waakhond_classifier.model.text import MAX_TEXT_CHARS, normalise
from waakhond_contract.messages import Classification
from waakhond_contract.vocabularies import Category
from waakhond_tools.training import corpus as corpus_module

SIGNALS = [
    "Aanvraag HH in februari gedaan, nog steeds geen beschikking. Termijn ruim verstreken.",
    "Wachtlijst beschermd wonen 14 mnd omdat de gemeente een budgetplafond heeft ingesteld.",
    "Statushouders in de wijk hebben geen DigiD en weten niet waar ze terecht kunnen.",
    "Door de knip tussen Wmo en Wlz is niemand verantwoordelijk voor deze meneer.",
    "Afspraak verzet op verzoek van de cliënt, volgende week opnieuw.",
]


@pytest.fixture(scope="module")
def classifier() -> LinearSignalClassifier:
    return load_linear_classifier()


def test_default_classifier_satisfies_the_protocol() -> None:
    loaded: SignalClassifier = load_default_classifier()
    assert loaded is load_default_classifier()
    assert loaded.version.startswith("linear-")


def test_loading_needs_no_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_corpus() -> None:
        raise AssertionError("the corpus must not be read at run time")

    monkeypatch.setattr(corpus_module, "default_corpus_dir", no_corpus)
    monkeypatch.setattr(corpus_module, "load_split", no_corpus)
    fresh = load_linear_classifier()
    assert fresh.classify_batch([ClassifierInput(text=SIGNALS[0])])[0].labels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(SIGNALS[0], {Category.MISSED_RIGHTS}, id="late-decision"),
        pytest.param(
            SIGNALS[1], {Category.NO_SUITABLE_CARE, Category.POLICY_GAP}, id="budget-cap-waitlist"
        ),
        pytest.param(SIGNALS[2], {Category.UNREACHABLE_GROUPS}, id="status-holders"),
        pytest.param(SIGNALS[3], {Category.POLICY_GAP}, id="knip"),
        pytest.param(SIGNALS[4], set(), id="neutral"),
    ],
)
def test_clear_signals_get_their_categories(
    classifier: LinearSignalClassifier, text: str, expected: set[Category]
) -> None:
    output = classifier.classify_batch([ClassifierInput(text=text)])[0]
    assert set(output.labels) == expected
    # Clear signals, a neutral note with no category included, need no person.
    assert output.needs_review is False


def test_outputs_follow_scores_and_thresholds(classifier: LinearSignalClassifier) -> None:
    outputs = classifier.classify_batch([ClassifierInput(text=t) for t in SIGNALS])
    assert len(outputs) == len(SIGNALS)
    thresholds = classifier.thresholds
    for output in outputs:
        assert set(output.scores) == set(Category)
        assert all(0.0 <= score <= 1.0 for score in output.scores.values())
        assert set(output.labels) == {c for c in Category if output.scores[c] >= thresholds[c]}
        assert output.confidence is not None
        assert output.needs_review == (output.confidence < classifier.artefact.review_confidence)


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        # Unclear whether a decision is overdue: missed_rights at a middling score.
        pytest.param("Mw. wacht nog op bericht van de gemeente over de aanvraag.", 1, id="vague"),
        # Something was decided, the note does not say what: no category, but unsure.
        pytest.param(
            "De gemeente heeft iets besloten over de hulp, maar het is onduidelijk wat.",
            0,
            id="unclear",
        ),
    ],
)
def test_unsure_signals_go_to_review_with_or_without_labels(
    classifier: LinearSignalClassifier, text: str, labels: int
) -> None:
    output = classifier.classify_batch([ClassifierInput(text=text)])[0]
    assert len(output.labels) == labels
    assert output.confidence is not None
    assert output.confidence < classifier.artefact.review_confidence
    assert output.needs_review is True


def test_confidence_is_the_probability_of_the_whole_label_set(
    classifier: LinearSignalClassifier,
) -> None:
    for output in classifier.classify_batch([ClassifierInput(text=t) for t in SIGNALS]):
        expected = 1.0
        for category, score in output.scores.items():
            expected *= score if category in output.labels else 1.0 - score
        # Scores are rounded to 4 decimals on the way out, the confidence is not.
        assert output.confidence == pytest.approx(expected, abs=1e-3)


def test_explanations_are_words_of_the_text(classifier: LinearSignalClassifier) -> None:
    outputs = classifier.classify_batch([ClassifierInput(text=t) for t in SIGNALS])
    for text, output in zip(SIGNALS, outputs, strict=True):
        assert set(output.explanations) == set(output.labels)
        for terms in output.explanations.values():
            assert terms
            assert all(term in normalise(text) for term in terms)


def test_output_fits_the_classification_message(classifier: LinearSignalClassifier) -> None:
    output = classifier.classify_batch([ClassifierInput(text=SIGNALS[1])])[0]
    message = Classification(
        labels=list(output.labels),
        scores=dict(output.scores),
        needs_review=output.needs_review,
        model_version=classifier.version,
        classified_at=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC),
        explanations={c: list(t) for c, t in output.explanations.items()},
    )
    assert message.model_version == classifier.version


def test_batch_composition_does_not_change_results(classifier: LinearSignalClassifier) -> None:
    together = classifier.classify_batch([ClassifierInput(text=t) for t in SIGNALS])
    alone = [classifier.classify_batch([ClassifierInput(text=t)])[0] for t in SIGNALS]
    assert together == alone


def test_empty_batch(classifier: LinearSignalClassifier) -> None:
    assert classifier.classify_batch([]) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("ok", id="too-short"),
        pytest.param(
            "The client has been waiting for a decision for months and nobody answers.",
            id="english",
        ),
        pytest.param("Мой клиент ждёт решения уже три месяца", id="russian"),
    ],
)
def test_unfit_texts_go_to_review_without_labels(
    classifier: LinearSignalClassifier, text: str
) -> None:
    output = classifier.classify_batch([ClassifierInput(text=text)])[0]
    assert output.needs_review
    assert output.labels == ()


def test_very_long_text_goes_to_review_but_keeps_its_labels(
    classifier: LinearSignalClassifier,
) -> None:
    text = (SIGNALS[1] + " ") * (MAX_TEXT_CHARS // len(SIGNALS[1]) + 2)
    output = classifier.classify_batch([ClassifierInput(text=text)])[0]
    assert output.needs_review
    assert Category.NO_SUITABLE_CARE in output.labels


def _with_threshold(
    classifier: LinearSignalClassifier, category: Category, threshold: float
) -> LinearSignalClassifier:
    artefact: LinearArtefact = classifier.artefact
    thresholds = list(artefact.thresholds)
    thresholds[artefact.categories.index(category)] = threshold
    return LinearSignalClassifier(replace(artefact, thresholds=tuple(thresholds)))


def test_a_suggestion_tips_a_near_miss(classifier: LinearSignalClassifier) -> None:
    text = SIGNALS[2]
    category = Category.UNREACHABLE_GROUPS
    score = classifier.classify_batch([ClassifierInput(text=text)])[0].scores[category]
    margin = classifier.artefact.suggestion_margin
    # Put the threshold just above the score: within the margin.
    strict = _with_threshold(classifier, category, score + margin / 2)
    plain = strict.classify_batch([ClassifierInput(text=text)])[0]
    suggested = strict.classify_batch(
        [ClassifierInput(text=text, suggested_categories=(category,))]
    )[0]
    assert category not in plain.labels
    assert category in suggested.labels


def test_a_suggestion_cannot_override_the_text(classifier: LinearSignalClassifier) -> None:
    text = SIGNALS[2]
    category = Category.UNREACHABLE_GROUPS
    score = classifier.classify_batch([ClassifierInput(text=text)])[0].scores[category]
    margin = classifier.artefact.suggestion_margin
    far = _with_threshold(classifier, category, score + 2 * margin)
    output = far.classify_batch([ClassifierInput(text=text, suggested_categories=(category,))])[0]
    assert category not in output.labels
    # Nor can it remove a label the text carries, or add an unrelated one.
    other = classifier.classify_batch(
        [ClassifierInput(text=text, suggested_categories=(Category.POLICY_GAP,))]
    )[0]
    assert other.labels == (Category.UNREACHABLE_GROUPS,)


def test_check_reports_why(classifier: LinearSignalClassifier) -> None:
    assert classifier.check("").issue is not None
    assert classifier.check(SIGNALS[0]).issue is None


def test_run_time_loading_imports_no_training_code() -> None:
    # The faust worker should not pay for scikit-learn: the artefact is plain JSON.
    code = (
        "import sys\n"
        "from waakhond_classifier.model.loader import load_default_classifier\n"
        "load_default_classifier()\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported at run time'\n"
        "assert 'waakhond_tools.training.training' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

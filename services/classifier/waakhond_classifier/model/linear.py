"""The trained classifier: sparse features, one linear model per category.

Per category the decision value ``x . w + b`` is turned into a calibrated
probability (Platt scaling fitted on out-of-fold predictions of the
hand-written dev split) and compared with a threshold tuned on the same
predictions. The supporter's ``suggested_categories`` can only tip a
category whose score is just below its threshold (within
``suggestion_margin``): the text decides, a suggestion breaks near-ties.

A signal goes to review when its text cannot be judged, or when the
probability that its label set is exactly right (the product over categories
of the calibrated score of each decision, see ``label_set_confidence``) is
below the artefact's ``review_confidence``, which training sets on the dev
split's out-of-fold predictions.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from waakhond_classifier.model.arrays import FloatArray
from waakhond_classifier.model.artefact import LinearArtefact
from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput
from waakhond_classifier.model.features import Analysed, analyse
from waakhond_classifier.model.text import FUNCTION_WORDS, MAX_TEXT_CHARS, TextCheck, check_text
from waakhond_contract.vocabularies import Category

EXPLANATION_TERMS = 4
# Features looked at per label; more than the terms shown, since several
# features usually point at the same word.
_CANDIDATES = 12


def label_set_confidence(probabilities: FloatArray, given: npt.NDArray[np.bool_]) -> FloatArray:
    """Per row, the probability that exactly the ``given`` categories apply.

    Treats the calibrated per-category scores as independent: each given
    category contributes its score, each other category one minus its score.
    """
    return np.asarray(np.where(given, probabilities, 1.0 - probabilities).prod(axis=1))


@dataclass(frozen=True, slots=True)
class Scored:
    """Calibrated scores plus what is needed to explain and to decide review."""

    probabilities: FloatArray
    matrix: sp.csr_matrix
    analysed: list[Analysed]
    checks: list[TextCheck]
    # Per text, the words each lexicon feature matched, by column.
    phrases: list[dict[int, str]]


class LinearSignalClassifier:
    def __init__(self, artefact: LinearArtefact) -> None:
        self._artefact = artefact
        self._featurizer = artefact.featurizer
        self._coef_t = np.ascontiguousarray(artefact.coef.T)
        self._negative_weights = {
            category: np.ascontiguousarray(-weights)
            for category, weights in zip(artefact.categories, artefact.coef, strict=True)
        }
        self._slopes = np.array([c.slope for c in artefact.calibration])
        self._offsets = np.array([c.offset for c in artefact.calibration])
        self._thresholds = np.array(artefact.thresholds)
        self._char_start, self._lex_start = self._featurizer.block_offsets

    @property
    def version(self) -> str:
        return self._artefact.model_version

    @property
    def artefact(self) -> LinearArtefact:
        return self._artefact

    @property
    def thresholds(self) -> dict[Category, float]:
        return dict(zip(self._artefact.categories, self._artefact.thresholds, strict=True))

    def check(self, text: str) -> TextCheck:
        """Whether ``text`` is fit to classify (see ``text.check_text``)."""
        return self._check(text, analyse(text[:MAX_TEXT_CHARS]))

    def _check(self, text: str, analysed: Analysed) -> TextCheck:
        known = self._featurizer.known_share(analysed.stems)
        return check_text(text, words=analysed.words, known_share=known)

    def score(self, texts: Sequence[str]) -> Scored:
        # A very long text is scored on its start; it goes to review anyway.
        analysed = [analyse(text[:MAX_TEXT_CHARS]) for text in texts]
        checks = [self._check(t, a) for t, a in zip(texts, analysed, strict=True)]
        matrix, phrases = self._featurizer.transform_with_phrases(analysed)
        decision = matrix @ self._coef_t + self._artefact.intercept
        probabilities = 1.0 / (1.0 + np.exp(-(decision * self._slopes + self._offsets)))
        return Scored(np.asarray(probabilities), matrix, analysed, checks, phrases)

    def classify_batch(self, items: Sequence[ClassifierInput]) -> list[ClassifierOutput]:
        if not items:
            return []
        scored = self.score([item.text for item in items])
        categories = self._artefact.categories
        # Plain lists: each element read from a numpy array is a new numpy scalar,
        # and this loop reads several per category and signal (bench/README.md,
        # "Figures moved from code comments").
        rounded = np.round(scored.probabilities, 4).tolist()
        passed_matrix = scored.probabilities >= self._thresholds
        passed = passed_matrix.tolist()
        confidences = label_set_confidence(scored.probabilities, passed_matrix).tolist()
        review_below = self._artefact.review_confidence
        near = (
            scored.probabilities >= self._thresholds - self._artefact.suggestion_margin
        ).tolist()
        matrix = scored.matrix
        indptr = matrix.indptr.tolist()
        outputs: list[ClassifierOutput] = []
        for row, item in enumerate(items):
            check = scored.checks[row]
            labels: tuple[Category, ...] = ()
            if check.keeps_labels:
                suggested = item.suggested_categories
                # Most signals come without suggestions; then the thresholds decide.
                labels = (
                    tuple(
                        category
                        for k, category in enumerate(categories)
                        if passed[row][k] or (near[row][k] and category in suggested)
                    )
                    if suggested
                    else tuple(itertools.compress(categories, passed[row]))
                )
            # A suggestion that tipped a category, or a text that keeps no labels,
            # changes the set whose confidence counts (rare, so not vectorised).
            if (not check.keeps_labels or item.suggested_categories) and labels != tuple(
                itertools.compress(categories, passed[row])
            ):
                given = np.array([[c in labels for c in categories]])
                confidences[row] = float(
                    label_set_confidence(scored.probabilities[row : row + 1], given)[0]
                )
            explanations: dict[Category, tuple[str, ...]] = {}
            if labels:
                start, end = indptr[row], indptr[row + 1]
                explanations = self._explain(
                    labels,
                    matrix.indices[start:end],
                    matrix.data[start:end],
                    _Surface(scored.analysed[row], scored.phrases[row]),
                )
            outputs.append(
                ClassifierOutput(
                    labels=labels,
                    scores=dict(zip(categories, rounded[row], strict=True)),
                    needs_review=check.issue is not None or confidences[row] < review_below,
                    explanations=explanations,
                    confidence=round(confidences[row], 4),
                )
            )
        return outputs

    # -- explanations -------------------------------------------------------

    def _explain(
        self,
        labels: tuple[Category, ...],
        columns: npt.NDArray[np.int32],
        values: FloatArray,
        surface: _Surface,
    ) -> dict[Category, tuple[str, ...]]:
        """Per label, the words with the largest positive contribution (value x weight).

        ``columns`` and ``values`` are the stored features of one text.
        """
        explanations: dict[Category, tuple[str, ...]] = {}
        for category in labels:
            # Negated, so that an ascending sort puts the strongest first.
            strengths = self._negative_weights[category].take(columns)
            strengths *= values
            # Strongest feature first; several features (a stem, its bigram, its
            # character n-grams) often name the same word, which is kept once.
            # (The methods, not np.argpartition and np.argsort: those add a
            # wrapper call each, and this runs for every label.)
            if len(strengths) > _CANDIDATES:
                candidates = strengths.argpartition(_CANDIDATES)[:_CANDIDATES]
                ordered = candidates[strengths[candidates].argsort(kind="stable")]
            else:
                ordered = strengths.argsort(kind="stable")
            terms: list[str] = []
            for column, strength in zip(
                columns[ordered].tolist(), strengths[ordered].tolist(), strict=True
            ):
                if strength >= 0 or len(terms) == EXPLANATION_TERMS:
                    break
                term = self._term(column, surface)
                if term is not None and term not in terms:
                    terms.append(term)
            explanations[category] = tuple(terms)
        return explanations

    def _term(self, column: int, surface: _Surface) -> str | None:
        """The words of the text behind one feature column, if they tell a reader something."""
        featurizer = self._featurizer
        if column < self._char_start:
            term = surface.for_stems(featurizer.word_vocabulary[column])
        elif column < self._lex_start:
            term = surface.for_char_gram(featurizer.char_vocabulary[column - self._char_start])
        else:
            phrase = surface.phrases.get(column)
            term = phrase.strip() if phrase is not None else None
        return term if term and _informative(term) else None


@lru_cache(maxsize=100_000)
def _informative(term: str) -> bool:
    """False for terms a reader learns nothing from ("door", "14", "de")."""
    return any(word not in FUNCTION_WORDS and not word.isdigit() for word in term.split(" "))


class _Surface:
    """Maps features of one text back to its words (first occurrence wins)."""

    def __init__(self, analysed: Analysed, phrases: dict[int, str]) -> None:
        self.analysed = analysed
        self.phrases = phrases

    def for_stems(self, term: str) -> str | None:
        words, stems = self.analysed.words, self.analysed.stems
        first, _, second = term.partition(" ")
        # tuple.index runs in C; a text has a few dozen stems at most, and the
        # feature comes from this text, so the stem is almost always there.
        i = -1
        try:
            while True:
                i = stems.index(first, i + 1)
                if not second:
                    return words[i]
                if i + 1 < len(stems) and stems[i + 1] == second:
                    return f"{words[i]} {words[i + 1]}"
        except ValueError:
            return None

    def for_char_gram(self, gram: str) -> str | None:
        # The gram is padded with a space where it touches a word boundary.
        core = gram.strip()
        for word in self.analysed.words:
            if core in word and gram in f" {word} ":
                return word
        return None

"""The trained classifier: sparse features, one linear model per category.

Per category the decision value ``x . w + b`` is turned into a calibrated
probability (Platt scaling fitted on out-of-fold predictions of the
hand-written dev split) and compared with a threshold tuned on the same
predictions. The supporter's ``suggested_categories`` can only tip a
category whose score is just below its threshold (within
``suggestion_margin``): the text decides, a suggestion breaks near-ties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from waakhond_classifier.model.arrays import FloatArray
from waakhond_classifier.model.artefact import LinearArtefact
from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput
from waakhond_classifier.model.features import Analysed, analyse
from waakhond_classifier.model.lexicon import BY_FEATURE
from waakhond_classifier.model.text import FUNCTION_WORDS, MAX_TEXT_CHARS, TextCheck, check_text
from waakhond_contract.vocabularies import Category

EXPLANATION_TERMS = 4
# Features looked at per label; more than the terms shown, since several
# features usually point at the same word.
_CANDIDATES = 12


@dataclass(frozen=True, slots=True)
class Scored:
    """Calibrated scores plus what is needed to explain and to decide review."""

    probabilities: FloatArray
    matrix: sp.csr_matrix
    analysed: list[Analysed]
    checks: list[TextCheck]


class LinearSignalClassifier:
    def __init__(self, artefact: LinearArtefact) -> None:
        self._artefact = artefact
        self._featurizer = artefact.featurizer
        self._coef_t = np.ascontiguousarray(artefact.coef.T)
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
        matrix = self._featurizer.transform(analysed)
        decision = matrix @ self._coef_t + self._artefact.intercept
        probabilities = 1.0 / (1.0 + np.exp(-(decision * self._slopes + self._offsets)))
        return Scored(np.asarray(probabilities), matrix, analysed, checks)

    def classify_batch(self, items: Sequence[ClassifierInput]) -> list[ClassifierOutput]:
        if not items:
            return []
        scored = self.score([item.text for item in items])
        categories = self._artefact.categories
        # Plain lists: indexing numpy arrays element by element costs more than
        # the rest of this loop together.
        rounded = np.round(scored.probabilities, 4).tolist()
        passed = (scored.probabilities >= self._thresholds).tolist()
        near = (
            scored.probabilities >= self._thresholds - self._artefact.suggestion_margin
        ).tolist()
        # Value x weight of every stored feature, per category, for the whole
        # batch at once; rows of this array are contiguous per category.
        contributions = np.ascontiguousarray(
            (scored.matrix.data[:, None] * self._coef_t[scored.matrix.indices]).T
        )
        outputs: list[ClassifierOutput] = []
        for row, item in enumerate(items):
            check = scored.checks[row]
            labels: tuple[Category, ...] = ()
            if check.keeps_labels:
                suggested = item.suggested_categories
                labels = tuple(
                    category
                    for k, category in enumerate(categories)
                    if passed[row][k] or (near[row][k] and category in suggested)
                )
            outputs.append(
                ClassifierOutput(
                    labels=labels,
                    scores=dict(zip(categories, rounded[row], strict=True)),
                    needs_review=check.issue is not None or not labels,
                    explanations=self._explain(
                        row, labels, scored.matrix, contributions, scored.analysed[row]
                    )
                    if labels
                    else {},
                )
            )
        return outputs

    # -- explanations -------------------------------------------------------

    def _explain(
        self,
        row: int,
        labels: tuple[Category, ...],
        matrix: sp.csr_matrix,
        contributions: FloatArray,
        analysed: Analysed,
    ) -> dict[Category, tuple[str, ...]]:
        """Per label, the words with the largest positive contribution (value x weight)."""
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns = matrix.indices[start:end]
        surface = _Surface(analysed)
        categories = self._artefact.categories
        explanations: dict[Category, tuple[str, ...]] = {}
        for category in labels:
            values = contributions[categories.index(category), start:end]
            candidates = (
                np.argpartition(-values, _CANDIDATES)[:_CANDIDATES]
                if len(values) > _CANDIDATES
                else np.arange(len(values))
            )
            # Strongest feature first; several features (a stem, its bigram, its
            # character n-grams) often name the same word, which is kept once.
            ordered = candidates[np.argsort(-values[candidates], kind="stable")]
            terms: list[str] = []
            for column, value in zip(
                columns[ordered].tolist(), values[ordered].tolist(), strict=True
            ):
                if value <= 0 or len(terms) == EXPLANATION_TERMS:
                    break
                term = self._surface(column, surface)
                if term and term not in terms and _informative(term):
                    terms.append(term)
            explanations[category] = tuple(terms)
        return explanations

    def _surface(self, column: int, surface: _Surface) -> str | None:
        """The words of the text behind one feature column."""
        featurizer = self._featurizer
        if column < self._char_start:
            return surface.for_stems(featurizer.word_vocabulary[column])
        if column < self._lex_start:
            return surface.for_char_gram(featurizer.char_vocabulary[column - self._char_start])
        entry = BY_FEATURE.get(featurizer.lexicon_features[column - self._lex_start])
        match = entry.search(surface.analysed.normalised) if entry else None
        return match.group(0).strip() if match else None


def _informative(term: str) -> bool:
    """False for terms a reader learns nothing from ("door", "14", "de")."""
    return any(word not in FUNCTION_WORDS and not word.isdigit() for word in term.split(" "))


class _Surface:
    """Maps features of one text back to its words (first occurrence wins)."""

    def __init__(self, analysed: Analysed) -> None:
        self.analysed = analysed

    def for_stems(self, term: str) -> str | None:
        words, stems = self.analysed.words, self.analysed.stems
        first, _, second = term.partition(" ")
        start = 0
        # list.index runs in C; a text has a few dozen stems at most.
        while first in stems[start:]:
            i = stems.index(first, start)
            if not second:
                return words[i]
            if i + 1 < len(stems) and stems[i + 1] == second:
                return f"{words[i]} {words[i + 1]}"
            start = i + 1
        return None

    def for_char_gram(self, gram: str) -> str | None:
        # The gram is padded with a space where it touches a word boundary.
        core = gram.strip()
        for word in self.analysed.words:
            if core in word and gram in f" {word} ":
                return word
        return None

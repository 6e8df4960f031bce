"""A small, honest rule-based baseline: the domain lexicon, nothing learned.

A category is given when at least ``min_hits`` of its lexicon phrases occur
in the text. The score is ``1 - 0.5 ** hits`` (one phrase 0.5, two 0.75, ...):
a count, not a probability. It exists to show what the trained model adds,
and as a fallback that needs no artefact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput
from waakhond_classifier.model.features import analyse
from waakhond_classifier.model.lexicon import LexiconMatcher, lexicon_digest
from waakhond_classifier.model.text import MAX_TEXT_CHARS, check_text
from waakhond_contract.vocabularies import Category


class RuleBasedClassifier:
    def __init__(self, min_hits: int = 1) -> None:
        self._min_hits = min_hits
        self._matcher = LexiconMatcher()
        self._version = f"rules-{lexicon_digest()[:12]}-min{min_hits}"

    @property
    def version(self) -> str:
        return self._version

    def classify_batch(self, items: Sequence[ClassifierInput]) -> list[ClassifierOutput]:
        return [self._classify(item) for item in items]

    def _classify(self, item: ClassifierInput) -> ClassifierOutput:
        analysed = analyse(item.text[:MAX_TEXT_CHARS])
        check = check_text(item.text, words=analysed.words)
        found = self._matcher.matches(analysed.normalised, analysed.words)
        hits = Counter(entry.category for entry in found)
        labels: tuple[Category, ...] = ()
        if check.keeps_labels:
            labels = tuple(c for c in Category if hits[c] >= self._min_hits)
        return ClassifierOutput(
            labels=labels,
            scores={c: round(1.0 - 0.5 ** hits[c], 4) for c in Category},
            needs_review=check.issue is not None or not labels,
            explanations={c: tuple(e.name for e in found if e.category is c) for c in labels},
        )

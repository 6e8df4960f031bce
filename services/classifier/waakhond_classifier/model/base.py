"""The interface every signal classifier implements.

The faust agent, ``waakhond classify`` and ``waakhond evaluate`` all go through
``SignalClassifier.classify_batch``, so a classifier can be swapped without
touching the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from waakhond_contract.vocabularies import Category


@dataclass(frozen=True, slots=True)
class ClassifierInput:
    """What a classifier may look at. Only ``text`` is required."""

    text: str
    suggested_categories: tuple[Category, ...] = ()
    law_domains: tuple[str, ...] = ()
    life_domains: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassifierOutput:
    labels: tuple[Category, ...]
    scores: Mapping[Category, float]
    needs_review: bool
    explanations: Mapping[Category, tuple[str, ...]] = field(default_factory=dict)
    # Calibrated probability that ``labels`` is exactly the right set, when the
    # classifier can tell (None otherwise); a low value is why a signal is uncertain.
    confidence: float | None = None


class SignalClassifier(Protocol):
    @property
    def version(self) -> str:
        """Travels on every classified message, so a trend can be traced to its model."""
        ...

    def classify_batch(self, items: Sequence[ClassifierInput]) -> list[ClassifierOutput]:
        """One output per input, in order."""
        ...

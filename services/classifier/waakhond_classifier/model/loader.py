"""Loading the committed model: what the faust agent and the CLI call."""

from __future__ import annotations

from functools import lru_cache

from waakhond_classifier.model.artefact import LinearArtefact
from waakhond_classifier.model.base import SignalClassifier
from waakhond_classifier.model.linear import LinearSignalClassifier


@lru_cache(maxsize=1)
def load_default_classifier() -> SignalClassifier:
    """The trained classifier from the package's artefact.

    Reads package data only: no corpus, no network, no training. Cached, so
    every caller in a process shares one instance (it is safe to share: the
    only state that changes is a cache of word analyses).
    """
    return load_linear_classifier()


def load_linear_classifier() -> LinearSignalClassifier:
    return LinearSignalClassifier(LinearArtefact.load_packaged())

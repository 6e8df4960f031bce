"""The model's labels given again (``waakhond reclassify``) -> a new model revision of a
signal whose labels no person decided on.

Pure: the command reads the current rows (``TrendStore.model_rows``), runs the classifier,
and hands each row with its new labels here; the result is inserted like any signal row.
Nothing is written when the labels and the model version are what the row has, so running
the command again writes nothing. A person's later decision stands over the new revision
(``revisions.py``), and the review queue still sees the signal as the model's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from waakhond_aggregator.processing.revisions import content_of, reclassification_revision
from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS, LabelSource, SignalRows

_COLUMN = {name: index for index, name in enumerate(SIGNAL_COLUMNS)}


@dataclass(frozen=True, slots=True)
class ModelLabels:
    """What a classifier said about one signal, as the ``signals`` columns hold it."""

    labels: tuple[str, ...]
    scores: Mapping[str, float]
    needs_review: bool
    review_reasons: tuple[str, ...]
    explanations: Mapping[str, Sequence[str]]
    model_version: str
    classified_at: dt.datetime


def reclassified_rows(current: Sequence[Any], given: ModelLabels) -> SignalRows | None:
    """The new model revision of ``current`` (a row in ``SIGNAL_COLUMNS`` order), or None
    when it would change nothing."""
    categories = tuple(sorted(given.labels))
    if (
        tuple(sorted(current[_COLUMN["categories"]])) == categories
        and current[_COLUMN["model_version"]] == given.model_version
    ):
        return None
    row = list(current)
    content = content_of(int(current[_COLUMN["revision"]]))
    row[_COLUMN["revision"]] = reclassification_revision(
        content, given.classified_at, given.model_version
    )
    row[_COLUMN["categories"]] = list(categories)
    row[_COLUMN["model_categories"]] = list(categories)
    row[_COLUMN["scores"]] = dict(given.scores)
    row[_COLUMN["needs_review"]] = given.needs_review
    row[_COLUMN["review_reasons"]] = list(given.review_reasons)
    row[_COLUMN["explanations"]] = {k: list(v) for k, v in given.explanations.items()}
    row[_COLUMN["model_version"]] = given.model_version
    row[_COLUMN["classified_at"]] = given.classified_at
    row[_COLUMN["label_source"]] = LabelSource.MODEL.value
    return SignalRows(
        signal=row, fingerprint=str(row[_COLUMN["content_fingerprint"]]), categories=categories
    )

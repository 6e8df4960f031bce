"""What the processing steps hand on: a signal's row in ``signals`` and the candidate that
carries it to the write plan. The steps import this module; it imports none of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from waakhond_contract.messages import SignalClassified
from waakhond_runtime.records import ConsumedRecord

SIGNAL_COLUMNS = (
    "signal_id",
    "revision",
    "organisation_id",
    "submitted_at",
    "observed_on",
    "week_start",
    "municipality_code",
    "region_year",
    "law_domains",
    "life_domains",
    "target_groups",
    "age_band",
    "supporter_type",
    "description",
    "suggested_categories",
    "categories",
    "scores",
    "needs_review",
    "model_version",
    "classified_at",
    "content_fingerprint",
    "label_source",
    "model_categories",
    "review_reasons",
    "explanations",
    "text_erased",
    "version",
    "replaces_week_start",
)
SIGNAL_ID = SIGNAL_COLUMNS.index("signal_id")
REVISION = SIGNAL_COLUMNS.index("revision")
VERSION = SIGNAL_COLUMNS.index("version")
REPLACES_WEEK_START = SIGNAL_COLUMNS.index("replaces_week_start")
WEEK_START = SIGNAL_COLUMNS.index("week_start")
FIRST_VERSION = 1
SUBMITTED_AT = SIGNAL_COLUMNS.index("submitted_at")
CLASSIFIED_AT = SIGNAL_COLUMNS.index("classified_at")


class LabelSource(StrEnum):
    """Who gave a revision its categories."""

    MODEL = "model"
    REVIEW = "review"
    # A tombstone: the signal was withdrawn; it counts nowhere and carries no text.
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class SignalRows:
    signal: list[Any]
    fingerprint: str
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What ``signals`` holds of a signal already: its current version (content, when intake
    accepted it, its number and week), the classifier's labels of that version and the
    revision of that row, and the signal's highest revision (above it once the model was
    run again or a person decided)."""

    fingerprint: str
    submitted_at: dt.datetime
    version: int
    week_start: dt.date
    replaces_week_start: dt.date
    model_categories: tuple[str, ...]
    model_revision: int
    latest_revision: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A decoded and transformed message, waiting for the write plan."""

    message: ConsumedRecord
    signal: SignalClassified
    rows: SignalRows

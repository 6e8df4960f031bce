"""What the processing steps hand on: a signal's row in ``signals`` and the candidate that
carries it to the write plan. The steps import this module; it imports none of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waakhond_contract.messages import SignalClassified
from waakhond_runtime.records import ConsumedRecord

SIGNAL_COLUMNS = (
    "signal_id",
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
)
SIGNAL_ID = SIGNAL_COLUMNS.index("signal_id")
SUBMITTED_AT = SIGNAL_COLUMNS.index("submitted_at")
CLASSIFIED_AT = SIGNAL_COLUMNS.index("classified_at")


@dataclass(frozen=True, slots=True)
class SignalRows:
    signal: list[Any]
    fingerprint: str
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What ``signals`` holds of a signal already: its content and its labels."""

    fingerprint: str
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A decoded and transformed message, waiting for the write plan."""

    message: ConsumedRecord
    signal: SignalClassified
    rows: SignalRows

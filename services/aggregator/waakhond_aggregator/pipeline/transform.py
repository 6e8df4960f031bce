"""Step 2: a classified signal -> its row in ``signals`` and its rows in ``signal_facts``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from waakhond_contract.messages import SignalClassified
from waakhond_contract.regions import RegionReference

ALL_SIGNALS = "all"

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
FACT_COLUMNS = ("level", "category", "region_code", "week_start", "signal_id")


def week_start(day: dt.date) -> dt.date:
    """Monday of the ISO week."""
    return day - dt.timedelta(days=day.weekday())


def content_fingerprint(signal: SignalClassified) -> str:
    """What makes two messages the same signal: everything the organisation said.

    Submission and classification times are left out: a retried submission is
    resubmitted later but says the same thing.
    """
    content = signal.model_dump(
        mode="json",
        include={
            "organisation_id",
            "observed_on",
            "municipality_code",
            "law_domains",
            "life_domains",
            "target_groups",
            "age_band",
            "supporter_type",
            "description",
            "suggested_categories",
        },
    )
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class SignalRows:
    signal: list[Any]
    facts: list[list[Any]]
    fingerprint: str
    categories: tuple[str, ...]


def to_rows(signal: SignalClassified, reference: RegionReference) -> SignalRows:
    region_map = reference.map_for(signal.observed_on)
    municipality = region_map.municipalities[signal.municipality_code]
    week = week_start(signal.observed_on)
    categories = tuple(sorted(str(label) for label in signal.classification.labels))
    fingerprint = content_fingerprint(signal)
    row = [
        signal.signal_id,
        signal.organisation_id,
        signal.submitted_at,
        signal.observed_on,
        week,
        signal.municipality_code,
        region_map.year,
        [str(v) for v in signal.law_domains],
        [str(v) for v in signal.life_domains],
        [str(v) for v in signal.target_groups],
        str(signal.age_band),
        str(signal.supporter_type),
        signal.description,
        [str(v) for v in signal.suggested_categories],
        list(categories),
        {str(k): v for k, v in signal.classification.scores.items()},
        signal.classification.needs_review,
        signal.classification.model_version,
        signal.classification.classified_at,
        fingerprint,
    ]
    facts = [
        [str(region.level), category, region.code, week, signal.signal_id]
        for region in municipality.regions
        for category in (ALL_SIGNALS, *categories)
    ]
    return SignalRows(signal=row, facts=facts, fingerprint=fingerprint, categories=categories)

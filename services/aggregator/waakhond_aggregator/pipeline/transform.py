"""Step 2: a classified signal -> its row in ``signals`` and its rows in ``signal_facts``.

This runs once per message, so the per-signal work is kept to building the
rows: a municipality's regions per map and the text of vocabulary values are
looked up once and reused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from waakhond_contract.messages import SignalClassified
from waakhond_contract.regions import RegionMap, RegionReference
from waakhond_contract.vocabularies import (
    AgeBand,
    Category,
    LawDomain,
    LifeDomain,
    SupporterType,
    TargetGroup,
)

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

# str() of a StrEnum member goes through Python-level code; a dict lookup does not.
_TEXT: dict[StrEnum, str] = {
    member: str(member)
    for vocabulary in (AgeBand, Category, LawDomain, LifeDomain, SupporterType, TargetGroup)
    for member in vocabulary
}


def _texts(values: Iterable[StrEnum]) -> list[str]:
    text = _TEXT
    return [text[value] for value in values]


def week_start(day: dt.date) -> dt.date:
    """Monday of the ISO week."""
    return day - dt.timedelta(days=day.weekday())


def content_fingerprint(signal: SignalClassified) -> str:
    """What makes two messages the same signal: everything the organisation said.

    Submission and classification times are left out: a retried submission is
    resubmitted later but says the same thing.

    The document is what ``model_dump(mode="json")`` gives for these fields, built
    directly because that call costs more than the rest of the row; the stored
    fingerprints depend on every byte of it (see the test against model_dump).
    """
    content = {
        "age_band": _TEXT[signal.age_band],
        "description": signal.description,
        "law_domains": _texts(signal.law_domains),
        "life_domains": _texts(signal.life_domains),
        "municipality_code": signal.municipality_code,
        "observed_on": signal.observed_on.isoformat(),
        "organisation_id": signal.organisation_id,
        "suggested_categories": _texts(signal.suggested_categories),
        "supporter_type": _TEXT[signal.supporter_type],
        "target_groups": _texts(signal.target_groups),
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class SignalRows:
    signal: list[Any]
    facts: list[list[Any]]
    fingerprint: str
    categories: tuple[str, ...]


class _RegionLookup:
    """Per reference: the map of each observation year and the fact regions of each
    municipality in it. Both depend only on the year and the code, and the reference
    is loaded once per process, so they are worked out once."""

    def __init__(self, reference: RegionReference) -> None:
        self.reference = reference
        self._maps: dict[int, RegionMap] = {}
        self._regions: dict[tuple[int, str], tuple[tuple[str, str], ...]] = {}

    def map_for(self, year: int) -> RegionMap:
        region_map = self._maps.get(year)
        if region_map is None:
            region_map = self._maps[year] = self.reference.map_for(dt.date(year, 1, 1))
        return region_map

    def fact_regions(self, region_map: RegionMap, code: str) -> tuple[tuple[str, str], ...]:
        """(level, region code) for every level the municipality counts in, in map order."""
        key = (region_map.year, code)
        regions = self._regions.get(key)
        if regions is None:
            municipality = region_map.municipalities[code]
            regions = tuple((str(region.level), region.code) for region in municipality.regions)
            self._regions[key] = regions
        return regions


# Keyed by identity (the reference holds dicts, so it has no hash); the lookup keeps its
# reference alive, so an id is never reused while its entry exists.
_LOOKUPS: dict[int, _RegionLookup] = {}


def _lookup(reference: RegionReference) -> _RegionLookup:
    lookup = _LOOKUPS.get(id(reference))
    if lookup is None or lookup.reference is not reference:
        if len(_LOOKUPS) >= 8:  # only tests build more than one reference
            _LOOKUPS.clear()
        lookup = _LOOKUPS[id(reference)] = _RegionLookup(reference)
    return lookup


def to_rows(signal: SignalClassified, reference: RegionReference) -> SignalRows:
    observed_on = signal.observed_on
    lookup = _lookup(reference)
    region_map = lookup.map_for(observed_on.year)
    regions = lookup.fact_regions(region_map, signal.municipality_code)
    week = week_start(observed_on)
    classification = signal.classification
    text = _TEXT
    categories = tuple(sorted([text[label] for label in classification.labels]))
    fingerprint = content_fingerprint(signal)
    signal_id = signal.signal_id
    row = [
        signal_id,
        signal.organisation_id,
        signal.submitted_at,
        observed_on,
        week,
        signal.municipality_code,
        region_map.year,
        _texts(signal.law_domains),
        _texts(signal.life_domains),
        _texts(signal.target_groups),
        text[signal.age_band],
        text[signal.supporter_type],
        signal.description,
        _texts(signal.suggested_categories),
        list(categories),
        {text[category]: score for category, score in classification.scores.items()},
        classification.needs_review,
        classification.model_version,
        classification.classified_at,
        fingerprint,
    ]
    counted = (ALL_SIGNALS, *categories)
    facts = [
        [level, category, code, week, signal_id] for level, code in regions for category in counted
    ]
    return SignalRows(signal=row, facts=facts, fingerprint=fingerprint, categories=categories)

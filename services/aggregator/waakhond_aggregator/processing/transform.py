"""Step 2: a classified signal -> its row in ``signals``.

The facts the trends count are written from that row by materialized views
(migration 0010), per municipality and map year. This runs once per message,
so the per-signal work is kept to building the row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from enum import StrEnum

from waakhond_aggregator.core.calendar import week_start
from waakhond_aggregator.processing.revisions import model_revision
from waakhond_aggregator.processing.rows import FIRST_VERSION, LabelSource, SignalRows
from waakhond_contract.messages import ReviewReason, SignalClassified
from waakhond_contract.regions import RegionReference, UnknownMunicipalityError
from waakhond_contract.vocabularies import (
    AgeBand,
    Category,
    LawDomain,
    LifeDomain,
    SupporterType,
    TargetGroup,
)

# str() of a StrEnum member goes through Python-level code; a dict lookup does not.
_TEXT: dict[StrEnum, str] = {
    member: str(member)
    for vocabulary in (
        AgeBand,
        Category,
        LawDomain,
        LifeDomain,
        ReviewReason,
        SupporterType,
        TargetGroup,
    )
    for member in vocabulary
}


def _texts(values: Iterable[StrEnum]) -> list[str]:
    text = _TEXT
    return [text[value] for value in values]


def content_fingerprint(signal: SignalClassified) -> str:
    """What makes two messages the same signal: everything the organisation said.

    Submission and classification times are left out: a retried submission is
    resubmitted later but says the same thing.

    The document is what ``model_dump(mode="json")`` gives for these fields, built
    directly because this runs for every message and that call walks the model
    generically (bench/README.md, "Figures moved from code comments"); the stored
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


def to_rows(signal: SignalClassified, reference: RegionReference) -> SignalRows:
    observed_on = signal.observed_on
    region_map = reference.map_for(observed_on)
    if signal.municipality_code not in region_map.municipalities:
        # It would join no region and so count nowhere; it goes to the dead letters instead.
        raise UnknownMunicipalityError(signal.municipality_code, region_map.year)
    week = week_start(observed_on)
    classification = signal.classification
    text = _TEXT
    categories = tuple(sorted([text[label] for label in classification.labels]))
    fingerprint = content_fingerprint(signal)
    row = [
        signal.signal_id,
        model_revision(signal.submitted_at),
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
        LabelSource.MODEL.value,
        list(categories),
        _texts(classification.review_reasons),
        {text[category]: terms for category, terms in classification.explanations.items()},
        False,
        FIRST_VERSION,
        week,
    ]
    return SignalRows(signal=row, fingerprint=fingerprint, categories=categories)

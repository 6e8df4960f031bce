from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest

from tests.support import valid_submission
from waakhond_aggregator.core.calendar import week_start
from waakhond_aggregator.processing.revisions import model_revision
from waakhond_aggregator.processing.transform import content_fingerprint, to_rows
from waakhond_contract.messages import Classification, SignalClassified
from waakhond_contract.regions import UnknownMunicipalityError, load_region_reference
from waakhond_contract.vocabularies import Category


def classified(labels: list[Category], **overrides: object) -> SignalClassified:
    body = valid_submission(**overrides)
    body.pop("client_ref")
    return SignalClassified.model_validate(
        {
            **body,
            "signal_id": str(uuid.uuid4()),
            "organisation_id": "mee-noord",
            "submitted_at": dt.datetime.now(dt.UTC).isoformat(),
            "classification": Classification(
                labels=labels,
                scores=dict.fromkeys(Category, 0.5),
                needs_review=False,
                model_version="v",
                classified_at=dt.datetime.now(dt.UTC),
            ).model_dump(),
        }
    )


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        pytest.param(dt.date(2025, 1, 1), dt.date(2024, 12, 30), id="new-year-in-week-1"),
        pytest.param(dt.date(2025, 3, 9), dt.date(2025, 3, 3), id="sunday"),
        pytest.param(dt.date(2025, 3, 3), dt.date(2025, 3, 3), id="monday"),
    ],
)
def test_week_start_is_the_iso_monday(day: dt.date, monday: dt.date) -> None:
    assert week_start(day) == monday


def test_a_municipality_missing_from_the_map_of_its_year_is_refused() -> None:
    """It would join no region and count nowhere; the consumer dead-letters it instead.
    Decoding already refuses it against the process's own reference, so model_copy (which
    does not validate) stands for a message checked against another one."""
    signal = classified([Category.MISSED_RIGHTS]).model_copy(update={"municipality_code": "GM0000"})
    with pytest.raises(UnknownMunicipalityError, match="GM0000"):
        to_rows(signal, load_region_reference())


def test_fingerprint_ignores_times_but_not_content() -> None:
    first = classified([Category.MISSED_RIGHTS])
    retried = first.model_copy(update={"submitted_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)})
    edited = first.model_copy(update={"description": first.description + " meer"})
    assert content_fingerprint(first) == content_fingerprint(retried)
    assert content_fingerprint(first) != content_fingerprint(edited)


def reference_fingerprint(signal: SignalClassified) -> str:
    """The fingerprint as first defined; stored rows carry it, so it may never change."""
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


def reference_row(signal: SignalClassified) -> list[Any]:
    """The row as first defined, straight from the model and the region reference."""
    region_map = load_region_reference().map_for(signal.observed_on)
    week = week_start(signal.observed_on)
    categories = sorted(str(label) for label in signal.classification.labels)
    return [
        signal.signal_id,
        model_revision(signal.submitted_at),
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
        categories,
        {str(k): v for k, v in signal.classification.scores.items()},
        signal.classification.needs_review,
        signal.classification.model_version,
        signal.classification.classified_at,
        reference_fingerprint(signal),
        "model",
        categories,
        [str(v) for v in signal.classification.review_reasons],
        {str(k): v for k, v in signal.classification.explanations.items()},
        False,
        1,
        week,
    ]


def exact(value: object) -> object:
    """A value with the type of everything inside it, so "a" and a StrEnum "a" differ."""
    if isinstance(value, list):
        return [exact(v) for v in value]
    if isinstance(value, dict):
        return [(exact(k), exact(v)) for k, v in value.items()]
    return (type(value), value)


@pytest.mark.parametrize(
    ("labels", "overrides"),
    [
        pytest.param([], {}, id="unlabelled"),
        pytest.param(
            [Category.POLICY_GAP, Category.MISSED_RIGHTS],
            {
                "law_domains": ["wmo", "wlz"],
                "life_domains": ["housing", "care", "finances"],
                "target_groups": ["elderly_dementia", "informal_carers"],
                "suggested_categories": ["policy_gap", "no_suitable_care"],
                "description": "Cliënt wacht één jaar — “niemand” is bevoegd; zorg € 0,-.",
            },
            id="several-values-and-non-ascii",
        ),
        pytest.param([Category.UNREACHABLE_GROUPS], {"observed_on": "2024-06-30"}, id="older-map"),
        pytest.param([Category.NO_SUITABLE_CARE], {"municipality_code": "GM0344"}, id="utrecht"),
    ],
)
def test_the_row_is_exactly_the_reference_row(
    labels: list[Category], overrides: dict[str, object]
) -> None:
    signal = classified(labels, **overrides)
    rows = to_rows(signal, load_region_reference())
    assert exact(rows.signal) == exact(reference_row(signal))
    assert rows.fingerprint == reference_fingerprint(signal) == content_fingerprint(signal)
    assert rows.categories == tuple(sorted(str(label) for label in labels))

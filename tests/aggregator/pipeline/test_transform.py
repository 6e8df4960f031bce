from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.support import valid_submission
from waakhond_aggregator.pipeline.transform import content_fingerprint, to_rows, week_start
from waakhond_contract.messages import Classification, SignalClassified
from waakhond_contract.regions import load_region_reference
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


def test_one_fact_per_level_and_category_including_all() -> None:
    signal = classified([Category.MISSED_RIGHTS, Category.POLICY_GAP], observed_on="2025-03-05")
    rows = to_rows(signal, load_region_reference())
    facts = {(f[0], f[1], f[2]) for f in rows.facts}
    assert len(rows.facts) == 6 * 3
    assert ("national", "all", "NL") in facts
    assert ("zorgkantoorregio", "missed_rights", "ZK02") in facts
    assert ("municipality", "policy_gap", "GM0363") in facts
    assert {f[3] for f in rows.facts} == {dt.date(2025, 3, 3)}


def test_fingerprint_ignores_times_but_not_content() -> None:
    first = classified([Category.MISSED_RIGHTS])
    retried = first.model_copy(update={"submitted_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)})
    edited = first.model_copy(update={"description": first.description + " meer"})
    assert content_fingerprint(first) == content_fingerprint(retried)
    assert content_fingerprint(first) != content_fingerprint(edited)

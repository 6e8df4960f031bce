"""The order of revisions: a later version of a signal stands over everything said about an
earlier one; within a version a coordinator's decision stands over a reviewer's whenever it
was made, a later decision over an earlier one of the same role, any decision over the
model's labels, and a reclassification over the classifier's own labels only."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from waakhond_aggregator.processing.revisions import (
    content_key,
    content_of,
    model_revision,
    reclassification_revision,
    review_revision,
)
from waakhond_contract.messages import ReviewerRole

T = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
A = uuid.UUID(int=1)
B = uuid.UUID(int=2)
REVIEWER = ReviewerRole.REVIEWER
COORDINATOR = ReviewerRole.COORDINATOR
LATER = T + dt.timedelta(milliseconds=1)
YEARS_LATER = T + dt.timedelta(days=365 * 30)
V1 = content_key(T)
V2 = content_key(LATER)


@pytest.mark.parametrize(
    ("higher", "lower"),
    [
        pytest.param(
            review_revision(V1, REVIEWER, LATER, A),
            review_revision(V1, REVIEWER, T, B),
            id="later-reviewer",
        ),
        pytest.param(
            review_revision(V1, COORDINATOR, T, A),
            review_revision(V1, REVIEWER, YEARS_LATER, B),
            id="coordinator-first",
        ),
        pytest.param(
            review_revision(V1, COORDINATOR, LATER, A),
            review_revision(V1, COORDINATOR, T, B),
            id="later-coordinator",
        ),
        pytest.param(
            review_revision(V1, REVIEWER, T, B),
            review_revision(V1, REVIEWER, T, A),
            id="same-ms-decision-id",
        ),
        pytest.param(
            review_revision(V1, REVIEWER, T, A),
            reclassification_revision(V1, YEARS_LATER, "linear-2056"),
            id="person-over-reclassification",
        ),
        pytest.param(
            reclassification_revision(V1, LATER, "linear-2"),
            model_revision(T),
            id="reclassification-over-model",
        ),
        pytest.param(model_revision(T), 0, id="any-over-stored-before-revisions"),
        pytest.param(
            model_revision(LATER),
            review_revision(V1, COORDINATOR, YEARS_LATER, B),
            id="correction-over-decisions-on-the-old-version",
        ),
        pytest.param(
            review_revision(V2, REVIEWER, T, A),
            review_revision(V1, COORDINATOR, YEARS_LATER, B),
            id="decision-on-the-new-version",
        ),
    ],
)
def test_what_stands_has_the_higher_revision(higher: int, lower: int) -> None:
    assert higher > lower


def test_every_revision_of_a_version_shares_its_content_key() -> None:
    revisions = [
        model_revision(T),
        reclassification_revision(V1, YEARS_LATER, "m"),
        review_revision(V1, COORDINATOR, YEARS_LATER, A),
    ]
    assert {content_of(r) for r in revisions} == {V1}
    assert content_of(model_revision(LATER)) == V2 != V1


def test_a_revision_fits_clickhouses_uint128() -> None:
    last = dt.datetime(2139, 1, 1, tzinfo=dt.UTC)
    assert review_revision(content_key(last), COORDINATOR, last, uuid.UUID(int=2**128 - 1)) < 2**128


@pytest.mark.parametrize(
    "decided_at",
    [
        pytest.param(dt.datetime(2019, 12, 31, tzinfo=dt.UTC), id="before-2020"),
        pytest.param(dt.datetime(2160, 1, 1, tzinfo=dt.UTC), id="after-the-range"),
    ],
)
def test_a_time_outside_the_range_is_refused(decided_at: dt.datetime) -> None:
    with pytest.raises(ValueError, match="outside the revision range"):
        review_revision(V1, REVIEWER, decided_at, A)

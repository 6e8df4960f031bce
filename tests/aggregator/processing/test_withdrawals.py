"""The withdrawal plan: a tombstone that keeps a signal's dimensions and nothing else, stands
over every version accepted before the withdrawal and under a later one, is refused for
another organisation's signal, and is the same row on every replay."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.aggregator.processing.test_transform import classified
from waakhond_aggregator.processing.decisions import (
    DecisionCandidate,
    StoredSignal,
    plan_decisions,
    process_decision,
)
from waakhond_aggregator.processing.revisions import (
    content_key,
    model_revision,
    reclassification_revision,
    review_revision,
)
from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.processing.withdrawals import (
    WithdrawalCandidate,
    WithdrawalPlan,
    plan_withdrawals,
    process_withdrawal,
    tombstone,
)
from waakhond_contract.messages import (
    DeadLetterReason,
    ReviewerRole,
    ReviewOutcome,
    SignalClassified,
    SignalReviewed,
    SignalWithdrawn,
    WithdrawalRequester,
)
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category, PiiKind
from waakhond_runtime.codec import encode
from waakhond_runtime.deadletters import Rejection
from waakhond_runtime.records import ConsumedRecord

SIGNAL = uuid.UUID("00000000-0000-5000-8000-0000000000a1")
SUBMITTED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
WITHDRAWN = dt.datetime(2026, 3, 20, 14, 30, 15, 250000, tzinfo=dt.UTC)
DIMENSIONS = (
    "signal_id",
    "organisation_id",
    "observed_on",
    "week_start",
    "municipality_code",
    "region_year",
    "law_domains",
    "life_domains",
    "target_groups",
    "age_band",
    "supporter_type",
    "version",
)


def column(row: list[Any] | tuple[Any, ...], name: str) -> Any:
    return row[SIGNAL_COLUMNS.index(name)]


def signal(**changes: object) -> SignalClassified:
    return classified(
        [Category.NO_SUITABLE_CARE, Category.POLICY_GAP],
        observed_on="2026-02-25",
        municipality_code="GM0344",
        law_domains=["wmo", "wlz"],
        target_groups=["elderly_dementia"],
        age_band="80+",
        suggested_categories=["policy_gap"],
    ).model_copy(update={"signal_id": SIGNAL, "submitted_at": SUBMITTED, **changes})


def stored(message: SignalClassified, version: int = 1) -> StoredSignal:
    row = to_rows(message, load_region_reference()).signal
    row[SIGNAL_COLUMNS.index("version")] = version
    return StoredSignal(
        model_row=tuple(row),
        latest_revision=int(column(row, "revision")),
        text_erased=False,
    )


def withdrawal(
    at: dt.datetime = WITHDRAWN, organisation_id: str = "mee-noord", signal_id: uuid.UUID = SIGNAL
) -> SignalWithdrawn:
    return SignalWithdrawn(
        withdrawal_id=uuid.uuid5(signal_id, f"withdrawal-{at.isoformat()}"),
        signal_id=signal_id,
        organisation_id=organisation_id,
        requested_by=WithdrawalRequester.ORGANISATION,
        withdrawn_at=at,
    )


def candidate(item: SignalWithdrawn, offset: int = 0) -> WithdrawalCandidate:
    result = process_withdrawal(ConsumedRecord("signals.withdrawn", 0, offset, None, encode(item)))
    assert isinstance(result, WithdrawalCandidate)
    return result


def plan(items: list[SignalWithdrawn], known: dict[uuid.UUID, StoredSignal]) -> WithdrawalPlan:
    return plan_withdrawals([candidate(w, i) for i, w in enumerate(items)], known)


def test_a_tombstone_keeps_the_dimensions_and_drops_text_and_labels() -> None:
    before = stored(signal(), version=2)
    result = plan([withdrawal()], {SIGNAL: before})
    (rows,) = result.writes
    row = rows.signal
    assert {n: column(row, n) for n in DIMENSIONS} == {
        n: column(before.model_row, n) for n in DIMENSIONS
    }
    assert column(row, "municipality_code") == "GM0344"  # not a bare tombstone's blanks
    assert {
        name: column(row, name)
        for name in (
            "description",
            "suggested_categories",
            "categories",
            "model_categories",
            "scores",
            "explanations",
            "review_reasons",
            "needs_review",
            "model_version",
            "label_source",
            "text_erased",
            "content_fingerprint",
        )
    } == {
        "description": "",
        "suggested_categories": [],
        "categories": [],
        "model_categories": [],
        "scores": {},
        "explanations": {},
        "review_reasons": [],
        "needs_review": False,
        "model_version": "",
        "label_source": "withdrawn",
        "text_erased": True,
        "content_fingerprint": "withdrawn",
    }
    assert rows.categories == ()
    # It stands as a version accepted when the withdrawal was asked for, in its own week.
    assert column(row, "submitted_at") == WITHDRAWN
    assert column(row, "replaces_week_start") == column(row, "week_start")
    assert result.erase == [(SIGNAL, column(row, "revision"))]
    assert result.withdrawn == [withdrawal()]
    assert not result.rejected
    # The stored row itself is left as it was.
    assert column(before.model_row, "description") == signal().description


DECISION_ID = uuid.UUID("00000000-0000-4000-8000-00000000d001")
AFTER = WITHDRAWN + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("revision", "above_tombstone"),
    [
        pytest.param(model_revision(SUBMITTED), False, id="the-models-labels"),
        pytest.param(
            reclassification_revision(content_key(SUBMITTED), AFTER, "v9"),
            False,
            id="reclassified-after-the-withdrawal",
        ),
        pytest.param(
            review_revision(content_key(SUBMITTED), ReviewerRole.COORDINATOR, AFTER, DECISION_ID),
            False,
            id="coordinator-decided-after-the-withdrawal",
        ),
        pytest.param(
            model_revision(WITHDRAWN - dt.timedelta(milliseconds=1)),
            False,
            id="correction-accepted-just-before",
        ),
        pytest.param(
            review_revision(
                content_key(WITHDRAWN - dt.timedelta(milliseconds=1)),
                ReviewerRole.COORDINATOR,
                AFTER,
                DECISION_ID,
            ),
            False,
            id="decision-on-a-correction-accepted-just-before",
        ),
        pytest.param(
            model_revision(WITHDRAWN + dt.timedelta(milliseconds=1)),
            True,
            id="version-accepted-just-after",
        ),
        pytest.param(model_revision(AFTER), True, id="version-accepted-a-month-after"),
    ],
)
def test_the_tombstone_stands_over_every_earlier_version_and_under_a_later_one(
    revision: int, above_tombstone: bool
) -> None:
    (rows,) = plan([withdrawal()], {SIGNAL: stored(signal())}).writes
    assert (revision > column(rows.signal, "revision")) is above_tombstone


def test_a_withdrawal_of_a_signal_not_stored_yet_writes_a_bare_tombstone() -> None:
    """It overtook its signal: a tombstone with no dimensions, in the withdrawal's week."""
    result = plan([withdrawal()], {})
    (rows,) = result.writes
    row = rows.signal
    assert None not in row
    assert {n: column(row, n) for n in DIMENSIONS} == {
        "signal_id": SIGNAL,
        "organisation_id": "mee-noord",
        "observed_on": dt.date(2026, 3, 20),
        "week_start": dt.date(2026, 3, 16),
        "municipality_code": "",
        "region_year": 2026,
        "law_domains": [],
        "life_domains": [],
        "target_groups": [],
        "age_band": "",
        "supporter_type": "",
        "version": 1,
    }
    assert (column(row, "label_source"), column(row, "description")) == ("withdrawn", "")
    # The signal arriving later is an older version than the tombstone.
    assert model_revision(SUBMITTED) < column(row, "revision")
    assert result.erase == [(SIGNAL, column(row, "revision"))]


def test_a_withdrawal_naming_another_organisation_is_refused() -> None:
    result = plan([withdrawal(organisation_id="mee-zuid")], {SIGNAL: stored(signal())})
    assert (result.writes, result.erase, result.withdrawn) == ([], [], [])
    (refused,) = result.rejected
    assert refused.rejection.reason is DeadLetterReason.INVALID_MESSAGE
    assert refused.rejection.signal_id == SIGNAL
    assert "mee-zuid" in refused.rejection.detail


def test_replaying_a_withdrawal_writes_the_identical_tombstone() -> None:
    """Against the stored tombstone (a later batch) and twice in one batch."""
    first = plan([withdrawal()], {SIGNAL: stored(signal())})
    (tomb,) = first.writes
    after = StoredSignal(
        model_row=tuple(tomb.signal),
        latest_revision=int(column(tomb.signal, "revision")),
        text_erased=True,
    )
    replayed = plan([withdrawal()], {SIGNAL: after})
    twice = plan([withdrawal(), withdrawal()], {SIGNAL: stored(signal())})
    assert [r.signal for r in replayed.writes] == [tomb.signal]
    assert [r.signal for r in twice.writes] == [tomb.signal, tomb.signal]
    assert replayed.erase == first.erase
    assert after.withdrawn


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param(b"not json", DeadLetterReason.NOT_JSON, id="not-json"),
        pytest.param(
            encode(withdrawal())[:-1] + b', "extra": 1}',
            DeadLetterReason.INVALID_MESSAGE,
            id="unknown-field",
        ),
        pytest.param(
            encode(withdrawal(at=dt.datetime(2019, 12, 31, tzinfo=dt.UTC))),
            DeadLetterReason.INVALID_MESSAGE,
            id="before-the-revision-range",
        ),
    ],
)
def test_a_withdrawal_that_cannot_be_placed_is_refused(
    value: bytes, reason: DeadLetterReason
) -> None:
    result = process_withdrawal(ConsumedRecord("signals.withdrawn", 0, 0, None, value))
    assert isinstance(result, Rejection)
    assert result.reason is reason


def decision_on(message: SignalClassified, outcome: ReviewOutcome) -> SignalReviewed:
    return SignalReviewed(
        decision_id=uuid.uuid5(SIGNAL, str(outcome)),
        signal_id=SIGNAL,
        organisation_id=message.organisation_id,
        outcome=outcome,
        labels=[Category.MISSED_RIGHTS],
        identifying_kinds=[PiiKind.NAME]
        if outcome is ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
        else [],
        reviewer="rv-0123456789abcdef",
        role=ReviewerRole.COORDINATOR,
        decided_at=AFTER,
        reviewed_model_version=message.classification.model_version,
    )


@pytest.mark.parametrize(
    "outcome", list(ReviewOutcome), ids=[outcome.value for outcome in ReviewOutcome]
)
def test_a_decision_on_a_withdrawn_signal_writes_nothing(outcome: ReviewOutcome) -> None:
    """Not refused either: the decision was valid when made, and is counted as superseded."""
    (tomb,) = plan([withdrawal()], {SIGNAL: stored(signal())}).writes
    withdrawn = StoredSignal(
        model_row=tuple(tomb.signal),
        latest_revision=int(column(tomb.signal, "revision")),
        text_erased=True,
    )
    item = decision_on(signal(), outcome)
    found = process_decision(ConsumedRecord("signals.reviewed", 0, 0, None, encode(item)))
    assert isinstance(found, DecisionCandidate)
    result = plan_decisions([found], {SIGNAL: withdrawn})
    assert (result.writes, result.decision_rows, result.erase, result.rejected) == ([], [], [], [])
    assert result.superseded == 1
    # The same decision on the signal before it was withdrawn is applied.
    assert len(plan_decisions([found], {SIGNAL: stored(signal())}).writes) == 1


def test_tombstone_of_a_stored_row_does_not_depend_on_its_labels() -> None:
    """A reviewed or reclassified model row leaves the same tombstone: labels never leak."""
    plain = tombstone(candidate(withdrawal()), stored(signal()).model_row)
    relabelled = signal(
        classification=signal().classification.model_copy(
            update={"labels": [Category.MISSED_RIGHTS], "model_version": "v9"}
        )
    )
    other = tombstone(candidate(withdrawal()), stored(relabelled).model_row)
    assert other.signal == plain.signal

"""A withdrawal (``signals.withdrawn``) -> a tombstone revision and the erasure of the text.

Pure, like the other steps. ``plan_withdrawals`` says, per withdrawal:

- a tombstone row: the signal's dimensions as stored (so the week it leaves is counted
  again), no text, no categories, ``label_source = 'withdrawn'``, and the revision of the
  withdrawal (``revisions.withdrawal_revision``). The fact views skip tombstones (migration
  0013), and the tombstone is the highest revision of every version accepted before it, so
  those versions count nowhere. A version accepted after the withdrawal stands over it and
  counts again. A withdrawal of a signal not stored yet (it overtook the signal on its way
  through the classifier) writes a bare tombstone, which the signal then arrives under as
  an older version and is ignored;
- the erasure of the text of every revision below the tombstone;
- a rejection when the signal is another organisation's.

Replays write the same tombstone again (it collapses) and erase nothing new.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from waakhond_aggregator.processing.decisions import StoredSignal
from waakhond_aggregator.processing.revisions import withdrawal_revision
from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS, LabelSource, SignalRows
from waakhond_contract.messages import DeadLetterReason, SignalWithdrawn
from waakhond_runtime.codec import DecodeError, decode
from waakhond_runtime.deadletters import RejectedRecord, Rejection
from waakhond_runtime.records import ConsumedRecord

_COLUMN = {name: index for index, name in enumerate(SIGNAL_COLUMNS)}
TOMBSTONE_FINGERPRINT = "withdrawn"


@dataclass(frozen=True, slots=True)
class WithdrawalCandidate:
    message: ConsumedRecord
    withdrawal: SignalWithdrawn

    @property
    def revision(self) -> int:
        return withdrawal_revision(self.withdrawal.withdrawn_at, self.withdrawal.withdrawal_id)


@dataclass(slots=True)
class WithdrawalPlan:
    writes: list[SignalRows] = field(default_factory=list)
    written_from: list[ConsumedRecord] = field(default_factory=list)  # parallel to writes
    # (signal, revision): erase the text of every revision of the signal below this one.
    erase: list[tuple[uuid.UUID, int]] = field(default_factory=list)
    withdrawn: list[SignalWithdrawn] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)


def process_withdrawal(record: ConsumedRecord) -> WithdrawalCandidate | Rejection:
    """Steps 1 and 2 for ``signals.withdrawn``: decode, and place it in the revisions."""
    try:
        withdrawal = decode(SignalWithdrawn, record.value)
    except DecodeError as error:
        return Rejection(error.reason, error.detail)
    candidate = WithdrawalCandidate(record, withdrawal)
    try:
        candidate.revision  # noqa: B018 - out of the revision range is refused here
    except ValueError as error:
        return Rejection(DeadLetterReason.INVALID_MESSAGE, str(error), withdrawal.signal_id)
    return candidate


def plan_withdrawals(
    candidates: list[WithdrawalCandidate], stored: dict[uuid.UUID, StoredSignal]
) -> WithdrawalPlan:
    plan = WithdrawalPlan()
    for candidate in candidates:
        withdrawal = candidate.withdrawal
        signal = stored.get(withdrawal.signal_id)
        if signal is not None and signal.organisation_id != withdrawal.organisation_id:
            plan.rejected.append(RejectedRecord(candidate.message, _other_org(withdrawal)))
            continue
        row = tombstone(candidate, None if signal is None else signal.model_row)
        plan.writes.append(row)
        plan.written_from.append(candidate.message)
        plan.erase.append((withdrawal.signal_id, candidate.revision))
        plan.withdrawn.append(withdrawal)
    return plan


def tombstone(candidate: WithdrawalCandidate, stored_row: tuple[Any, ...] | None) -> SignalRows:
    withdrawal = candidate.withdrawal
    at = withdrawal.withdrawn_at.astimezone(dt.UTC)
    row = list(stored_row) if stored_row is not None else _bare(withdrawal, at)
    row[_COLUMN["revision"]] = candidate.revision
    # The tombstone stands as a version accepted at the moment of the withdrawal: older
    # versions replayed after it are ignored, a later submission is a new version.
    row[_COLUMN["submitted_at"]] = at
    row[_COLUMN["classified_at"]] = at
    row[_COLUMN["description"]] = ""
    row[_COLUMN["suggested_categories"]] = []
    row[_COLUMN["categories"]] = []
    row[_COLUMN["model_categories"]] = []
    row[_COLUMN["scores"]] = {}
    row[_COLUMN["explanations"]] = {}
    row[_COLUMN["needs_review"]] = False
    row[_COLUMN["review_reasons"]] = []
    row[_COLUMN["model_version"]] = ""
    row[_COLUMN["content_fingerprint"]] = TOMBSTONE_FINGERPRINT
    row[_COLUMN["label_source"]] = LabelSource.WITHDRAWN.value
    row[_COLUMN["text_erased"]] = True
    row[_COLUMN["replaces_week_start"]] = row[_COLUMN["week_start"]]
    return SignalRows(signal=row, fingerprint=TOMBSTONE_FINGERPRINT, categories=())


def _bare(withdrawal: SignalWithdrawn, at: dt.datetime) -> list[Any]:
    """A tombstone for a signal not stored yet: no dimensions to keep."""
    day = at.date()
    row: list[Any] = [None] * len(SIGNAL_COLUMNS)
    row[_COLUMN["signal_id"]] = withdrawal.signal_id
    row[_COLUMN["organisation_id"]] = withdrawal.organisation_id
    row[_COLUMN["observed_on"]] = day
    row[_COLUMN["week_start"]] = day - dt.timedelta(days=day.weekday())
    row[_COLUMN["municipality_code"]] = ""
    row[_COLUMN["region_year"]] = day.year
    for name in ("law_domains", "life_domains", "target_groups"):
        row[_COLUMN[name]] = []
    row[_COLUMN["age_band"]] = ""
    row[_COLUMN["supporter_type"]] = ""
    row[_COLUMN["version"]] = 1
    return row


def _other_org(withdrawal: SignalWithdrawn) -> Rejection:
    return Rejection(
        DeadLetterReason.INVALID_MESSAGE,
        f"withdrawal {withdrawal.withdrawal_id} names organisation "
        f"{withdrawal.organisation_id}, but signal {withdrawal.signal_id} is another "
        "organisation's",
        withdrawal.signal_id,
    )

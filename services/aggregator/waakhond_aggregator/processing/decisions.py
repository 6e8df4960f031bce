"""A person's decision (``signals.reviewed``) -> a new revision of the signal it is about.

Pure, like the other steps: the streaming layer decodes records into ``DecisionCandidate``s,
reads what ``signals`` holds of their signals (``StoredSignal``) and hands both to
``plan_decisions``, which says what to write:

- a revision row for each decision on the current version of its signal that stands over
  what is stored (``revisions.py``): the model's current row with the reviewer's
  categories; a decision on a version since corrected writes nothing (it was about other
  text); a decision equal to the stored highest
  revision is written again, so a write a crash interrupted is completed by the replay, and
  a decision below it writes nothing (it lost to a coordinator's or to a later one);
- a row in ``review_decisions`` for every decision, applied or not (the agreement figures);
- the signals whose text must be erased: any decision that found identifying details,
  whatever its precedence. An erased text stays erased in every later revision;
- a rejection for a decision about a signal that is not stored, or that names another
  organisation than the signal's;
- nothing for a decision about a signal its organisation withdrew: it counts nowhere and
  its text is gone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from waakhond_aggregator.processing.revisions import content_of, review_revision
from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS, LabelSource, SignalRows
from waakhond_contract.messages import DeadLetterReason, ReviewOutcome, SignalReviewed
from waakhond_runtime.codec import DecodeError, decode
from waakhond_runtime.deadletters import RejectedRecord, Rejection
from waakhond_runtime.records import ConsumedRecord

DECISION_COLUMNS = (
    "signal_id",
    "decision_id",
    "organisation_id",
    "outcome",
    "labels",
    "identifying_kinds",
    "reviewer",
    "role",
    "decided_at",
    "reviewed_model_version",
    "model_categories",
    "revision",
    "version",
)

_COLUMN = {name: index for index, name in enumerate(SIGNAL_COLUMNS)}


@dataclass(frozen=True, slots=True)
class DecisionCandidate:
    message: ConsumedRecord
    decision: SignalReviewed

    def revision(self, content: int) -> int:
        decision = self.decision
        return review_revision(content, decision.role, decision.decided_at, decision.decision_id)


@dataclass(frozen=True, slots=True)
class StoredSignal:
    """The model's current row of a signal (``SIGNAL_COLUMNS`` order: the classifier's, or
    the latest reclassification), its highest revision, and whether any of its revisions had
    the text erased."""

    model_row: tuple[Any, ...]
    latest_revision: int
    text_erased: bool

    @property
    def organisation_id(self) -> str:
        return str(self.model_row[_COLUMN["organisation_id"]])

    @property
    def model_categories(self) -> list[str]:
        return list(self.model_row[_COLUMN["model_categories"]])

    @property
    def version(self) -> int:
        return int(self.model_row[_COLUMN["version"]])

    @property
    def withdrawn(self) -> bool:
        """The current revision is a tombstone (``withdrawals.py``)."""
        return bool(self.model_row[_COLUMN["label_source"]] == LabelSource.WITHDRAWN.value)


@dataclass(slots=True)
class DecisionPlan:
    writes: list[SignalRows] = field(default_factory=list)
    written_from: list[ConsumedRecord] = field(default_factory=list)  # parallel to writes
    decision_rows: list[tuple[Any, ...]] = field(default_factory=list)
    erase: list[uuid.UUID] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)
    superseded: int = 0  # decisions that lost to one stored or consumed before them


def process_decision(record: ConsumedRecord) -> DecisionCandidate | Rejection:
    """Steps 1 and 2 for ``signals.reviewed``: decode, and place the decision in the order
    of revisions."""
    try:
        decision = decode(SignalReviewed, record.value)
    except DecodeError as error:
        return Rejection(error.reason, error.detail)
    candidate = DecisionCandidate(record, decision)
    try:
        candidate.revision(0)
    except ValueError as error:
        return Rejection(DeadLetterReason.INVALID_MESSAGE, str(error), decision.signal_id)
    return candidate


def plan_decisions(
    candidates: list[DecisionCandidate], stored: dict[uuid.UUID, StoredSignal]
) -> DecisionPlan:
    plan = DecisionPlan()
    known = dict(stored)
    erased: set[uuid.UUID] = set()
    for candidate in candidates:
        decision = candidate.decision
        signal = known.get(decision.signal_id)
        if signal is None:
            plan.rejected.append(RejectedRecord(candidate.message, _unknown(decision)))
            continue
        if signal.organisation_id != decision.organisation_id:
            plan.rejected.append(RejectedRecord(candidate.message, _other_org(decision)))
            continue
        if signal.withdrawn:
            plan.superseded += 1
            continue
        finds_details = decision.outcome is ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
        if finds_details and decision.signal_id not in erased:
            erased.add(decision.signal_id)
            plan.erase.append(decision.signal_id)
        text_erased = signal.text_erased or finds_details
        revision = candidate.revision(content_of(signal.latest_revision))
        plan.decision_rows.append(_decision_row(candidate, signal, revision))
        if decision.version != signal.version or revision < signal.latest_revision:
            plan.superseded += 1
            if text_erased != signal.text_erased:
                known[decision.signal_id] = StoredSignal(
                    signal.model_row, signal.latest_revision, text_erased
                )
            continue
        plan.writes.append(_revision_rows(signal, revision, decision, text_erased))
        plan.written_from.append(candidate.message)
        known[decision.signal_id] = StoredSignal(signal.model_row, revision, text_erased)
    return plan


def _revision_rows(
    signal: StoredSignal, revision: int, decision: SignalReviewed, text_erased: bool
) -> SignalRows:
    row = list(signal.model_row)
    categories = tuple(sorted(str(label) for label in decision.labels))
    row[_COLUMN["revision"]] = revision
    row[_COLUMN["categories"]] = list(categories)
    row[_COLUMN["label_source"]] = LabelSource.REVIEW.value
    row[_COLUMN["text_erased"]] = text_erased
    if text_erased:
        row[_COLUMN["description"]] = ""
    return SignalRows(
        signal=row,
        fingerprint=str(row[_COLUMN["content_fingerprint"]]),
        categories=categories,
    )


def _decision_row(
    candidate: DecisionCandidate, signal: StoredSignal, revision: int
) -> tuple[Any, ...]:
    decision = candidate.decision
    return (
        decision.signal_id,
        decision.decision_id,
        decision.organisation_id,
        decision.outcome.value,
        sorted(str(label) for label in decision.labels),
        sorted(str(kind) for kind in decision.identifying_kinds),
        decision.reviewer,
        decision.role.value,
        decision.decided_at,
        decision.reviewed_model_version,
        sorted(signal.model_categories),
        revision,
        decision.version,
    )


def _unknown(decision: SignalReviewed) -> Rejection:
    return Rejection(
        DeadLetterReason.UNKNOWN_SIGNAL,
        f"decision {decision.decision_id} is about signal {decision.signal_id}, "
        "which is not stored",
        decision.signal_id,
    )


def _other_org(decision: SignalReviewed) -> Rejection:
    return Rejection(
        DeadLetterReason.INVALID_MESSAGE,
        f"decision {decision.decision_id} names organisation {decision.organisation_id}, "
        f"but signal {decision.signal_id} is another organisation's",
        decision.signal_id,
    )

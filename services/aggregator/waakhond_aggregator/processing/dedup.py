"""Step 4a: decide what to write, so every signal is counted exactly once.

Rules, per signal_id, against what is stored and what came earlier in the batch:
- new: write it;
- the same content and labels again (redelivery, or a retry by the
  organisation): write it again; the tables collapse identical rows, and this
  also completes a write that a crash interrupted;
- the same content with other labels (classified again by another model
  version): keep the first classification, so a signal never moves between
  trend cells;
- other content under the same signal_id (the organisation reused a
  client_ref): a conflict, rejected; the first version stands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from waakhond_aggregator.processing.rows import Candidate, SignalRows, StoredVersion
from waakhond_contract.messages import DeadLetterReason
from waakhond_runtime.deadletters import RejectedRecord, Rejection


@dataclass(slots=True)
class WritePlan:
    writes: list[SignalRows] = field(default_factory=list)
    conflicts: list[RejectedRecord] = field(default_factory=list)
    reclassifications_ignored: int = 0


def plan_writes(candidates: list[Candidate], stored: dict[uuid.UUID, StoredVersion]) -> WritePlan:
    known = dict(stored)
    plan = WritePlan()
    for candidate in candidates:
        signal_id = candidate.signal.signal_id
        version = StoredVersion(candidate.rows.fingerprint, candidate.rows.categories)
        first = known.get(signal_id)
        if first is None:
            known[signal_id] = version
            plan.writes.append(candidate.rows)
        elif first.fingerprint != version.fingerprint:
            plan.conflicts.append(RejectedRecord(candidate.message, _conflict(signal_id)))
        elif first.categories != version.categories:
            plan.reclassifications_ignored += 1
        else:
            plan.writes.append(candidate.rows)
    return plan


def _conflict(signal_id: uuid.UUID) -> Rejection:
    return Rejection(
        DeadLetterReason.CONFLICTING_RESUBMISSION,
        f"signal {signal_id} was stored before with other content; the first version stands",
        signal_id,
    )

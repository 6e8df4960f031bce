"""Step 4a: decide what to write, so every signal is counted exactly once, in its latest
version.

Intake accepts a signal again under the same client_ref (so the same signal_id) when an
organisation retries it or corrects it; ``submitted_at`` says which came last. Rules, per
signal_id, against the current version stored and what came earlier in the batch:

- new: write it, as version 1;
- the message of the current version again (same ``submitted_at``, same content and
  labels: a redelivery): write it again; the tables collapse identical rows, and this also
  completes a write that a crash interrupted. Not once the model was run again or a person
  decided on the version (a higher revision): the classifier's row then counts nowhere, and
  writing it again could bring back a text a reviewer had erased;
- the same version with other labels (classified again by another model version after a
  replay): keep the first classification, so a signal never moves between trend cells;
- a later submission with the same content (a retry by the organisation): nothing changes;
- a later submission with other content (a correction): a new version, numbered on, which
  replaces the current one in every count (``revisions.py``); its row names the week of the
  version it replaces, so that week's cells are counted again (migration 0012);
- an earlier submission than the current version (a replay of an older version): nothing
  changes;
- other content at the same ``submitted_at`` cannot come from intake: a conflict,
  dead-lettered.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from waakhond_aggregator.processing.revisions import content_of
from waakhond_aggregator.processing.rows import (
    REPLACES_WEEK_START,
    REVISION,
    SUBMITTED_AT,
    VERSION,
    WEEK_START,
    Candidate,
    SignalRows,
    StoredVersion,
)
from waakhond_contract.messages import DeadLetterReason
from waakhond_runtime.deadletters import RejectedRecord, Rejection


@dataclass(slots=True)
class WritePlan:
    writes: list[SignalRows] = field(default_factory=list)
    conflicts: list[RejectedRecord] = field(default_factory=list)
    # The candidates whose submission the stored signal counts as it stands (written now,
    # or already there): their status is counted.
    counted: list[Candidate] = field(default_factory=list)
    reclassifications_ignored: int = 0
    superseded_ignored: int = 0
    corrections: int = 0
    unchanged_resubmissions: int = 0
    older_versions_ignored: int = 0


def plan_writes(candidates: list[Candidate], stored: dict[uuid.UUID, StoredVersion]) -> WritePlan:
    known = dict(stored)
    plan = WritePlan()
    for candidate in candidates:
        rows = candidate.rows
        signal_id = candidate.signal.signal_id
        submitted_at = _stored_precision(candidate.signal.submitted_at)
        current = known.get(signal_id)
        if current is None:
            known[signal_id] = _stored(rows, version=1)
            plan.writes.append(rows)
        elif submitted_at < _stored_precision(current.submitted_at):
            plan.older_versions_ignored += 1
            continue
        elif submitted_at > _stored_precision(current.submitted_at):
            if rows.fingerprint == current.fingerprint:
                plan.unchanged_resubmissions += 1
            else:
                correction = _numbered(rows, current.version + 1, current.week_start)
                known[signal_id] = _stored(correction, version=current.version + 1)
                plan.writes.append(correction)
                plan.corrections += 1
        elif rows.fingerprint != current.fingerprint:
            plan.conflicts.append(RejectedRecord(candidate.message, _conflict(signal_id)))
            continue
        elif rows.categories != current.model_categories:
            plan.reclassifications_ignored += 1
        elif current.latest_revision != current.model_revision:
            plan.superseded_ignored += 1
        else:
            plan.writes.append(_as_stored(rows, current))
        plan.counted.append(candidate)
    return plan


def _stored_precision(at: dt.datetime) -> dt.datetime:
    """``signals`` keeps milliseconds (DateTime64(3)); the message has microseconds."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _numbered(rows: SignalRows, version: int, replaces_week: dt.date) -> SignalRows:
    row = list(rows.signal)
    row[VERSION] = version
    row[REPLACES_WEEK_START] = replaces_week
    return SignalRows(signal=row, fingerprint=rows.fingerprint, categories=rows.categories)


def _as_stored(rows: SignalRows, current: StoredVersion) -> SignalRows:
    """The redelivered message as the stored row has it: its version number and revision
    (a signal stored before revisions existed keeps revision 0), so the rows collapse."""
    row = list(rows.signal)
    row[VERSION] = current.version
    row[REVISION] = current.model_revision
    row[REPLACES_WEEK_START] = current.replaces_week_start
    return SignalRows(signal=row, fingerprint=rows.fingerprint, categories=rows.categories)


def _stored(rows: SignalRows, version: int) -> StoredVersion:
    revision = int(rows.signal[REVISION])
    return StoredVersion(
        fingerprint=rows.fingerprint,
        submitted_at=rows.signal[SUBMITTED_AT],
        version=version,
        week_start=rows.signal[WEEK_START],
        replaces_week_start=rows.signal[REPLACES_WEEK_START],
        model_categories=rows.categories,
        model_revision=content_of(revision),
        latest_revision=revision,
    )


def _conflict(signal_id: uuid.UUID) -> Rejection:
    return Rejection(
        DeadLetterReason.CONFLICTING_RESUBMISSION,
        f"signal {signal_id} has another version accepted at the same moment; "
        "the one stored first stands",
        signal_id,
    )

"""Which row of a signal counts: the revision number orders a signal's rows by precedence.

A signal has content versions (an organisation corrects a signal by submitting its
client_ref again with other content), and each version has labels: the model's, the
model's again after ``waakhond reclassify``, and people's decisions. The revision is one
unsigned 128-bit number whose order is exactly that precedence:

- high 64 bits, the *content key*: when intake accepted the version (milliseconds since
  2020-01-01 UTC). A later version stands over everything said about an earlier one,
  people's decisions included: they were about other text;
- low 64 bits, the *label key*: 0 for the classifier's labels; for a reclassification
  rank 0 and when it ran; for a person's decision rank 1 (reviewer) or 2 (coordinator) and
  when it was made; for a withdrawal rank 3. Layout, high to low: 2 bits rank, 42 bits
  milliseconds since 2020-01-01 UTC (more than a century), 18 bits tie-breaker (of the
  decision or withdrawal id, or of the model version).

The row that counts is the one with the highest revision, so what a signal ends up as
depends only on the set of versions and decisions, never on the order they are consumed or
replayed in: a coordinator's decision stands over a reviewer's, otherwise the later one;
a reclassification never overrules a person; a correction starts afresh with the model's
labels. A withdrawal is a revision too, a tombstone: its content key is when it was asked
for, so it stands over every version accepted before it and under a later one. Signals
stored before revisions existed have revision 0 (content key 0).
ClickHouse stores it as UInt128 and orders ``signals`` by (signal_id, revision).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zlib

from waakhond_contract.messages import ReviewerRole

_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_LABEL_BITS = 64
_MILLIS_BITS = 42
_TIE_BITS = 18
_ROLE_RANK = {ReviewerRole.REVIEWER: 1, ReviewerRole.COORDINATOR: 2}
_WITHDRAWAL_RANK = 3


def content_key(submitted_at: dt.datetime) -> int:
    """The high half of every revision of the version intake accepted at ``submitted_at``."""
    return _millis(submitted_at) << _LABEL_BITS


def content_of(revision: int) -> int:
    """The content key of a revision: equal for every revision of one version."""
    return revision >> _LABEL_BITS << _LABEL_BITS


def model_revision(submitted_at: dt.datetime) -> int:
    """The revision of the classifier's labels of a version."""
    return content_key(submitted_at)


def review_revision(
    content: int, role: ReviewerRole, decided_at: dt.datetime, decision_id: uuid.UUID
) -> int:
    """The revision of a decision on the version with content key ``content``."""
    return content | _label_key(_ROLE_RANK[role], decided_at, decision_id.int)


def reclassification_revision(content: int, classified_at: dt.datetime, model_version: str) -> int:
    """The revision of the model's labels given again by ``waakhond reclassify``: above the
    classifier's own, below every person's decision on the same version."""
    return content | _label_key(0, classified_at, zlib.crc32(model_version.encode()))


def withdrawal_revision(withdrawn_at: dt.datetime, withdrawal_id: uuid.UUID) -> int:
    """The revision of a withdrawal's tombstone: above every revision of a version accepted
    before ``withdrawn_at``, below every revision of one accepted after it."""
    return content_key(withdrawn_at) | _label_key(_WITHDRAWAL_RANK, withdrawn_at, withdrawal_id.int)


def _millis(at: dt.datetime) -> int:
    millis = (at - _EPOCH) // dt.timedelta(milliseconds=1)
    if not 0 < millis < 1 << _MILLIS_BITS:
        raise ValueError(f"{at.isoformat()} is outside the revision range")
    return millis


def _label_key(rank: int, at: dt.datetime, tie: int) -> int:
    low = tie & ((1 << _TIE_BITS) - 1)
    return (rank << (_MILLIS_BITS + _TIE_BITS)) | (_millis(at) << _TIE_BITS) | low

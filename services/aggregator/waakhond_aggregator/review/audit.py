"""The audit trail: one JSON line per view and decision on the ``waakhond.review.audit``
logger (who by pseudonymous id, what, when). Never a text, a username or a password: the
fields are fixed here, so a caller cannot add one by mistake."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from enum import StrEnum

AUDIT_LOGGER = "waakhond.review.audit"
_log = logging.getLogger(AUDIT_LOGGER)


class AuditAction(StrEnum):
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_OUT = "signed_out"
    SESSION_EXPIRED = "session_expired"
    VIEWED_QUEUE = "viewed_queue"
    VIEWED_SIGNAL = "viewed_signal"
    SKIPPED = "skipped"
    DECIDED = "decided"
    REFUSED = "refused"


def audit(
    action: AuditAction,
    who: str | None,
    *,
    signal_id: uuid.UUID | None = None,
    outcome: str | None = None,
    reason: str | None = None,
) -> None:
    """``who`` is the pseudonymous reviewer id (None before sign-in)."""
    _log.info(
        "review %s",
        action.value,
        extra={
            "audit_action": action.value,
            "audit_who": who,
            "audit_signal_id": str(signal_id) if signal_id else None,
            "audit_outcome": outcome,
            "audit_reason": reason,
            "audit_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        },
    )

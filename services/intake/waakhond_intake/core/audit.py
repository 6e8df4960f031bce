"""One audit line per submitted signal: who, which signal, when, outcome. Never content."""

from __future__ import annotations

import logging
import uuid

audit_log = logging.getLogger("waakhond.audit")


def audit(
    organisation_id: str,
    key_id: str,
    outcome: str,
    signal_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> None:
    audit_log.info(
        "signal %s",
        outcome,
        extra={
            "audit": True,
            "organisation_id": organisation_id,
            "key_id": key_id,
            "signal_id": str(signal_id) if signal_id else None,
            "outcome": outcome,
            "reason": reason,
        },
    )

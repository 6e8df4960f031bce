"""What a message says about a signal's status: pure, for the status ledger (migration 0013).

The ledger consumer reads three topics: ``signals.submitted`` (accepted),
``signals.classified`` (classified) and ``signals.deadletter`` (dead_lettered: the letter
carries the original message, which names the signal, its organisation and its
submission). The aggregator's consumer adds counted and withdrawn as it stores them. Only
the fields the status needs are read, and a message that does not have them gives no event:
the stage that reads it properly dead-letters it, and that letter gives the event.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json

from waakhond_contract.messages import SignalState
from waakhond_runtime.settings import TopicSettings

# A dead letter's detail is for the person who fixes the message; the status shows its start.
MAX_DETAIL_CHARS = 500


LEDGER_COLUMNS = (
    "organisation_id",
    "signal_id",
    "submitted_at",
    "event",
    "at",
    "stage",
    "reason",
    "detail",
)


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    organisation_id: str
    signal_id: uuid.UUID
    submitted_at: dt.datetime
    event: SignalState
    at: dt.datetime
    stage: str = ""
    reason: str = ""
    detail: str = ""

    def row(self) -> tuple[Any, ...]:
        return (
            self.organisation_id,
            self.signal_id,
            self.submitted_at,
            self.event.value,
            self.at,
            self.stage,
            self.reason,
            self.detail,
        )


def ledger_event(topic: str, value: bytes | None, topics: TopicSettings) -> LedgerEvent | None:
    message = _json(value)
    if message is None:
        return None
    if topic == topics.submitted:
        return _signal_event(message, SignalState.ACCEPTED, at_field=None)
    if topic == topics.classified:
        return _signal_event(message, SignalState.CLASSIFIED, at_field="classified_at")
    if topic == topics.deadletter:
        return _dead_letter_event(message, topics)
    return None


def _signal_event(
    message: dict[str, Any], event: SignalState, at_field: str | None
) -> LedgerEvent | None:
    try:
        submitted_at = _time(message["submitted_at"])
        at = submitted_at
        if at_field is not None:
            at = _time(message["classification"][at_field])
        return LedgerEvent(
            organisation_id=str(message["organisation_id"]),
            signal_id=uuid.UUID(str(message["signal_id"])),
            submitted_at=submitted_at,
            event=event,
            at=at,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _dead_letter_event(letter: dict[str, Any], topics: TopicSettings) -> LedgerEvent | None:
    if letter.get("source_topic") not in (topics.submitted, topics.classified):
        return None  # a decision or a withdrawal: not a submission of a signal
    try:
        original = _json(base64.b64decode(letter["value_base64"], validate=True))
        if original is None:
            return None
        signal = _signal_event(original, SignalState.DEAD_LETTERED, at_field=None)
        if signal is None:
            return None
        return LedgerEvent(
            organisation_id=signal.organisation_id,
            signal_id=signal.signal_id,
            submitted_at=signal.submitted_at,
            event=SignalState.DEAD_LETTERED,
            at=_time(letter["failed_at"]),
            stage=str(letter["stage"]),
            reason=str(letter["reason"]),
            detail=str(letter.get("detail", ""))[:MAX_DETAIL_CHARS],
        )
    except (KeyError, TypeError, ValueError, binascii.Error):
        return None


def _json(value: bytes | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        # pydantic-core's parser: this runs for two records of every signal.
        message = from_json(value)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def _time(value: Any) -> dt.datetime:
    at = dt.datetime.fromisoformat(str(value))
    if at.tzinfo is None:
        raise ValueError("a time without a zone")
    return at.astimezone(dt.UTC)

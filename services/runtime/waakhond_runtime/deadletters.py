"""The dead-letter policy: the one place where a message a stage cannot process becomes a
record on ``signals.deadletter``.

Processors never build dead letters. They return a :class:`Rejection` (the typed "no":
reason, detail, the signal if known); the stage's streaming layer hands it with the
consumed record to its :class:`DeadLetterPolicy`, which keeps the original bytes, the
stage, the reason and where the message was read, and sends it with the original key, so
a dead letter lands on the partition its signal's other records use.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass

from waakhond_contract.messages import DeadLetter, DeadLetterReason, DeadLetterStage
from waakhond_runtime.codec import encode
from waakhond_runtime.records import ConsumedRecord, ProducedRecord

# A detail longer than this says nothing more to the person reading it.
MAX_DETAIL_CHARS = 4000


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a processor could not turn a message into output."""

    reason: DeadLetterReason
    detail: str
    signal_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    """A consumed record and why it was rejected."""

    record: ConsumedRecord
    rejection: Rejection


@dataclass(frozen=True, slots=True)
class DeadLetterPolicy:
    """Turns rejections of one stage into dead-letter records."""

    stage: DeadLetterStage

    def letter(self, rejected: RejectedRecord, now: dt.datetime) -> ProducedRecord:
        record, rejection = rejected.record, rejected.rejection
        letter = DeadLetter(
            stage=self.stage,
            reason=rejection.reason,
            detail=rejection.detail[:MAX_DETAIL_CHARS],
            source_topic=record.topic,
            source_partition=record.partition,
            source_offset=record.offset,
            key_base64=base64.b64encode(record.key).decode() if record.key is not None else None,
            value_base64=base64.b64encode(record.value or b"").decode(),
            signal_id=rejection.signal_id,
            failed_at=now,
        )
        return ProducedRecord(key=record.key, value=encode(letter))

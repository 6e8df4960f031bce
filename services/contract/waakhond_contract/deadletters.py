"""Building dead letters: the original bytes, the stage and the reason."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass

from waakhond_contract.codec import encode
from waakhond_contract.messages import DeadLetter, DeadLetterReason, DeadLetterStage


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """A consumed Kafka record, independent of the client library that read it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def build_dead_letter(
    message: SourceMessage,
    stage: DeadLetterStage,
    reason: DeadLetterReason,
    detail: str,
    now: dt.datetime,
    signal_id: uuid.UUID | None = None,
) -> bytes:
    letter = DeadLetter(
        stage=stage,
        reason=reason,
        detail=detail[:4000],
        source_topic=message.topic,
        source_partition=message.partition,
        source_offset=message.offset,
        key_base64=base64.b64encode(message.key).decode() if message.key is not None else None,
        value_base64=base64.b64encode(message.value or b"").decode(),
        signal_id=signal_id,
        failed_at=now,
    )
    return encode(letter)

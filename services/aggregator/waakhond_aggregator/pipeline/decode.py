"""Step 1: bytes from ``signals.classified`` -> ``SignalClassified``, or a dead letter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from waakhond_contract.codec import DecodeError, decode
from waakhond_contract.deadletters import SourceMessage, build_dead_letter
from waakhond_contract.messages import DeadLetterStage, SignalClassified


@dataclass(frozen=True, slots=True)
class DeadLetterRecord:
    key: bytes | None
    value: bytes
    reason: str


def decode_classified(
    message: SourceMessage, now: dt.datetime
) -> SignalClassified | DeadLetterRecord:
    try:
        return decode(SignalClassified, message.value)
    except DecodeError as error:
        letter = build_dead_letter(
            message, DeadLetterStage.AGGREGATOR, error.reason, error.detail, now
        )
        return DeadLetterRecord(key=message.key, value=letter, reason=str(error.reason))

"""Step 1: bytes from ``signals.classified`` -> ``SignalClassified``, or a rejection."""

from __future__ import annotations

from waakhond_contract.messages import SignalClassified
from waakhond_runtime.codec import DecodeError, decode
from waakhond_runtime.deadletters import Rejection


def decode_classified(value: bytes | None) -> SignalClassified | Rejection:
    try:
        return decode(SignalClassified, value)
    except DecodeError as error:
        return Rejection(error.reason, error.detail)

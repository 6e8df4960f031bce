"""Delivering one batch's records: retried while the broker cannot take them, set aside
when it refuses a record for what it is.

A broker that is away, slow or electing a leader is waited out (capped, jittered backoff,
``waakhond_runtime.retry``), and only the records not yet acknowledged are sent again. A
record the broker refuses for itself (too large, corrupt) fails the same way every time:
a classified record is replaced by a dead letter of the message it came from, so the
partition moves on and the signal is not lost; a refused dead letter is logged, counted and
dropped, since nothing further can hold it. Whether the batch's messages may then be
acknowledged is the caller's decision, made after this returns.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import errors as kafka_errors

from waakhond_classifier.metrics import DELIVERY_REFUSED
from waakhond_contract.messages import DeadLetterReason
from waakhond_runtime.deadletters import DeadLetterPolicy, RejectedRecord, Rejection
from waakhond_runtime.records import ConsumedRecord, ProducedRecord
from waakhond_runtime.retry import RetryPolicy, RetryState

log = logging.getLogger(__name__)

# Raised by the record itself: sending it again can only fail again.
REFUSED_FOR_ITSELF: tuple[type[Exception], ...] = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.CorruptRecordException,
    kafka_errors.InvalidMessageError,
)

# Hands one record to the producer; the awaitable it returns resolves on acknowledgement.
Send = Callable[[str, bytes | None, bytes], Awaitable[Awaitable[Any]]]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A record for ``topic``; ``source`` is the consumed message a classified record came
    from, ``None`` for a dead letter."""

    topic: str
    record: ProducedRecord
    source: ConsumedRecord | None = None


@dataclass(frozen=True, slots=True)
class Delivered:
    refused_classified: int  # replaced by dead letters of their sources
    refused_dead_letters: int  # dropped


def refused_for_itself(error: BaseException) -> bool:
    return isinstance(error, REFUSED_FOR_ITSELF)


async def _send_and_wait(send: Send, outgoing: Outgoing) -> None:
    acknowledged = await send(outgoing.topic, outgoing.record.key, outgoing.record.value)
    await acknowledged


def _signal_id(record: ProducedRecord) -> uuid.UUID | None:
    try:
        return uuid.UUID(json.loads(record.value)["signal_id"])
    except (ValueError, KeyError, TypeError):
        return None


async def deliver(
    send: Send,
    outgoing: list[Outgoing],
    deadletter_topic: str,
    dead_letters: DeadLetterPolicy,
    policy: RetryPolicy,
    state: RetryState,
) -> Delivered:
    """Returns once every record is acknowledged or set aside; retries for as long as the
    broker stays away (the caller's task is cancelled to stop it)."""
    pending = list(outgoing)
    delays = policy.delays()
    refused_classified = refused_dead_letters = 0
    while pending:
        results = await asyncio.gather(
            *(_send_and_wait(send, item) for item in pending), return_exceptions=True
        )
        again: list[Outgoing] = []
        waiting = False
        for item, result in zip(pending, results, strict=True):
            if result is None:
                continue
            if isinstance(result, asyncio.CancelledError):
                raise result
            if not isinstance(result, Exception):
                raise result
            if not refused_for_itself(result):
                again.append(item)
                waiting = True
                continue
            DELIVERY_REFUSED.labels("classified" if item.source else "dead_letter").inc()
            if item.source is None:
                refused_dead_letters += 1
                log.error("the broker refused a dead letter (%r); dropped", result)
                continue
            refused_classified += 1
            rejection = Rejection(
                DeadLetterReason.PROCESSING_FAILED,
                f"the broker refused the classified record: {type(result).__name__}: {result}",
                _signal_id(item.record),
            )
            letter = dead_letters.letter(RejectedRecord(item.source, rejection), _now())
            log.error("the broker refused a classified record (%r); dead-lettering it", result)
            again.append(Outgoing(deadletter_topic, letter))
        if waiting:
            state.failed("delivering to Kafka")
            delay = next(delays)
            log.warning("delivery failed for %d records; retrying in %.1fs", len(again), delay)
            await asyncio.sleep(delay)
        pending = again
    state.succeeded()
    return Delivered(refused_classified, refused_dead_letters)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)

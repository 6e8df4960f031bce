"""Delivering a batch: transient failures are waited out, a record refused for itself is set
aside (a classified record becomes a dead letter of its source), and nothing loops for ever.

The broker cannot be made to refuse one record on demand, so ``FaultInjectingSend`` stands
in for the producer's send: it injects the faults and records what was delivered.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Awaitable
from typing import Any

import pytest
from aiokafka import errors as kafka_errors

from waakhond_classifier.streaming.delivery import Outgoing, deliver
from waakhond_contract.messages import DeadLetterStage
from waakhond_runtime.deadletters import DeadLetterPolicy
from waakhond_runtime.records import ConsumedRecord, ProducedRecord
from waakhond_runtime.retry import RetryPolicy, RetryState

QUICK = RetryPolicy(initial_seconds=0.01, max_seconds=0.02)
DEAD_LETTERS = DeadLetterPolicy(DeadLetterStage.CLASSIFIER)


class FaultInjectingSend:
    """Fails a value's sends with the queued errors first; acknowledges everything else."""

    def __init__(self, faults: dict[bytes, list[Exception]]) -> None:
        self.faults = faults
        self.delivered: list[tuple[str, bytes]] = []
        self.attempts = 0

    async def __call__(self, topic: str, key: bytes | None, value: bytes) -> Awaitable[Any]:
        self.attempts += 1
        queued = self.faults.get(value, [])
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if queued:
            future.set_exception(queued.pop(0))
        else:
            self.delivered.append((topic, value))
            future.set_result(None)
        return future


def classified(offset: int) -> Outgoing:
    signal_id = uuid.uuid4()
    value = json.dumps({"signal_id": str(signal_id), "n": offset}).encode()
    source = ConsumedRecord("signals.submitted", 1, offset, b"ZK02", b"submitted-%d" % offset)
    return Outgoing("signals.classified", ProducedRecord(b"ZK02", value), source)


def run(send: FaultInjectingSend, outgoing: list[Outgoing], state: RetryState) -> Any:
    return asyncio.run(deliver(send, outgoing, "signals.deadletter", DEAD_LETTERS, QUICK, state))


def test_every_record_is_delivered_once_when_nothing_fails() -> None:
    batch = [classified(n) for n in range(5)]
    send = FaultInjectingSend({})
    delivered = run(send, batch, RetryState())
    assert (delivered.refused_classified, delivered.refused_dead_letters) == (0, 0)
    assert send.delivered == [(o.topic, o.record.value) for o in batch]
    assert send.attempts == 5


def test_transient_failures_are_retried_for_the_records_that_failed_only() -> None:
    batch = [classified(n) for n in range(3)]
    timeout = kafka_errors.KafkaTimeoutError()
    lost = kafka_errors.KafkaConnectionError()
    send = FaultInjectingSend({batch[1].record.value: [timeout, lost]})
    state = RetryState()
    run(send, batch, state)
    assert sorted(v for _, v in send.delivered) == sorted(o.record.value for o in batch)
    assert send.attempts == 5  # three, then the failing one twice more
    assert state.retrying_for() == 0


def test_a_classified_record_the_broker_refuses_becomes_a_dead_letter_of_its_source() -> None:
    batch = [classified(n) for n in range(3)]
    refused = batch[1]
    send = FaultInjectingSend({refused.record.value: [kafka_errors.MessageSizeTooLargeError()]})
    delivered = run(send, batch, RetryState())
    assert delivered.refused_classified == 1
    topics = [topic for topic, _ in send.delivered]
    assert topics.count("signals.classified") == 2
    (letter,) = [json.loads(v) for t, v in send.delivered if t == "signals.deadletter"]
    assert refused.source is not None
    assert (letter["reason"], letter["source_offset"]) == ("processing_failed", 1)
    assert base64.b64decode(letter["value_base64"]) == refused.source.value
    assert letter["signal_id"] == json.loads(refused.record.value)["signal_id"]
    assert letter["detail"].startswith("the broker refused the classified record")


def test_a_refused_dead_letter_is_dropped_not_retried_for_ever() -> None:
    letter = Outgoing("signals.deadletter", ProducedRecord(None, b"a dead letter"))
    send = FaultInjectingSend({b"a dead letter": [kafka_errors.RecordTooLargeError()]})
    delivered = run(send, [letter, classified(7)], RetryState())
    assert delivered.refused_dead_letters == 1
    assert [t for t, _ in send.delivered] == ["signals.classified"]


def test_while_the_broker_is_away_the_state_says_delivery_is_failing() -> None:
    batch = [classified(0)]
    send = FaultInjectingSend({batch[0].record.value: [kafka_errors.KafkaTimeoutError()] * 50})
    state = RetryState()

    async def watch() -> tuple[str, float]:
        task = asyncio.create_task(
            deliver(send, batch, "signals.deadletter", DEAD_LETTERS, QUICK, state)
        )
        await asyncio.sleep(0.2)
        seen = (state.what, state.retrying_for())
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return seen

    what, seconds = asyncio.run(watch())
    assert what == "delivering to Kafka"
    assert seconds > 0.1
    assert send.delivered == []

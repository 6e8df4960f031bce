from __future__ import annotations

from waakhond_aggregator.processing.batching import Batch, BatchPolicy
from waakhond_contract.messages import DeadLetterReason
from waakhond_runtime.deadletters import Rejection
from waakhond_runtime.records import ConsumedRecord


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def letter(offset: int, partition: int = 0) -> tuple[ConsumedRecord, Rejection]:
    message = ConsumedRecord("t", partition, offset, None, b"x")
    return message, Rejection(DeadLetterReason.NOT_JSON, "not JSON")


def test_an_empty_batch_is_never_ready_however_long_it_waits() -> None:
    clock = FakeClock()
    batch = Batch(BatchPolicy(max_messages=3, max_seconds=1.0), clock=clock)
    clock.now += 60
    assert not batch.is_ready()
    assert batch.room == 3


def test_ready_when_full_before_the_time_limit() -> None:
    clock = FakeClock()
    batch = Batch(BatchPolicy(max_messages=3, max_seconds=1.0), clock=clock)
    for offset in range(2):
        batch.add(*letter(offset))
    assert not batch.is_ready()
    assert batch.room == 1
    batch.add(*letter(2))
    assert batch.is_full()
    assert batch.is_ready()
    assert batch.room == 0


def test_ready_when_the_first_message_waited_the_time_limit() -> None:
    clock = FakeClock()
    batch = Batch(BatchPolicy(max_messages=100, max_seconds=0.25), clock=clock)
    batch.add(*letter(0))
    clock.now += 0.2
    batch.add(*letter(1))  # a later message does not restart the clock
    assert not batch.is_ready()
    clock.now += 0.05
    assert batch.is_ready()
    assert not batch.is_full()


def test_offsets_to_commit_are_the_next_to_read_per_partition() -> None:
    batch = Batch(BatchPolicy())
    batch.add(*letter(4, partition=0))
    batch.add(*letter(9, partition=1))
    batch.add(*letter(5, partition=0))
    assert batch.next_offsets == {("t", 0): 6, ("t", 1): 10}
    assert len(batch) == 3

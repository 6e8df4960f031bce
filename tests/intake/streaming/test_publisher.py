"""The publisher heals itself: a producer that delivers nothing while the broker is reachable
is replaced, and intake accepts again without a restart."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from kafka.future import Future

from waakhond_intake.streaming.publisher import (
    Acknowledgements,
    BrokerUnavailableError,
    ProducerPolicy,
    SignalPublisher,
    new_kafka_producer,
)
from waakhond_runtime.records import ProducedRecord
from waakhond_runtime.settings import KafkaSettings, TopicSettings


class _NeverSettled:
    def add_callback(self, *_: Any) -> None:
        pass

    def add_errback(self, *_: Any) -> None:
        pass


class StuckProducerFault:
    """Injected fault, not a real part: a producer that takes records and never delivers
    them, as kafka-python's did once after a broker restart (no metadata, only timeouts).
    The real producer cannot be put in that state on demand."""

    def __init__(self) -> None:
        self.closing = threading.Event()
        self.closed = threading.Event()

    def send(self, topic: str, key: bytes | None = None, value: bytes | None = None) -> Any:
        return _NeverSettled()

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        self.closing.set()
        self.closed.set()


class SlowClosingProducerFault(StuckProducerFault):
    """Injected fault: a stuck producer whose close takes a second, as kafka-python's does
    while its pending records expire."""

    def close(self, timeout: float | None = None) -> None:
        self.closing.set()
        time.sleep(1.0)
        self.closed.set()


class FaultFirstProducerFactory:
    """Injected fault, not a real part: the publisher's producer factory, handing out the
    given faulty producer first and a real producer for every replacement after it."""

    def __init__(
        self,
        fault: StuckProducerFault,
        kafka: KafkaSettings,
        policy: ProducerPolicy,
        *,
        replacement_delay_seconds: float = 0.0,
    ) -> None:
        self.fault = fault
        self._kafka = kafka
        self._policy = policy
        self._replacement_delay_seconds = replacement_delay_seconds
        self._fault_handed_out = False
        self.replacing = threading.Event()
        self.replacements: list[KafkaProducer] = []

    def __call__(self) -> KafkaProducer:
        if not self._fault_handed_out:
            self._fault_handed_out = True
            return self.fault
        self.replacing.set()
        time.sleep(self._replacement_delay_seconds)
        self.replacements.append(new_kafka_producer(self._kafka, self._policy))
        return self.replacements[-1]


RECORD = [ProducedRecord(key=b"GM0363", value=b"{}")]


def started_with(
    fault: StuckProducerFault,
    kafka: KafkaSettings,
    topic: str,
    *,
    replace_after_seconds: float,
    replacement_delay_seconds: float = 0.0,
) -> tuple[SignalPublisher, FaultFirstProducerFactory]:
    """A started publisher whose first producer, the fault, is in place; and its factory.
    The delivery timeout is two seconds, so each publish through the fault fails within three."""
    policy = ProducerPolicy(
        delivery_timeout_seconds=2.0, replace_after_seconds=replace_after_seconds
    )
    factory = FaultFirstProducerFactory(
        fault, kafka, policy, replacement_delay_seconds=replacement_delay_seconds
    )
    publisher = SignalPublisher(kafka, topic, policy, producer_factory=factory)
    publisher.start()
    deadline = time.monotonic() + 30
    while not publisher.connected:
        assert time.monotonic() < deadline, "the publisher never installed its first producer"
        time.sleep(0.01)
    return publisher, factory


def fail_twice(publisher: SignalPublisher) -> None:
    """With ``replace_after_seconds=0``: the first failure starts the failing, the second
    starts a replacement."""

    async def publish_twice() -> None:
        await publisher.publish(RECORD)
        await publisher.publish(RECORD)

    asyncio.run(publish_twice())


def test_a_stuck_producer_is_replaced_while_the_broker_is_reachable(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    stuck = StuckProducerFault()
    publisher, _ = started_with(stuck, kafka_settings, topics.submitted, replace_after_seconds=1.0)

    async def scenario() -> list[list[BaseException | None]]:
        outcomes = [await publisher.publish(RECORD)]  # fails: nothing is delivered
        await asyncio.sleep(1.1)
        outcomes.append(await publisher.publish(RECORD))  # fails, and starts the replacement
        # The stuck producer is closed only once its replacement is in place.
        replaced = await asyncio.to_thread(stuck.closed.wait, 30)
        assert replaced, "the stuck producer was never replaced"
        outcomes.append(await publisher.publish(RECORD))
        return outcomes

    try:
        first, second, after = asyncio.run(scenario())
    finally:
        publisher.close()
    assert first[0] is not None
    assert second[0] is not None
    assert after == [None]


def test_a_failing_producer_is_kept_while_the_broker_is_unreachable(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    """Replacing it would not help: it reconnects by itself once the broker is back."""
    unreachable = KafkaSettings(bootstrap_servers="127.0.0.1:9")
    publisher, factory = started_with(
        StuckProducerFault(), unreachable, topics.submitted, replace_after_seconds=0.2
    )

    async def scenario() -> None:
        for _ in range(3):
            assert (await publisher.publish(RECORD))[0] is not None
            await asyncio.sleep(0.3)

    try:
        asyncio.run(scenario())
        time.sleep(0.5)
        assert not factory.replacing.is_set()
    finally:
        publisher.close()


def test_sends_do_not_wait_behind_other_work_in_the_default_thread_pool(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    """Redaction runs in asyncio's default pool; a publish must not queue behind it."""
    publisher = SignalPublisher(kafka_settings, topics.submitted, ProducerPolicy())
    publisher.start()
    record = [ProducedRecord(key=b"mee-noord", value=b"{}")]
    release = threading.Event()

    async def scenario() -> list[BaseException | None]:
        deadline = time.monotonic() + 30
        while not publisher.broker_reachable():
            assert time.monotonic() < deadline, "the publisher never connected"
            await asyncio.sleep(0.1)
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(1))
        busy = loop.run_in_executor(None, release.wait, 30)  # the pool's only worker
        try:
            return await asyncio.wait_for(publisher.publish(record), timeout=10)
        finally:
            release.set()
            await busy

    try:
        outcomes = asyncio.run(scenario())
    finally:
        release.set()
        publisher.close()
    assert outcomes == [None]


def test_a_producer_replaced_while_intake_stops_is_closed(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    """Stopping must not race the replacement: a producer installed after the stop took the
    old one would keep its sender thread until the garbage collector found it."""
    publisher, factory = started_with(
        StuckProducerFault(),
        kafka_settings,
        topics.submitted,
        replace_after_seconds=0.0,
        # A replacement that is still connecting when the stop comes.
        replacement_delay_seconds=0.5,
    )
    fail_twice(publisher)
    assert factory.replacing.wait(5), "no replacement was under way"
    publisher.close()
    time.sleep(1.0)
    assert factory.replacements, "the replacement was never made"
    assert all(producer._closed for producer in factory.replacements)
    assert not publisher.connected


def test_stopping_waits_until_a_replaced_producer_is_closed(
    kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    stale = SlowClosingProducerFault()
    publisher, _ = started_with(stale, kafka_settings, topics.submitted, replace_after_seconds=0.0)
    fail_twice(publisher)
    # The stale producer is closed only once its replacement is in place.
    assert stale.closing.wait(30), "the stuck producer was never replaced"
    publisher.close()
    assert stale.closed.is_set()


def _settle_on_another_thread(futures: list[Future], outcomes: list[str]) -> None:
    """As kafka-python's sender thread does: "ok", "failed", or "never" (left pending)."""
    for future, outcome in zip(futures, outcomes, strict=True):
        if outcome == "ok":
            future.success("metadata")
        elif outcome == "failed":
            future.failure(KafkaTimeoutError("expired"))


@pytest.mark.parametrize(
    ("outcomes", "all_in"),
    [
        pytest.param(["ok", "ok", "ok"], True, id="all-acknowledged"),
        pytest.param(["ok", "failed", "ok"], True, id="one-failed"),
        pytest.param(["ok", "never", "failed"], False, id="one-unanswered"),
        pytest.param([], True, id="no-records"),
    ],
)
def test_acknowledgements_give_each_record_its_own_outcome(
    outcomes: list[str], all_in: bool
) -> None:
    async def collect() -> tuple[bool, list[BaseException | None]]:
        futures = [Future() for _ in outcomes]
        acknowledgements = Acknowledgements(asyncio.get_running_loop(), futures)
        sender = threading.Thread(target=_settle_on_another_thread, args=(futures, outcomes))
        sender.start()
        await asyncio.wait([acknowledgements.all_in], timeout=1.0)
        sender.join()
        return acknowledgements.all_in.done(), acknowledgements.outcomes()

    done, collected = asyncio.run(collect())
    assert done is all_in
    for expected, outcome in zip(outcomes, collected, strict=True):
        if expected == "ok":
            assert outcome is None
        elif expected == "failed":
            assert isinstance(outcome, KafkaTimeoutError)
        else:
            assert isinstance(outcome, BrokerUnavailableError)


def test_acknowledgements_of_records_settled_before_they_are_watched() -> None:
    async def collect() -> list[BaseException | None]:
        settled = [Future().success("metadata"), Future().failure(KafkaTimeoutError("expired"))]
        acknowledgements = Acknowledgements(asyncio.get_running_loop(), settled)
        await asyncio.wait_for(acknowledgements.all_in, timeout=1.0)
        return acknowledgements.outcomes()

    ok, failed = asyncio.run(collect())
    assert ok is None
    assert isinstance(failed, KafkaTimeoutError)

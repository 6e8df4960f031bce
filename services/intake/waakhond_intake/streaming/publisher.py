"""Puts accepted signals on Kafka and reports, per record, whether the broker acknowledged it.

Delivery guarantee: a record counts as accepted only when the broker
acknowledged it with acks=all. A request that times out is answered 503; the
record may still have reached the broker, which is harmless because a retry
carries the same signal_id and is stored once downstream (at-least-once,
idempotent by key).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from kafka import KafkaProducer

from waakhond_runtime.records import ProducedRecord
from waakhond_runtime.settings import KafkaSettings

log = logging.getLogger(__name__)


class BrokerUnavailableError(Exception):
    """The broker could not be reached or did not acknowledge in time."""


@dataclass(frozen=True, slots=True)
class ProducerPolicy:
    """Producer settings chosen for durability first, then throughput."""

    delivery_timeout_seconds: float = 5.0
    linger_ms: int = 5
    compression_type: str = "lz4"
    connect_retry_seconds: float = 2.0
    reconnect_backoff_max_ms: int = 1000
    # A producer that has failed every delivery this long while the broker accepts
    # connections is replaced: kafka-python's producer has been seen to stay without
    # metadata after a broker restart, answering nothing but timeouts.
    replace_after_seconds: float = 5.0
    # Threads that hand records to the producer. Their own pool: in asyncio's default
    # pool a send queued behind the redaction of other requests (a third of the publish
    # time under load). More than one, because a send blocks while metadata is missing.
    sender_threads: int = 4


def new_kafka_producer(kafka: KafkaSettings, policy: ProducerPolicy) -> KafkaProducer:
    """The producer intake publishes with: acks=all, within the policy's delivery timeout."""
    timeout_ms = int(policy.delivery_timeout_seconds * 1000)
    return KafkaProducer(
        bootstrap_servers=kafka.bootstrap_list,
        client_id=f"{kafka.client_id}-intake",
        acks="all",
        linger_ms=policy.linger_ms,
        compression_type=policy.compression_type,
        max_block_ms=timeout_ms,
        request_timeout_ms=max(1000, timeout_ms - 500),
        delivery_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
        # Back in service within seconds of the broker's return (default: 30 s).
        reconnect_backoff_max_ms=policy.reconnect_backoff_max_ms,
    )


class Acknowledgements:
    """The broker's answers for one request's records, collected as they arrive.

    kafka-python settles each record's future on its sender thread; this wakes
    the event loop once, when the last of them is in, instead of once per
    record (each wake-up is a write to the loop's self-pipe, and a batch of
    100 signals paid that a hundred times).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, kafka_futures: Sequence[Any]) -> None:
        self._loop = loop
        self._outcomes: list[BaseException | None] = [None] * len(kafka_futures)
        self._settled = [False] * len(kafka_futures)
        self._waiting = len(kafka_futures)
        self._lock = threading.Lock()
        self.all_in: asyncio.Future[None] = loop.create_future()
        if not kafka_futures:
            self.all_in.set_result(None)
        for index, future in enumerate(kafka_futures):
            # Run at once, on this thread, for a future that is settled already.
            future.add_callback(self._acknowledged, index)
            future.add_errback(self._settle, index)

    def _acknowledged(self, index: int, _metadata: Any) -> None:
        self._settle(index, None)

    def _settle(self, index: int, error: BaseException | None) -> None:
        with self._lock:
            if self._settled[index]:
                return
            self._settled[index] = True
            self._outcomes[index] = error
            self._waiting -= 1
            last = self._waiting == 0
        if last:
            self._loop.call_soon_threadsafe(self._finish)

    def _finish(self) -> None:
        if not self.all_in.done():
            self.all_in.set_result(None)

    def outcomes(self) -> list[BaseException | None]:
        """Per record ``None`` when acknowledged, its error, or, while still unanswered,
        ``BrokerUnavailableError``."""
        with self._lock:
            return [
                outcome if settled else BrokerUnavailableError("no acknowledgement in time")
                for outcome, settled in zip(self._outcomes, self._settled, strict=True)
            ]


class SignalPublisher:
    def __init__(
        self,
        kafka: KafkaSettings,
        topic: str,
        policy: ProducerPolicy,
        producer_factory: Callable[[], KafkaProducer] | None = None,
    ) -> None:
        """``producer_factory`` makes the first producer and every replacement; tests give one
        that injects faults the real producer cannot be brought into on demand."""
        self._kafka = kafka
        self._topic = topic
        self._policy = policy
        self._new_producer = (
            producer_factory
            if producer_factory is not None
            else partial(new_kafka_producer, kafka, policy)
        )
        self._producer: KafkaProducer | None = None
        self._stopping = threading.Event()
        self._connector: threading.Thread | None = None
        self._failing_since: float | None = None
        self._replacing = threading.Lock()
        self._replacer: threading.Thread | None = None
        self._senders = ThreadPoolExecutor(policy.sender_threads, thread_name_prefix="kafka-send")

    def start(self) -> None:
        """Connect in the background: intake serves (and answers 503) while the broker is down."""
        self._connector = threading.Thread(
            target=self._connect_until_ready, name="kafka-connect", daemon=True
        )
        self._connector.start()

    def _connect_until_ready(self) -> None:
        while not self._stopping.is_set():
            try:
                self._producer = self._new_producer()
                log.info("connected to Kafka at %s", self._kafka.bootstrap_servers)
                return
            except Exception as error:  # kafka-python raises several types here
                log.warning("Kafka not reachable yet (%s); retrying", error)
                self._stopping.wait(self._policy.connect_retry_seconds)

    def _record_outcome(self, failed: bool) -> None:
        """Replace a producer that keeps failing while the broker is reachable."""
        if not failed:
            self._failing_since = None
            return
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
            return
        if now - self._failing_since < self._policy.replace_after_seconds:
            return
        if not self.broker_reachable() or not self._replacing.acquire(blocking=False):
            return
        self._failing_since = now
        self._replacer = threading.Thread(target=self._replace, name="kafka-replace", daemon=True)
        self._replacer.start()

    def _replace(self) -> None:
        try:
            if self._stopping.is_set():
                return
            try:
                fresh = self._new_producer()
            except Exception as error:
                log.warning("could not replace the Kafka producer (%s); will try again", error)
                return
            stale, self._producer = self._producer, fresh
            log.warning(
                "replaced a Kafka producer that delivered nothing while the broker was reachable"
            )
        finally:
            self._replacing.release()
        if stale is not None:
            # Its records were never acknowledged, so none was answered 202. kafka-python
            # flushes before it closes and raises if that does not finish in time, leaving
            # its sender thread running; within the delivery timeout every pending record
            # has expired, so the flush ends and the producer really closes.
            try:
                stale.close(timeout=self._policy.delivery_timeout_seconds + 1)
            except Exception as error:  # kafka-python raises several types here
                log.warning("the replaced Kafka producer did not close cleanly: %s", error)

    @property
    def connected(self) -> bool:
        """A producer is in place (whether or not the broker answers it)."""
        return self._producer is not None

    def broker_reachable(self, timeout: float = 1.0) -> bool:
        """A producer exists and a bootstrap server accepts TCP connections."""
        if self._producer is None:
            return False
        for address in self._kafka.bootstrap_list:
            host, _, port = address.rpartition(":")
            try:
                with socket.create_connection((host, int(port)), timeout=timeout):
                    return True
            except OSError:
                continue
        return False

    async def publish(
        self, records: Sequence[ProducedRecord], topic: str | None = None
    ) -> list[BaseException | None]:
        """Send all records (to ``topic``, by default the signals' topic); per record ``None``
        when acknowledged, else the error.

        Raises ``BrokerUnavailableError`` when nothing could be handed to the producer.
        """
        if not records:
            return []
        producer = self._producer
        if producer is None:
            raise BrokerUnavailableError("not connected to Kafka")
        loop = asyncio.get_running_loop()
        # send() blocks while metadata is missing (broker down), so never on the event loop.
        try:
            kafka_futures = await loop.run_in_executor(
                self._senders, self._send_all, producer, records, topic or self._topic
            )
        except Exception as error:
            self._record_outcome(failed=True)
            raise BrokerUnavailableError(str(error)) from error
        acknowledgements = Acknowledgements(loop, kafka_futures)
        await asyncio.wait(
            [acknowledgements.all_in], timeout=self._policy.delivery_timeout_seconds + 1.0
        )
        outcomes = acknowledgements.outcomes()
        self._record_outcome(failed=all(outcome is not None for outcome in outcomes))
        return outcomes

    def _send_all(
        self, producer: KafkaProducer, records: Sequence[ProducedRecord], topic: str
    ) -> list[Any]:
        return [producer.send(topic, key=r.key, value=r.value) for r in records]

    def close(self) -> None:
        self._stopping.set()
        self._senders.shutdown(wait=True)
        # A connection or replacement under way installs its producer first, so that it is
        # closed here and not left to the garbage collector with its sender thread (a new
        # producer gives up within the delivery timeout). Holding the lock from here on
        # lets no replacement start.
        wait = self._policy.delivery_timeout_seconds + 1
        if self._connector is not None:
            self._connector.join(wait)
        self._replacing.acquire(timeout=wait)
        # The replaced producer is closed after the replacement is installed; without
        # waiting for it, it could outlive the process's orderly exit and be left to
        # kafka-python's __del__, whose own flush gives up after one second.
        if self._replacer is not None:
            self._replacer.join(wait)
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            producer.flush(timeout=self._policy.delivery_timeout_seconds)
        except Exception as error:
            # Nothing unflushed was ever answered 202, so nothing acknowledged is lost here.
            log.warning("records still unsent at shutdown were dropped: %s", error)
        producer.close(timeout=self._policy.delivery_timeout_seconds)

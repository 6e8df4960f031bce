"""The status ledger's consumer: accepted, classified and dead-lettered submissions.

Its own consumer group (``<group_id>-ledger``), beside the trend consumer, so a slow status
write never holds up the counts and the other way round. Events are inserted a window at a
time (``BATCH_SECONDS``). Delivery: at-least-once; offsets are committed after the events
are inserted, and an event inserted twice collapses
(``signal_ledger`` is a ReplacingMergeTree on the event's own key and times), so a replay
changes nothing. Counted and withdrawn are written by the trend consumer, when it stores
them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from kafka import KafkaConsumer

from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.processing.ledger import LedgerEvent, ledger_event
from waakhond_aggregator.storage import errors as storage_errors
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_aggregator.streaming.consumer import POLL_TIMEOUT_MS, new_kafka_consumer
from waakhond_runtime.retry import RetryPolicy, RetryState, retry_until_done
from waakhond_runtime.settings import KafkaSettings, TopicSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_POLL_RECORDS = 5000
# One insert per window: every insert makes a part that chDB (in this process) merges later,
# and statuses a second old are fresh enough for the people reading them.
MAX_BATCH_EVENTS = 20_000
BATCH_SECONDS = 1.0


class LedgerConsumer:
    def __init__(
        self,
        store: TrendStore,
        settings: AggregatorSettings,
        kafka: KafkaSettings,
        topics: TopicSettings,
    ) -> None:
        self._store = store
        self._settings = settings
        self._kafka = kafka
        self._topics = topics
        self._retry = RetryPolicy(settings.retry_initial_seconds, settings.retry_max_seconds)
        self.retrying = RetryState()

    def run(self, stop: threading.Event) -> None:
        consumer = self._retry_step(self._new_consumer, "connecting to Kafka", stop)
        events: list[LedgerEvent] = []
        polled_any = False
        opened_at = 0.0
        try:
            while not stop.is_set():
                room = max(1, MAX_BATCH_EVENTS - len(events))
                polled = consumer.poll(timeout_ms=POLL_TIMEOUT_MS, max_records=room)
                if polled and not polled_any:
                    polled_any, opened_at = True, time.monotonic()
                events += [
                    event
                    for records in polled.values()
                    for record in records
                    if (event := ledger_event(record.topic, record.value, self._topics))
                ]
                full = len(events) >= MAX_BATCH_EVENTS
                if polled_any and (full or time.monotonic() - opened_at >= BATCH_SECONDS):
                    self._write_and_commit(consumer, events, stop)
                    events, polled_any = [], False
            if polled_any:
                self._write_and_commit(consumer, events, stop)
        finally:
            consumer.close(autocommit=False)

    def _write_and_commit(
        self, consumer: KafkaConsumer, events: list[LedgerEvent], stop: threading.Event
    ) -> None:
        """Every record polled so far is in ``events`` (or gave none): commit them all."""
        self._retry_step(partial(self._store.record_events, events), "writing the ledger", stop)
        try:
            consumer.commit()
        except Exception as error:
            log.warning("ledger commit failed (%s); the events will be replayed", error)

    def _new_consumer(self) -> KafkaConsumer:
        return new_kafka_consumer(
            [self._topics.submitted, self._topics.classified, self._topics.deadletter],
            self._kafka,
            group_id=f"{self._settings.group_id}-ledger",
            client_id=f"{self._kafka.client_id}-aggregator-ledger",
            max_poll_records=MAX_POLL_RECORDS,
            # Fewer, fuller fetches: every fetch and poll costs this process's interpreter,
            # which the trend consumer needs, and statuses can wait half a second.
            fetch_max_wait_ms=500,
            fetch_min_bytes=1024 * 1024,
        )

    def _retry_step(self, step: Callable[[], T], what: str, stop: threading.Event) -> T:
        return retry_until_done(
            step, what, self._retry, stop, storage_errors.transient, self.retrying
        )

"""The aggregator's consumer loop: poll, decode, batch, then insert and commit.

Delivery guarantee: at-least-once from Kafka, exactly-once in the trends.
Offsets are committed only after a batch's dead letters were acknowledged by
the broker and its rows were inserted into ClickHouse. A crash before the
commit means the batch is read again; the write plan and the tables'
replacing keys make the replay count nothing twice. While ClickHouse or the
broker is unavailable the batch is retried with backoff and nothing is
committed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata
from prometheus_client import Counter, Gauge, Histogram

from waakhond_aggregator.config import AggregatorSettings
from waakhond_aggregator.pipeline.batching import Batch, BatchPolicy
from waakhond_aggregator.pipeline.decode import DeadLetterRecord, decode_classified
from waakhond_aggregator.pipeline.dedup import Candidate, plan_writes
from waakhond_aggregator.pipeline.retry import RetryPolicy, retry_until_done
from waakhond_aggregator.pipeline.sink import TrendStore
from waakhond_aggregator.pipeline.transform import to_rows
from waakhond_contract.deadletters import SourceMessage, build_dead_letter
from waakhond_contract.messages import DeadLetterReason, DeadLetterStage
from waakhond_contract.regions import RegionReference
from waakhond_contract.settings import KafkaSettings, TopicSettings

log = logging.getLogger(__name__)
# Reconnect within a second of the broker's return instead of kafka-python's 30 s ceiling.
RECONNECT_BACKOFF_MAX_MS = 1000

SIGNALS_STORED = Counter("waakhond_aggregator_signals_stored_total", "Signal rows inserted.")
DEAD_LETTERED = Counter(
    "waakhond_aggregator_dead_lettered_total", "Messages dead-lettered, by reason.", ["reason"]
)
RECLASSIFICATIONS_IGNORED = Counter(
    "waakhond_aggregator_reclassifications_ignored_total",
    "Signals seen again with other labels; the first classification stands.",
)
BATCH_SIZE = Histogram(
    "waakhond_aggregator_batch_size",
    "Messages per flushed batch.",
    buckets=(1, 10, 100, 500, 1000, 2500, 5000, 10000),
)
OPEN_BATCH = Gauge(
    "waakhond_aggregator_open_batch_messages", "Messages read but not yet stored and committed."
)
INSERT_SECONDS = Histogram("waakhond_aggregator_insert_seconds", "ClickHouse insert latency.")
PROCESSING_LAG = Histogram(
    "waakhond_aggregator_processing_lag_seconds",
    "From submission at intake to being stored in ClickHouse.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)


class AggregatorConsumer:
    def __init__(
        self,
        store: TrendStore,
        reference: RegionReference,
        settings: AggregatorSettings,
        kafka: KafkaSettings,
        topics: TopicSettings,
    ) -> None:
        self._store = store
        self._reference = reference
        self._settings = settings
        self._kafka = kafka
        self._topics = topics
        self._policy = BatchPolicy(settings.batch_max_messages, settings.batch_max_seconds)
        self._retry = RetryPolicy(settings.retry_initial_seconds, settings.retry_max_seconds)
        self.assigned = threading.Event()

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; then finish the open batch, commit and close."""
        consumer = retry_until_done(self._new_consumer, "connecting to Kafka", self._retry, stop)
        producer = retry_until_done(self._new_producer, "connecting to Kafka", self._retry, stop)
        batch = Batch(self._policy)
        try:
            while not stop.is_set():
                polled = consumer.poll(
                    timeout_ms=100, max_records=max(1, self._policy.max_messages - len(batch))
                )
                if consumer.assignment():
                    self.assigned.set()
                now = dt.datetime.now(dt.UTC)
                for records in polled.values():
                    for record in records:
                        message = SourceMessage(
                            topic=record.topic,
                            partition=record.partition,
                            offset=record.offset,
                            key=record.key,
                            value=record.value,
                        )
                        batch.add(message, decode_classified(message, now))
                OPEN_BATCH.set(len(batch))
                if batch.is_ready():
                    self._flush(batch, consumer, producer, stop)
                    batch = Batch(self._policy)
                    OPEN_BATCH.set(0)
            if len(batch):
                log.info("stopping: storing and committing the open batch of %d", len(batch))
                self._flush(batch, consumer, producer, stop)
                OPEN_BATCH.set(0)
        finally:
            consumer.close(autocommit=False)
            producer.close(timeout=5)

    def _new_consumer(self) -> KafkaConsumer:
        return KafkaConsumer(
            self._topics.classified,
            bootstrap_servers=self._kafka.bootstrap_list,
            client_id=f"{self._kafka.client_id}-aggregator",
            group_id=self._settings.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # A restarted aggregator rejoins after half the session timeout.
            session_timeout_ms=6000,
            heartbeat_interval_ms=2000,
            max_poll_records=self._policy.max_messages,
            bootstrap_timeout_ms=5000,
            reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
        )

    def _new_producer(self) -> KafkaProducer:
        return KafkaProducer(
            bootstrap_servers=self._kafka.bootstrap_list,
            client_id=f"{self._kafka.client_id}-aggregator-deadletter",
            acks="all",
            linger_ms=5,
            bootstrap_timeout_ms=5000,
            reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
        )

    def _flush(
        self, batch: Batch, consumer: KafkaConsumer, producer: KafkaProducer, stop: threading.Event
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        dead_letters = list(batch.dead_letters)
        candidates: list[Candidate] = []
        for message, signal in batch.signals:
            try:
                candidates.append(Candidate(message, signal, to_rows(signal, self._reference)))
            except Exception as error:  # one bad message must not stop the stream
                log.exception("cannot transform signal %s", signal.signal_id)
                dead_letters.append(
                    self._dead_letter(message, DeadLetterReason.PROCESSING_FAILED, repr(error), now)
                )
        stored = retry_until_done(
            lambda: self._store.stored_versions([c.signal.signal_id for c in candidates]),
            "reading stored signals",
            self._retry,
            stop,
        )
        plan = plan_writes(candidates, stored)
        for conflict in plan.conflicts:
            dead_letters.append(
                self._dead_letter(
                    conflict.message,
                    DeadLetterReason.CONFLICTING_RESUBMISSION,
                    f"signal {conflict.signal.signal_id} was stored before with other content; "
                    "the first version stands",
                    now,
                    conflict,
                )
            )
        if dead_letters:
            retry_until_done(
                lambda: self._send_dead_letters(producer, dead_letters),
                "sending dead letters",
                self._retry,
                stop,
            )
        started = time.perf_counter()
        retry_until_done(
            lambda: self._store.insert(plan.writes), "inserting into ClickHouse", self._retry, stop
        )
        INSERT_SECONDS.observe(time.perf_counter() - started)
        offsets = {
            TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)
            for (topic, partition), offset in batch.next_offsets.items()
        }
        try:
            consumer.commit(offsets)
        except Exception as error:
            # The partitions moved to another member: it reads the batch again, and the
            # write plan makes that replay harmless.
            log.warning("commit failed after insert (%s); the batch will be replayed", error)
        stored_at = time.time()
        for rows in plan.writes:
            PROCESSING_LAG.observe(max(0.0, stored_at - rows.signal[2].timestamp()))
        SIGNALS_STORED.inc(len(plan.writes))
        RECLASSIFICATIONS_IGNORED.inc(plan.reclassifications_ignored)
        BATCH_SIZE.observe(len(batch))
        for letter in dead_letters:
            DEAD_LETTERED.labels(letter.reason).inc()

    def _dead_letter(
        self,
        message: SourceMessage,
        reason: DeadLetterReason,
        detail: str,
        now: dt.datetime,
        candidate: Candidate | None = None,
    ) -> DeadLetterRecord:
        value = build_dead_letter(
            message,
            DeadLetterStage.AGGREGATOR,
            reason,
            detail,
            now,
            signal_id=candidate.signal.signal_id if candidate else None,
        )
        return DeadLetterRecord(key=message.key, value=value, reason=str(reason))

    def _send_dead_letters(self, producer: KafkaProducer, letters: list[DeadLetterRecord]) -> None:
        futures: list[Any] = [
            producer.send(self._topics.deadletter, key=letter.key, value=letter.value)
            for letter in letters
        ]
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=0)

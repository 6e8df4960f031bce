"""The aggregator's consumer loop: poll, decode, transform, batch, then insert and commit.

It reads three topics: classified signals (``signals.classified``), people's decisions on
them (``signals.reviewed``) and organisations' withdrawals (``signals.withdrawn``). A
batch's signals are written before its decisions and withdrawals, so a decision or a
withdrawal of a signal in the same batch finds it. What it stores it also records in the
status ledger (counted, withdrawn) before the commit.

Delivery guarantee: at-least-once from Kafka, exactly-once in the trends.
Offsets are committed only after a batch's dead letters were acknowledged by
the broker and its rows were inserted into ClickHouse. A crash before the
commit means the batch is read again; the write plan and the tables'
replacing keys make the replay count nothing twice. While ClickHouse or the
broker is unavailable the batch is retried with backoff and nothing is
committed.

Two threads share the work so that reading the next batch overlaps writing
the previous one (ClickHouse releases the GIL while it inserts): the consumer
thread polls, decodes, transforms and commits; one writer thread at a time
looks up stored versions, sends dead letters and inserts. At most one batch
is being written, and the next write starts only after it finished, so each
write plan sees every row written before it; a batch's offsets are committed
by the consumer thread once its write returned.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.metrics import (
    BATCH_SIZE,
    DEAD_LETTERED,
    DECISIONS_CONSUMED,
    INSERT_SECONDS,
    OPEN_BATCH,
    PROCESSING_LAG,
    RECLASSIFICATIONS_IGNORED,
    RESUBMISSIONS,
    RETRYING_SECONDS,
    ROWS_REFUSED,
    SIGNALS_STORED,
    STORE_LAG,
    TEXTS_ERASED,
    WITHDRAWALS_APPLIED,
)
from waakhond_aggregator.processing.batching import Batch, BatchPolicy
from waakhond_aggregator.processing.decisions import (
    DecisionPlan,
    plan_decisions,
    process_decision,
)
from waakhond_aggregator.processing.dedup import WritePlan, plan_writes
from waakhond_aggregator.processing.ledger import LedgerEvent
from waakhond_aggregator.processing.processor import process_classified
from waakhond_aggregator.processing.rows import CLASSIFIED_AT, SIGNAL_ID, SUBMITTED_AT, SignalRows
from waakhond_aggregator.processing.withdrawals import (
    TOMBSTONE_FINGERPRINT,
    WithdrawalPlan,
    plan_withdrawals,
    process_withdrawal,
)
from waakhond_aggregator.storage import errors as storage_errors
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import DeadLetterReason, DeadLetterStage, SignalState
from waakhond_contract.regions import RegionReference
from waakhond_runtime.deadletters import DeadLetterPolicy, RejectedRecord, Rejection
from waakhond_runtime.records import ConsumedRecord, ProducedRecord
from waakhond_runtime.retry import RetryPolicy, RetryState, retry_until_done
from waakhond_runtime.settings import KafkaSettings, TopicSettings

log = logging.getLogger(__name__)
# Reconnect within a second of the broker's return instead of kafka-python's 30 s ceiling.
RECONNECT_BACKOFF_MAX_MS = 1000
POLL_TIMEOUT_MS = 100
# Tansu answers a fetch when its wait runs out, not when records arrive: the default 500 ms
# wait put up to half a second between a record's arrival and its poll.
FETCH_MAX_WAIT_MS = 50
# While a batch is being written, poll briefly so its commit follows the insert closely.
POLL_TIMEOUT_WRITING_MS = 20

T = TypeVar("T")


def new_kafka_consumer(
    topics: list[str],
    kafka: KafkaSettings,
    *,
    group_id: str,
    client_id: str,
    max_poll_records: int,
    fetch_max_wait_ms: int = FETCH_MAX_WAIT_MS,
    fetch_min_bytes: int = 1,
) -> KafkaConsumer:
    """A consumer that commits by hand, after the write."""
    return KafkaConsumer(
        *topics,
        bootstrap_servers=kafka.bootstrap_list,
        client_id=client_id,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # A restarted aggregator rejoins after half the session timeout.
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
        max_poll_records=max_poll_records,
        fetch_max_wait_ms=fetch_max_wait_ms,
        fetch_min_bytes=fetch_min_bytes,
        # kafka-python's own sensors cost per record and nothing reads them here.
        metrics_enabled=False,
        bootstrap_timeout_ms=5000,
        reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
    )


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """A batch whose dead letters were acknowledged and whose rows were inserted."""

    batch: Batch
    plan: WritePlan
    rejected: list[RejectedRecord]
    refused: int = 0  # rows of the plan the database refused; dead-lettered, not stored
    decisions: DecisionPlan = field(default_factory=DecisionPlan)
    decisions_refused: int = 0  # revision rows the database refused
    withdrawals: WithdrawalPlan = field(default_factory=WithdrawalPlan)


class BackgroundCall(Generic[T]):
    """One call on its own daemon thread; ``result`` returns its value or raises its error.

    Daemon, so a write still retrying when the consumer thread dies cannot keep the
    process alive; whatever it inserts then is uncommitted and replayed harmlessly.
    """

    def __init__(self, call: Callable[[], T], name: str) -> None:
        self._call = call
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as error:  # handed to the thread that asks for the result
            self._error = error

    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


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
        self._dead_letters = DeadLetterPolicy(DeadLetterStage.AGGREGATOR)
        # Read by readiness and the metrics: a consumer retrying one step for long is stuck.
        self.retrying = RetryState()
        RETRYING_SECONDS.set_function(self.retrying.retrying_for)
        self.assigned = threading.Event()

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set; then finish the open batch, commit and close."""
        consumer = self._retry_step(self._new_consumer, "connecting to Kafka", stop)
        producer = self._retry_step(self._new_producer, "connecting to Kafka", stop)
        batch = Batch(self._policy)
        writing: BackgroundCall[StoredBatch] | None = None
        in_flight = 0
        try:
            while not stop.is_set():
                # A full batch waits for the writer; otherwise reading goes on beside it.
                if writing is not None and (writing.done() or batch.is_full()):
                    self._commit(writing.result(), consumer)
                    writing = None
                if not batch.is_full():
                    polled = consumer.poll(
                        timeout_ms=POLL_TIMEOUT_WRITING_MS if writing else POLL_TIMEOUT_MS,
                        max_records=batch.room,
                    )
                    if consumer.assignment():
                        self.assigned.set()
                    self._add(batch, polled)
                if writing is None and batch.is_ready():
                    writing = BackgroundCall(
                        partial(self._write, batch, producer, stop), "aggregator-writer"
                    )
                    in_flight = len(batch)
                    batch = Batch(self._policy)
                OPEN_BATCH.set(len(batch) + (in_flight if writing else 0))
            if writing is not None:
                self._commit(writing.result(), consumer)
                writing = None
            if len(batch):
                log.info("stopping: storing and committing the open batch of %d", len(batch))
                self._commit(self._write(batch, producer, stop), consumer)
            OPEN_BATCH.set(0)
        finally:
            consumer.close(autocommit=False)
            producer.close(timeout=5)

    def _new_consumer(self) -> KafkaConsumer:
        return new_kafka_consumer(
            [self._topics.classified, self._topics.reviewed, self._topics.withdrawn],
            self._kafka,
            group_id=self._settings.group_id,
            client_id=f"{self._kafka.client_id}-aggregator",
            max_poll_records=self._policy.max_messages,
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

    def _add(self, batch: Batch, polled: dict[TopicPartition, list[Any]]) -> None:
        """Decode and transform here, beside the writer, so that the write is only I/O."""
        for records in polled.values():
            for record in records:
                message = ConsumedRecord(
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    key=record.key,
                    value=record.value,
                )
                if record.topic == self._topics.reviewed:
                    batch.add(message, process_decision(message))
                elif record.topic == self._topics.withdrawn:
                    batch.add(message, process_withdrawal(message))
                else:
                    batch.add(message, process_classified(message, self._reference))

    def _write(self, batch: Batch, producer: KafkaProducer, stop: threading.Event) -> StoredBatch:
        """Plan against what is stored, insert, send the dead letters; never commits."""
        now = dt.datetime.now(dt.UTC)
        candidates = batch.candidates
        stored = self._retry_step(
            lambda: self._store.stored_versions([c.signal.signal_id for c in candidates]),
            "reading stored signals",
            stop,
        )
        plan = plan_writes(candidates, stored)
        started = time.perf_counter()
        refused_rows = self._insert_isolating(plan.writes, stop)
        INSERT_SECONDS.observe(time.perf_counter() - started)
        by_rows = {id(c.rows): c for c in candidates}
        refused = [RejectedRecord(by_rows[id(row)].message, why) for row, why in refused_rows]
        left_out = {id(row) for row, _ in refused_rows}
        # The trend views count a signal from the moment its rows are inserted.
        stored_at = time.time()
        for rows in (r for r in plan.writes if id(r) not in left_out):
            PROCESSING_LAG.observe(max(0.0, stored_at - rows.signal[SUBMITTED_AT].timestamp()))
            STORE_LAG.observe(max(0.0, stored_at - rows.signal[CLASSIFIED_AT].timestamp()))
        stored_at_utc = dt.datetime.fromtimestamp(stored_at, dt.UTC)
        counted = [
            LedgerEvent(
                c.signal.organisation_id,
                c.signal.signal_id,
                c.signal.submitted_at,
                SignalState.COUNTED,
                stored_at_utc,
            )
            for c in plan.counted
            if id(c.rows) not in left_out
        ]
        self._retry_step(lambda: self._store.record_events(counted), "recording statuses", stop)
        decisions, decisions_refused, withdrawals = self._write_revisions(batch, stop)
        rejected = [
            *batch.rejected,
            *plan.conflicts,
            *refused,
            *decisions.rejected,
            *withdrawals.rejected,
        ]
        if rejected:
            letters = [self._dead_letters.letter(r, now) for r in rejected]
            self._retry_step(
                lambda: self._send_dead_letters(producer, letters), "sending dead letters", stop
            )
        return StoredBatch(
            batch, plan, rejected, len(refused), decisions, decisions_refused, withdrawals
        )

    def _write_revisions(
        self, batch: Batch, stop: threading.Event
    ) -> tuple[DecisionPlan, int, WithdrawalPlan]:
        """People's decisions and withdrawals: revisions first, then the decisions, the
        erasures and the ledger. A crash in between replays the batch, and every one of
        these writes is idempotent."""
        if not batch.decisions and not batch.withdrawals:
            return DecisionPlan(), 0, WithdrawalPlan()
        ids = [d.decision.signal_id for d in batch.decisions]
        ids += [w.withdrawal.signal_id for w in batch.withdrawals]
        stored = self._retry_step(
            lambda: self._store.stored_signals(ids), "reading stored signals for revisions", stop
        )
        plan = plan_decisions(batch.decisions, stored)
        withdrawals = plan_withdrawals(batch.withdrawals, stored)
        writes = [*plan.writes, *withdrawals.writes]
        written_from = [*plan.written_from, *withdrawals.written_from]
        refused_rows = self._insert_isolating(writes, stop)
        sources = {id(rows): m for rows, m in zip(writes, written_from, strict=True)}
        plan.rejected.extend(RejectedRecord(sources[id(row)], why) for row, why in refused_rows)
        self._retry_step(
            lambda: self._store.insert_decisions(plan.decision_rows), "inserting decisions", stop
        )
        self._retry_step(lambda: self._store.erase_text(plan.erase), "erasing texts", stop)
        refused_tombstones = {
            row.signal[SIGNAL_ID]
            for row, _ in refused_rows
            if row.fingerprint == TOMBSTONE_FINGERPRINT
        }
        erase = [(i, r) for i, r in withdrawals.erase if i not in refused_tombstones]
        self._retry_step(
            lambda: self._store.erase_withdrawn(erase), "erasing withdrawn texts", stop
        )
        events = [
            LedgerEvent(
                w.organisation_id,
                w.signal_id,
                w.withdrawn_at,
                SignalState.WITHDRAWN,
                w.withdrawn_at,
            )
            for w in withdrawals.withdrawn
            if w.signal_id not in refused_tombstones
        ]
        self._retry_step(lambda: self._store.record_events(events), "recording statuses", stop)
        return plan, len(refused_rows), withdrawals

    def _retry_step(self, step: Callable[[], T], what: str, stop: threading.Event) -> T:
        return retry_until_done(
            step, what, self._retry, stop, storage_errors.transient, self.retrying
        )

    def _insert_isolating(
        self, rows: list[SignalRows], stop: threading.Event
    ) -> list[tuple[SignalRows, Rejection]]:
        """Inserts ``rows``; a row refused for its values is found by halving and left out.

        Only an error the rows cause is bisected (``storage.errors``); any other is retried
        for the whole batch. Rows inserted twice on the way collapse like any replay.
        """
        try:
            self._retry_step(lambda: self._store.insert(rows), "inserting into ClickHouse", stop)
        except Exception as error:
            if not storage_errors.caused_by_rows(error):
                raise
            if len(rows) == 1:
                (row,) = rows
                signal_id = row.signal[SIGNAL_ID]
                log.error("ClickHouse refused signal %s (%r); dead-lettering it", signal_id, error)
                ROWS_REFUSED.inc()
                detail = f"ClickHouse refused the row: {type(error).__name__}: {error}"
                return [(row, Rejection(DeadLetterReason.PROCESSING_FAILED, detail, signal_id))]
            half = len(rows) // 2
            return self._insert_isolating(rows[:half], stop) + self._insert_isolating(
                rows[half:], stop
            )
        return []

    def _commit(self, stored: StoredBatch, consumer: KafkaConsumer) -> None:
        offsets = {
            TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)
            for (topic, partition), offset in stored.batch.next_offsets.items()
        }
        try:
            consumer.commit(offsets)
        except Exception as error:
            # The partitions moved to another member: it reads the batch again, and the
            # write plan makes that replay harmless.
            log.warning("commit failed after insert (%s); the batch will be replayed", error)
        SIGNALS_STORED.inc(len(stored.plan.writes) - stored.refused)
        RECLASSIFICATIONS_IGNORED.inc(stored.plan.reclassifications_ignored)
        RESUBMISSIONS.labels("corrected").inc(stored.plan.corrections)
        RESUBMISSIONS.labels("unchanged").inc(stored.plan.unchanged_resubmissions)
        RESUBMISSIONS.labels("older").inc(stored.plan.older_versions_ignored)
        decisions = stored.decisions
        applied = len(decisions.writes) - stored.decisions_refused
        DECISIONS_CONSUMED.labels("applied").inc(applied)
        DECISIONS_CONSUMED.labels("superseded").inc(decisions.superseded)
        TEXTS_ERASED.inc(len(decisions.erase))
        WITHDRAWALS_APPLIED.inc(len(stored.withdrawals.withdrawn))
        BATCH_SIZE.observe(len(stored.batch))
        for rejected in stored.rejected:
            DEAD_LETTERED.labels(rejected.rejection.reason).inc()

    def _send_dead_letters(self, producer: KafkaProducer, letters: list[ProducedRecord]) -> None:
        futures: list[Any] = [
            producer.send(self._topics.deadletter, key=letter.key, value=letter.value)
            for letter in letters
        ]
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=0)

"""The faust worker: ``signals.submitted`` -> classifier -> ``signals.classified``.

Delivery guarantee: at-least-once. A batch's source offsets become committable
only after every classified record and dead letter of that batch was
acknowledged by the broker. faust's ``take_events`` acks a batch when the loop
moves on, even when the batch failed; each message therefore carries one extra
reference from the start of its batch, released only after delivery, so a
crash or shutdown mid-batch leaves the offsets uncommitted and the batch is
read again.

The model runs in child processes (``offload``) while faust reads and delivers:
up to ``WAAKHOND_CLASSIFIER_PROCESSES`` batches are classified ahead of the one
being delivered. Batches are delivered and acknowledged in the order they were
read, so records of one partition leave in the order they came. A signal the
model fails on is dead-lettered (``processing``); a batch that fails all the
same (its model process died) ends the process at once, without committing,
and what it had not committed is read again by the next instance. Duplicates are harmless
downstream: the aggregator is idempotent on signal_id. faust's exactly-once
mode is not used (it needs transactions, which the test broker does not
support for aiokafka).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable
from typing import Any, NoReturn

import faust
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from waakhond_classifier.config import ClassifierSettings
from waakhond_classifier.model.base import SignalClassifier
from waakhond_classifier.offload import ClassifierProcesses
from waakhond_classifier.processing import BatchOutcome, OutgoingMessage
from waakhond_classifier.transport import App
from waakhond_contract.collector import settle_after_startup
from waakhond_contract.deadletters import SourceMessage
from waakhond_contract.settings import KafkaSettings, TopicSettings

log = logging.getLogger(__name__)

CLASSIFIED = Counter(
    "waakhond_classifier_signals_classified_total", "Signals classified, by label.", ["label"]
)
REVIEW = Counter("waakhond_classifier_needs_review_total", "Signals sent to review.")
DEAD_LETTERED = Counter(
    "waakhond_classifier_dead_lettered_total", "Messages dead-lettered by the classifier."
)
BATCH_SIZE = Histogram(
    "waakhond_classifier_batch_size",
    "Messages per batch.",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2000),
)


def new_faust_app(
    settings: ClassifierSettings, kafka: KafkaSettings, topics: TopicSettings
) -> faust.App:
    """The worker's faust configuration, shared with the benchmark's pass-through agent so the
    two are measured on equal terms."""
    return App(
        settings.app_id,
        broker=[f"kafka://{address}" for address in kafka.bootstrap_list],
        processing_guarantee="at_least_once",
        # The group rejoins after half the session timeout; keep restarts quick.
        broker_session_timeout=6,
        broker_heartbeat_interval=2,
        broker_commit_interval=1.0,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_linger_ms=5,
        # A batch of 500 classified signals leaves as a few compressed batches, not dozens of
        # 16 KiB ones: the test broker's cost is per stored batch (bench/README.md), and
        # the aggregator decodes fewer of them. Well under Kafka's 1 MB default message size.
        producer_compression_type="lz4",
        producer_max_batch_size=256 * 1024,
        stream_ack_exceptions=False,
        stream_ack_cancelled_tasks=False,
        topic_partitions=topics.partitions,
        topic_replication_factor=topics.replication_factor,
        web_enabled=True,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        datadir=str(settings.data_dir),
        store="memory://",
    )


def raw_topic(app: faust.App, name: str) -> Any:
    """A topic read as bytes: decoding is ours, so a poison message reaches the dead letters."""
    return app.topic(
        name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )


async def send_raw(app: faust.App, topic: str, key: bytes | None, value: bytes) -> Awaitable[Any]:
    """Hands one record of bytes to faust's producer; the result resolves on the broker's
    acknowledgement.

    The producer itself, not ``Topic.send``: the records are bytes already, and
    the topic's layers (serialisers, a future message per record, callbacks and
    sensors) cost about as much as the producer's own send (py-spy).
    """
    return await app.producer.send(topic, key, value, partition=None, timestamp=None, headers=None)


def new_worker(app: faust.App) -> faust.Worker:
    """faust's worker, leaving the process's logging as the service configured it.

    By default mode's worker replaces the root handlers with its coloured text
    format, which ended the classifier's JSON log lines once faust started; at a
    level of WARNING or above it also sets the root logger to DEBUG for its
    terminal spinner, so every debug call in aiokafka and faust built a record
    (about a sixth of the pass-through agent's time, measured with py-spy).
    """
    worker = faust.Worker(app, override_logging=False, redirect_stdouts=False, quiet=True)
    # The spinner draws on stdout, which carries the service's output.
    worker.spinner = None
    return worker


_Batch = tuple[list[Any], "asyncio.Future[BatchOutcome]"]


def _exit_without_committing(error: Exception) -> NoReturn:
    """Ends the process at once, as a kill would, when a batch cannot be classified.

    Not an agent restart and not faust's orderly stop: the failing batch's
    messages stay unacknowledged while the stream goes on acknowledging what it
    still reads, and faust's first commit of a partition does not stop at a gap
    at its head, so an orderly stop could commit past the batch that was never
    delivered. The next instance reads everything uncommitted again.
    """
    log.critical("classifying a batch failed; exiting without committing: %r", error)
    logging.shutdown()
    os._exit(1)


def create_app(
    processes: ClassifierProcesses,
    settings: ClassifierSettings | None = None,
    kafka: KafkaSettings | None = None,
    topics: TopicSettings | None = None,
) -> faust.App:
    settings = settings or ClassifierSettings()
    kafka = kafka or KafkaSettings()
    topics = topics or TopicSettings()
    app = new_faust_app(settings, kafka, topics)
    submitted_topic = raw_topic(app, topics.submitted)

    async def deliver(records: list[tuple[str, OutgoingMessage]]) -> None:
        """Send and wait for every acknowledgement, retrying with backoff until all are in."""
        delay = 0.2
        while True:
            try:
                futures = [
                    await send_raw(app, topic, record.key, record.value)
                    for topic, record in records
                ]
                await asyncio.gather(*futures)
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("delivery failed (%s); retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, settings.send_retry_max_seconds)

    async def deliver_in_order(stream: Any, ahead: asyncio.Queue[_Batch]) -> None:
        """Delivers each batch's records, then acknowledges its messages, in reading order."""
        while True:
            events, classifying = await ahead.get()
            outcome = await classifying
            records: list[tuple[str, OutgoingMessage]] = [
                (topics.classified, record) for record in outcome.classified
            ]
            records += [(topics.deadletter, record) for record in outcome.dead_letters]
            await deliver(records)
            DEAD_LETTERED.inc(len(outcome.dead_letters))
            REVIEW.inc(outcome.needs_review)
            for label, count in outcome.label_counts.items():
                CLASSIFIED.labels(label).inc(count)
            for event in events:
                await stream.ack(event)

    async def deliver_until_failure(stream: Any, ahead: asyncio.Queue[_Batch]) -> None:
        try:
            await deliver_in_order(stream, ahead)
        except Exception as error:
            # Also while the agent waits for messages: nothing else would notice.
            _exit_without_committing(error)

    @app.agent(submitted_topic, name="classify-signals")
    async def classify_signals(stream: Any) -> None:
        # Batches being classified or waiting for delivery, oldest first: one per
        # child process, plus the one being delivered.
        ahead: asyncio.Queue[_Batch] = asyncio.Queue(maxsize=processes.processes)
        delivering = asyncio.create_task(deliver_until_failure(stream, ahead))
        try:
            async for events in stream.take_events(
                settings.batch_size, settings.batch_within_seconds
            ):
                for event in events:
                    event.message.incref()
                BATCH_SIZE.observe(len(events))
                try:
                    classifying = processes.classify(
                        [
                            SourceMessage(
                                topic=event.message.topic,
                                partition=event.message.partition,
                                offset=event.message.offset,
                                key=event.message.key,
                                value=event.message.value,
                            )
                            for event in events
                        ],
                        dt.datetime.now(dt.UTC),
                    )
                except Exception as error:
                    _exit_without_committing(error)
                # Waits while the queue is full. Delivery never stops on its own:
                # it retries sends, and a failed batch ends the process.
                await ahead.put((events, classifying))
        finally:
            delivering.cancel()

    @app.page("/healthz")
    async def healthz(web: Any, _request: Any) -> Any:
        if not processes.alive():
            return web.json({"status": "model process gone"}, status=503)
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: Any, _request: Any) -> Any:
        ready = app.consumer is not None and not app.rebalancing and bool(app.consumer.assignment())
        return web.json({"status": "ready" if ready else "not ready"}, status=200 if ready else 503)

    @app.page("/metrics")
    async def metrics(web: Any, _request: Any) -> Any:
        # aiohttp refuses a charset inside content_type; the exposition format is ASCII.
        content_type, _, _ = CONTENT_TYPE_LATEST.partition("; charset")
        return web.bytes(generate_latest(), content_type=content_type)

    return app


def run(
    classifier: SignalClassifier,
    settings: ClassifierSettings | None = None,
    kafka: KafkaSettings | None = None,
    topics: TopicSettings | None = None,
) -> None:
    """Run the worker until SIGTERM/SIGINT; faust stops the agent and commits what was acked."""
    settings = settings or ClassifierSettings()
    with ClassifierProcesses(classifier, settings.processes) as processes:
        app = create_app(processes, settings, kafka, topics)
        worker = new_worker(app)
        settle_after_startup()
        worker.execute_from_commandline()

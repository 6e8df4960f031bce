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

from waakhond_classifier.api.routes.health import add_health_routes
from waakhond_classifier.core.config import ClassifierSettings
from waakhond_classifier.metrics import (
    BATCH_SIZE,
    CLASSIFIED,
    DEAD_LETTERED,
    RETRYING_SECONDS,
    REVIEW,
)
from waakhond_classifier.processing.classify import BatchOutcome
from waakhond_classifier.processing.offload import ClassifierProcesses
from waakhond_classifier.streaming.delivery import Outgoing, deliver
from waakhond_classifier.streaming.faust_app import new_faust_app, raw_topic, send_raw
from waakhond_contract.messages import DeadLetterStage
from waakhond_runtime.deadletters import DeadLetterPolicy
from waakhond_runtime.records import ConsumedRecord
from waakhond_runtime.retry import RetryPolicy, RetryState
from waakhond_runtime.settings import KafkaSettings, TopicSettings

log = logging.getLogger(__name__)

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
    dead_letters = DeadLetterPolicy(DeadLetterStage.CLASSIFIER)
    retry = RetryPolicy(initial_seconds=0.2, max_seconds=settings.send_retry_max_seconds)
    retrying = RetryState()
    RETRYING_SECONDS.set_function(retrying.retrying_for)

    async def send(topic: str, key: bytes | None, value: bytes) -> Awaitable[Any]:
        return await send_raw(app, topic, key, value)

    async def deliver_in_order(stream: Any, ahead: asyncio.Queue[_Batch]) -> None:
        """Delivers each batch's records, then acknowledges its messages, in reading order."""
        while True:
            events, classifying = await ahead.get()
            outcome = await classifying
            now = dt.datetime.now(dt.UTC)
            outgoing = [
                Outgoing(topics.classified, record, source)
                for record, source in zip(outcome.classified, outcome.classified_from, strict=True)
            ]
            outgoing += [
                Outgoing(topics.deadletter, dead_letters.letter(rejected, now))
                for rejected in outcome.rejected
            ]
            delivered = await deliver(
                send, outgoing, topics.deadletter, dead_letters, retry, retrying
            )
            DEAD_LETTERED.inc(len(outcome.rejected) + delivered.refused_classified)
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
                            ConsumedRecord(
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

    add_health_routes(app, processes, retrying, settings.stuck_after_seconds)
    return app

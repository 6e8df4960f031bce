"""The faust configuration of the worker, shared with the benchmark's pass-through agent so
the two are measured on equal terms."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import faust

from waakhond_classifier.core.config import ClassifierSettings
from waakhond_classifier.streaming.faust_tables import NoPauseTableManager
from waakhond_classifier.streaming.transport import App
from waakhond_runtime.settings import KafkaSettings, TopicSettings


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
        # A delivered batch of classified signals leaves as few large compressed batches, not
        # many uncompressed 16 KiB ones (faust's default): the test broker's cost is per stored
        # batch (bench/README.md, "Broker"), and the aggregator decodes fewer of them. Well
        # under Kafka's 1 MB default message size.
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
        TableManager=NoPauseTableManager,
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
    sensors) would add their work to every record for nothing (bench/README.md,
    "What changed on 4 Dec", 2, and "Figures moved from code comments").
    """
    return await app.producer.send(topic, key, value, partition=None, timestamp=None, headers=None)


def new_worker(app: faust.App) -> faust.Worker:
    """faust's worker, leaving the process's logging as the service configured it.

    By default mode's worker replaces the root handlers with its coloured text
    format, which ended the classifier's JSON log lines once faust started; at a
    level of WARNING or above it also sets the root logger to DEBUG for its
    terminal spinner, so every debug call in aiokafka and faust built a record
    whatever the service's own level (bench/README.md, "What changed on 4 Dec", 1).
    """
    worker = faust.Worker(app, override_logging=False, redirect_stdouts=False, quiet=True)
    # The spinner draws on stdout, which carries the service's output.
    worker.spinner = None
    return worker

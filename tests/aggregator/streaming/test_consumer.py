"""The consumer reads the next batch while the previous one is written, without giving up
commit-after-insert or the write plan's view of everything written before it."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Sequence

from clickhouse_connect.driver.client import Client
from kafka import KafkaConsumer, TopicPartition
from prometheus_client import REGISTRY

from tests.aggregator.processing.test_transform import classified
from tests.aggregator.streaming.conftest import ConsumerFor
from tests.aggregator.streaming.test_consumer_faults import (
    consuming,
    count_national,
    send_classified,
)
from tests.e2e.conftest import wait_until
from tests.e2e.test_pipeline import read_all
from tests.support import unique_suffix
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.processing.rows import SignalRows, StoredVersion
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.vocabularies import Category
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings


class GatedTrendStore(TrendStore):
    """The real store; the first insert waits for the test to open the gate, and every call
    is recorded in order."""

    def __init__(self, client: Client, database: str) -> None:
        super().__init__(client, database)
        self.gate = threading.Event()
        self.first_insert_waiting = threading.Event()
        self.calls: list[str] = []

    def stored_versions(self, signal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredVersion]:
        self.calls.append("lookup")
        return super().stored_versions(signal_ids)

    def insert(self, rows: Sequence[SignalRows]) -> None:
        self.calls.append("insert")
        if not self.first_insert_waiting.is_set():
            self.first_insert_waiting.set()
            assert self.gate.wait(60)
        super().insert(rows)
        self.calls.append("inserted")


def committed(kafka: KafkaSettings, group: str, topic: str) -> int:
    reader = KafkaConsumer(
        bootstrap_servers=kafka.bootstrap_list, group_id=group, enable_auto_commit=False
    )
    try:
        reader.topics()
        partitions = reader.partitions_for_topic(topic) or set()
        return sum(reader.committed(TopicPartition(topic, p)) or 0 for p in partitions)
    finally:
        reader.close()


def open_messages() -> float:
    return REGISTRY.get_sample_value("waakhond_aggregator_open_batch_messages") or 0.0


def test_next_batch_is_read_while_one_is_written_and_commits_follow_inserts(
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    consumer_for: ConsumerFor,
) -> None:
    database = clickhouse_settings.database
    group = f"aggregator-{unique_suffix()}"
    settings = AggregatorSettings(group_id=group, batch_max_messages=50, batch_max_seconds=0.2)
    store = GatedTrendStore(clickhouse_client, database)
    consumer = consumer_for(store, settings)

    signals = [classified([Category.MISSED_RIGHTS], observed_on="2025-02-04") for _ in range(120)]
    # One partition (one key), so the first 50 make the first batch; the same signal_id
    # with other content accepted at the same moment (which intake never does) follows in a
    # later batch and must meet the first version.
    conflicting = signals[0].model_copy(update={"description": signals[0].description + " anders"})
    send_classified(kafka_settings, topics.classified, [*signals, conflicting])

    with consuming(consumer):
        assert store.first_insert_waiting.wait(60)
        # The first batch (50) is being written; the consumer reads on into the next one.
        wait_until(lambda: open_messages() > 50, 30, "next batch read beside the write")
        assert committed(kafka_settings, group, topics.classified) == 0
        assert count_national(clickhouse_client, database) == (0, 0)

        store.gate.set()
        wait_until(
            lambda: committed(kafka_settings, group, topics.classified) == 121, 60, "committed"
        )
        assert count_national(clickhouse_client, database) == (120, 120)
    # Writes never overlap: each lookup comes after the previous batch was inserted.
    assert store.calls[:3] == ["lookup", "insert", "inserted"]
    assert all(
        store.calls[i : i + 3] == ["lookup", "insert", "inserted"]
        for i in range(0, len(store.calls), 3)
    )
    letters = [json.loads(r.value) for r in read_all(kafka_settings, topics.deadletter, 1)]
    assert [(d["reason"], d["signal_id"]) for d in letters] == [
        ("conflicting_resubmission", str(signals[0].signal_id))
    ]


def bucket(histogram: str, bound: str) -> float:
    return REGISTRY.get_sample_value(f"{histogram}_bucket", {"le": bound}) or 0.0


def test_lags_are_measured_from_submission_and_from_classification(
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    consumer_for: ConsumerFor,
) -> None:
    """The operations dashboard tells a slow classifier from a slow aggregator by these two."""
    database = clickhouse_settings.database
    settings = AggregatorSettings(group_id=f"aggregator-{unique_suffix()}")
    consumer = consumer_for(TrendStore(clickhouse_client, database), settings)
    now = dt.datetime.now(dt.UTC)
    signals = []
    for _ in range(3):
        signal = classified([Category.POLICY_GAP], observed_on="2025-02-04")
        classification = signal.classification.model_copy(
            update={"classified_at": now - dt.timedelta(seconds=20)}
        )
        signals.append(
            signal.model_copy(
                update={
                    "submitted_at": now - dt.timedelta(seconds=40),
                    "classification": classification,
                }
            )
        )
    processing, store = (
        "waakhond_aggregator_processing_lag_seconds",
        "waakhond_aggregator_store_lag_seconds",
    )
    before = {
        (name, bound): bucket(name, bound)
        for name in (processing, store)
        for bound in ("10.0", "30.0", "60.0")
    }
    send_classified(kafka_settings, topics.classified, signals)
    with consuming(consumer):
        wait_until(lambda: count_national(clickhouse_client, database) == (3, 3), 60, "stored")
    grown = {key: bucket(*key) - value for key, value in before.items()}
    # About 40 s since submission: above 30, within 60.
    assert (grown[(processing, "30.0")], grown[(processing, "60.0")]) == (0, 3)
    # About 20 s since classification: above 10, within 30.
    assert (grown[(store, "10.0")], grown[(store, "30.0")]) == (0, 3)

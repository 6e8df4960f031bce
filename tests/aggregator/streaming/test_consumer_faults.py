"""The aggregator's consumer against the real broker and chDB, with ClickHouse failing on demand.

chDB cannot be made to fail an insert at will, so ``FaultInjectingTrendStore`` wraps the real
store and raises for the first calls: it injects the fault, everything else is real.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from tests.aggregator.processing.test_transform import classified
from tests.aggregator.streaming.conftest import ConsumerFor
from tests.e2e.conftest import wait_until
from tests.e2e.test_pipeline import read_all
from tests.support import produce, unique_suffix
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import ConsumerThread, create_app
from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS, SignalRows
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_aggregator.streaming.consumer import AggregatorConsumer
from waakhond_contract.messages import SignalClassified
from waakhond_contract.vocabularies import Category
from waakhond_runtime.codec import encode
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings


class FaultInjectingTrendStore(TrendStore):
    """The real store, except that the first ``failures`` inserts raise like a lost server."""

    def __init__(self, client: Client, database: str, failures: int) -> None:
        super().__init__(client, database)
        self.failures_left = failures
        self.insert_calls = 0

    def insert(self, rows: Sequence[SignalRows]) -> None:
        self.insert_calls += 1
        if self.failures_left > 0:
            self.failures_left -= 1
            raise ConnectionError("injected: ClickHouse unavailable")
        super().insert(rows)


def send_classified(kafka: KafkaSettings, topic: str, signals: Iterable[SignalClassified]) -> None:
    """Onto one partition (one key), so the consumer reads them in this order."""
    produce(kafka, topic, ((b"ZK02", encode(signal)) for signal in signals))


@contextmanager
def consuming(consumer: AggregatorConsumer) -> Iterator[None]:
    """Runs the consumer in a thread; on leaving, stops it and checks that it finished."""
    stop = threading.Event()
    worker = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(30)
    assert not worker.is_alive()


def count_national(client: Client, database: str) -> tuple[int, int]:
    row = client.query(
        f"SELECT sum(signals) FROM {database}.trend_weekly "
        "WHERE level = 'national' AND category = 'all'"
    ).result_rows[0]
    raw = client.query(f"SELECT count() FROM {database}.signals FINAL").result_rows[0]
    return int(row[0] or 0), int(raw[0])


def test_insert_failures_are_retried_without_loss_or_duplicates(
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    consumer_for: ConsumerFor,
) -> None:
    database = clickhouse_settings.database
    settings = AggregatorSettings(
        group_id=f"aggregator-{unique_suffix()}",
        batch_max_seconds=0.2,
        retry_initial_seconds=0.1,
        retry_max_seconds=0.4,
    )
    store = FaultInjectingTrendStore(clickhouse_client, database, failures=4)
    consumer = consumer_for(store, settings)

    signals = [classified([Category.MISSED_RIGHTS], observed_on="2025-02-04") for _ in range(120)]
    # A redelivered copy of some of them, as after a crash.
    send_classified(kafka_settings, topics.classified, [*signals, *signals[:30]])

    with consuming(consumer):
        wait_until(lambda: count_national(clickhouse_client, database)[0] >= 120, 60, "counted")
        assert store.insert_calls > 4  # it failed four times and went on
        assert count_national(clickhouse_client, database) == (120, 120)


POISON = "GIFTIG"


class RowCorruptingTrendStore(TrendStore):
    """The real store, except that a signal whose description holds ``POISON`` gets a value
    its column cannot take (no real classified message produces one); the real client then
    refuses the insert as it would such a row."""

    def __init__(self, client: Client, database: str) -> None:
        super().__init__(client, database)
        self.insert_calls = 0

    def insert(self, rows: Sequence[SignalRows]) -> None:
        self.insert_calls += 1
        description = SIGNAL_COLUMNS.index("description")
        corrupted = [
            dataclasses.replace(
                r, signal=[*r.signal[:description], None, *r.signal[description + 1 :]]
            )
            if POISON in r.signal[description]
            else r
            for r in rows
        ]
        super().insert(corrupted)


class AlwaysFailingTrendStore(TrendStore):
    """The real store, except that every insert fails as with a server that is gone."""

    def insert(self, rows: Sequence[SignalRows]) -> None:
        raise ConnectionError("injected: ClickHouse unavailable")


def test_a_row_the_database_refuses_is_dead_lettered_and_the_partition_moves_on(
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    consumer_for: ConsumerFor,
) -> None:
    database = clickhouse_settings.database
    settings = AggregatorSettings(
        group_id=f"aggregator-{unique_suffix()}", batch_max_seconds=0.2, retry_max_seconds=0.4
    )
    store = RowCorruptingTrendStore(clickhouse_client, database)
    consumer = consumer_for(store, settings)
    signals = [classified([Category.POLICY_GAP], observed_on="2025-02-04") for _ in range(40)]
    poisoned = classified(
        [Category.POLICY_GAP], observed_on="2025-02-04", description=f"{POISON}: " + "x" * 20
    )
    # The poisoned signal in the middle, then more behind it on the same partition.
    send_classified(kafka_settings, topics.classified, [*signals[:20], poisoned, *signals[20:]])

    with consuming(consumer):
        wait_until(lambda: count_national(clickhouse_client, database)[1] >= 40, 60, "stored")
        letters = [json.loads(r.value) for r in read_all(kafka_settings, topics.deadletter, 1)]
    assert count_national(clickhouse_client, database) == (40, 40)
    (letter,) = letters
    assert (letter["stage"], letter["reason"]) == ("aggregator", "processing_failed")
    assert letter["signal_id"] == str(poisoned.signal_id)
    assert letter["detail"].startswith("ClickHouse refused the row")
    assert consumer.retrying.retrying_for() == 0


def test_a_consumer_that_cannot_write_shows_as_stuck_and_commits_nothing(
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    consumer_for: ConsumerFor,
) -> None:
    database = clickhouse_settings.database
    settings = AggregatorSettings(
        group_id=f"aggregator-{unique_suffix()}",
        batch_max_seconds=0.1,
        retry_initial_seconds=0.05,
        retry_max_seconds=0.2,
        stuck_after_seconds=0.5,
        consume=False,
    )
    consumer = consumer_for(AlwaysFailingTrendStore(clickhouse_client, database), settings)
    app = create_app(settings, clickhouse_settings, kafka_settings, topics, clickhouse_client)
    worker = ConsumerThread(consumer)
    app.state.consumer = worker
    send_classified(kafka_settings, topics.classified, [classified([Category.POLICY_GAP])])

    # As the service runs it: the thread ends quietly when stopped while retrying.
    worker.start()
    try:
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 200
            wait_until(lambda: consumer.retrying.retrying_for() > 0.6, 30, "retrying")
            answer = client.get("/readyz")
            gauge = REGISTRY.get_sample_value("waakhond_aggregator_retrying_seconds")
    finally:
        worker.stop()
    assert answer.status_code == 503
    assert answer.json()["status"].startswith("stuck: inserting into ClickHouse failing")
    assert gauge is not None
    assert gauge > 0.5
    assert count_national(clickhouse_client, database) == (0, 0)

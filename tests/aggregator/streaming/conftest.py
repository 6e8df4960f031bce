"""The aggregator's consumer on the test's own topics and database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from clickhouse_connect.driver.client import Client

from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import prepare_database
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_aggregator.streaming.consumer import AggregatorConsumer
from waakhond_contract.regions import load_region_reference
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings

ConsumerFor = Callable[[TrendStore, AggregatorSettings], AggregatorConsumer]


@pytest.fixture
def consumer_for(
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
) -> ConsumerFor:
    """A consumer of the test's topics that writes through ``store``; the test's database is
    prepared first, as the aggregator prepares it at every start."""

    def consumer(store: TrendStore, settings: AggregatorSettings) -> AggregatorConsumer:
        prepare_database(clickhouse_client, clickhouse_settings.database, settings)
        return AggregatorConsumer(store, load_region_reference(), settings, kafka_settings, topics)

    return consumer

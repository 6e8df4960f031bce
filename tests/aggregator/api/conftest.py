"""The aggregator app on a seeded database, shared by the read API's tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient

from tests.aggregator.storage.test_analytics_views import analytics_signals, fix_secret, store
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_runtime.settings import ClickHouseSettings


@pytest.fixture(scope="module")
def api(clickhouse_client: Client, chdb_path: Path) -> Iterator[tuple[TestClient, Client, str]]:
    """The aggregator app (default disclosure policy: 10, 5, noise) on the seeded signals."""
    database = f"t_{uuid.uuid4().hex[:10]}"
    settings = ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=database)
    app = create_app(AggregatorSettings(consume=False), settings, client=clickhouse_client)
    fix_secret(clickhouse_client, database)
    store(clickhouse_client, database, analytics_signals())
    with TestClient(app) as client:
        yield client, clickhouse_client, database
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")

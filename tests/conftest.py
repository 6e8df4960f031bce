"""Shared fixtures: a real Tansu broker and a real chDB, isolated per test by names.

Nothing here skips: when the broker or ClickHouse cannot start, the tests that
need them fail (as CI requires).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

os.environ.setdefault("TZ", "UTC")

from tests.support import ORGANISATIONS, fresh_topics, unique_suffix
from waakhond_intake.auth.keys import create_key
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings
from waakhond_tools.stack.broker import TansuBroker


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with TansuBroker(log_file=log) as running:
        yield running


@pytest.fixture(scope="session")
def kafka_settings(broker: TansuBroker) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=broker.bootstrap_servers)


@pytest.fixture
def topics(kafka_settings: KafkaSettings) -> TopicSettings:
    """Fresh topics per test."""
    return fresh_topics(kafka_settings, unique_suffix())


@pytest.fixture(scope="session")
def chdb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture(scope="session")
def clickhouse_client(chdb_path: Path) -> Client:
    """chDB allows one data path per process: every test shares it, with its own database."""
    from waakhond_aggregator.storage.client import connect

    return connect(ClickHouseSettings(dsn=f"chdb://{chdb_path}"))


@pytest.fixture
def clickhouse_settings(chdb_path: Path) -> ClickHouseSettings:
    return ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=f"t_{uuid.uuid4().hex[:10]}")


@pytest.fixture
def api_keys(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "api-keys.json"
    tokens = {org: create_key(path, org, "test")[1] for org in ORGANISATIONS}
    return path, tokens

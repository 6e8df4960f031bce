"""The whole pipeline on the real broker and chDB.

intake and the aggregator's API are served by uvicorn on local ports (real
HTTP); the classifier runs as its own process through the `waakhond
classifier` entry point; the aggregator consumes in this process because chDB
allows one process per data path and the test reads the same database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from clickhouse_connect.driver.client import Client

from tests.support import ORGANISATIONS, ServerThread, fresh_topics, unique_suffix
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app as create_aggregator
from waakhond_intake.auth.keys import create_key
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.main import create_app as create_intake
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings
from waakhond_tools.stack.broker import free_port
from waakhond_tools.stack.environments import aggregator_environment, classifier_environment
from waakhond_tools.stack.processes import ServiceProcess


def wait_until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.25)
    raise TimeoutError(f"{what} not reached within {timeout}s")


def classifier_process(
    kafka: KafkaSettings, topics: TopicSettings, suffix: str, folder: Path
) -> tuple[ServiceProcess, int]:
    """The classifier as its own process in its own consumer group, on a free port; a short
    batch window, so that signals reach the aggregator while the test waits."""
    port = free_port()
    environment = classifier_environment(
        kafka,
        topics,
        app_id=f"classifier-{suffix}",
        port=port,
        data_dir=folder / "classifier",
        batch_within_seconds=0.1,
    )
    process = ServiceProcess("classifier", ["classifier"], environment, folder / "classifier.log")
    return process, port


def aggregator_process(
    kafka: KafkaSettings,
    topics: TopicSettings,
    suffix: str,
    folder: Path,
    status_token: str | None = None,
) -> tuple[ServiceProcess, str]:
    """The aggregator as its own process on its own chDB folder, with exact counts (no
    suppression, rounding or noise) so the trends API can be compared with what was sent;
    returns it and its base URL."""
    port = free_port()
    environment = aggregator_environment(
        kafka,
        topics,
        group_id=f"aggregator-{suffix}",
        port=port,
        chdb_path=folder / "chdb",
        batch_max_seconds=0.3,
        exact_counts=True,
        status_token=status_token,
    )
    process = ServiceProcess("aggregator", ["aggregator"], environment, folder / "aggregator.log")
    return process, f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class Pipeline:
    intake_url: str
    trends_url: str
    tokens: dict[str, str]
    kafka: KafkaSettings
    topics: TopicSettings
    clickhouse: Client
    database: str
    status_token: str


@pytest.fixture(scope="module")
def pipeline(
    kafka_settings: KafkaSettings,
    clickhouse_client: Client,
    chdb_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Pipeline]:
    folder = tmp_path_factory.mktemp("pipeline")
    suffix = unique_suffix()
    topics = fresh_topics(kafka_settings, suffix)
    keys_file = folder / "api-keys.json"
    tokens = {org: create_key(keys_file, org)[1] for org in ORGANISATIONS}
    clickhouse = ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=f"e2e_{suffix}")

    classifier, classifier_port = classifier_process(kafka_settings, topics, suffix, folder)
    status_token = f"status-{suffix}"
    aggregator = create_aggregator(
        # Noise off: these tests follow exact counts through the whole pipeline; the noise
        # has its own oracle in tests/aggregator/storage/test_analytics_views.py.
        AggregatorSettings(
            group_id=f"aggregator-{suffix}",
            batch_max_seconds=0.3,
            disclosure_noise=False,
            status_token=status_token,
        ),
        clickhouse,
        kafka_settings,
        topics,
        client=clickhouse_client,
    )
    trends = ServerThread(aggregator)
    intake = create_intake(
        IntakeSettings(api_keys_file=keys_file, status_url=trends.url, status_token=status_token),
        kafka_settings,
        topics,
    )
    classifier.start()
    try:
        with ServerThread(intake) as intake_server, trends as trends_server:
            classifier.wait_ready(f"http://127.0.0.1:{classifier_port}/readyz", timeout=90)
            wait_until(
                lambda: httpx.get(f"{intake_server.url}/readyz").status_code == 200, 30, "intake"
            )
            yield Pipeline(
                intake_url=intake_server.url,
                trends_url=trends_server.url,
                tokens=tokens,
                kafka=kafka_settings,
                topics=topics,
                clickhouse=clickhouse_client,
                database=clickhouse.database,
                status_token=status_token,
            )
    finally:
        classifier.stop()
        if os.environ.get("CI"):
            print((folder / "classifier.log").read_text()[-5000:])

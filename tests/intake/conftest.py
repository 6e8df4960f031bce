from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.main import create_app
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.stack.broker import free_port


def wait_ready(client: TestClient, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.1)
    raise TimeoutError("intake did not become ready")


def intake_client(
    keys_file: Path, kafka: KafkaSettings, topics: TopicSettings, **settings: object
) -> TestClient:
    intake_settings = IntakeSettings(
        api_keys_file=keys_file,
        delivery_timeout_seconds=2.0,
        **settings,  # type: ignore[arg-type]
    )
    return TestClient(create_app(intake_settings, kafka, topics))


@pytest.fixture
def intake(
    api_keys: tuple[Path, dict[str, str]], kafka_settings: KafkaSettings, topics: TopicSettings
) -> Iterator[TestClient]:
    with intake_client(api_keys[0], kafka_settings, topics) as client:
        wait_ready(client)
        yield client


@pytest.fixture
def tokens(api_keys: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return api_keys[1]


@pytest.fixture
def unreachable_kafka() -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}")

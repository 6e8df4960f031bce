"""The environments of the service child processes: every variable is one the service reads,
and its value arrives in the service's settings as the caller meant it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.review.config import ReviewSettings
from waakhond_aggregator.storage.disclosure import DisclosurePolicy
from waakhond_classifier.core.config import ClassifierSettings
from waakhond_cli.common import log_level as _log_level
from waakhond_intake.core.config import IntakeSettings
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings
from waakhond_tools.stack.environments import (
    aggregator_environment,
    classifier_environment,
    intake_environment,
)

# Read by the `waakhond` command that starts each service, not by a settings class.
LOG_LEVEL = "WAAKHOND_LOG_LEVEL"

KAFKA = KafkaSettings(bootstrap_servers="broker-a:9092,broker-b:9092")
TOPICS = TopicSettings(
    submitted="in-x",
    classified="out-x",
    reviewed="seen-x",
    withdrawn="gone-x",
    deadletter="dead-x",
    partitions=3,
)
FOLDER = Path("/srv/waakhond-test")

SettingsClass = type[BaseSettings]


@dataclass(frozen=True)
class Service:
    environment: dict[str, str]
    reads: tuple[SettingsClass, ...]
    # What the service must see, per settings class and field; log_level None: the default.
    expected: dict[SettingsClass, dict[str, object]]
    log_level: str | None = None


INTAKE_READS = (IntakeSettings, KafkaSettings, TopicSettings)
CLASSIFIER_READS = (ClassifierSettings, KafkaSettings, TopicSettings)
AGGREGATOR_READS = (
    AggregatorSettings,
    ClickHouseSettings,
    KafkaSettings,
    TopicSettings,
    ReviewSettings,
)
KAFKA_AND_TOPICS: dict[SettingsClass, dict[str, object]] = {
    KafkaSettings: {"bootstrap_servers": "broker-a:9092,broker-b:9092"},
    TopicSettings: {
        "submitted": "in-x",
        "classified": "out-x",
        "reviewed": "seen-x",
        "withdrawn": "gone-x",
        "deadletter": "dead-x",
        "partitions": 3,
    },
}

SERVICES = [
    pytest.param(
        Service(
            intake_environment(
                KAFKA,
                TOPICS,
                host="10.0.0.5",
                port=18000,
                api_keys_file=FOLDER / "api-keys.json",
                log_level="DEBUG",
                rate_limit_signals_per_second=1_000_000,
                rate_limit_burst=1_000_000,
                status_url="http://10.0.0.5:18002",
                status_token="token-x",
            ),
            INTAKE_READS,
            KAFKA_AND_TOPICS
            | {
                IntakeSettings: {
                    "host": "10.0.0.5",
                    "port": 18000,
                    "api_keys_file": FOLDER / "api-keys.json",
                    "rate_limit_signals_per_second": 1_000_000.0,
                    "rate_limit_burst": 1_000_000,
                    "status_url": "http://10.0.0.5:18002",
                    "status_token": SecretStr("token-x"),
                }
            },
            log_level="DEBUG",
        ),
        id="intake",
    ),
    pytest.param(
        Service(
            classifier_environment(
                KAFKA,
                TOPICS,
                app_id="classifier-x",
                host="10.0.0.5",
                port=18001,
                data_dir=FOLDER / "classifier",
                log_level="WARNING",
                batch_within_seconds=0.1,
            ),
            CLASSIFIER_READS,
            KAFKA_AND_TOPICS
            | {
                ClassifierSettings: {
                    "app_id": "classifier-x",
                    "web_host": "10.0.0.5",
                    "web_port": 18001,
                    "data_dir": FOLDER / "classifier",
                    "batch_within_seconds": 0.1,
                }
            },
            log_level="WARNING",
        ),
        id="classifier",
    ),
    pytest.param(
        Service(
            aggregator_environment(
                KAFKA,
                TOPICS,
                group_id="aggregator-x",
                host="10.0.0.5",
                port=18002,
                chdb_path=FOLDER / "chdb",
                log_level="ERROR",
                batch_max_seconds=30,
                exact_counts=True,
                review_accounts_file=FOLDER / "review-accounts.json",
                status_token="token-x",
            ),
            AGGREGATOR_READS,
            KAFKA_AND_TOPICS
            | {
                AggregatorSettings: {
                    "group_id": "aggregator-x",
                    "host": "10.0.0.5",
                    "port": 18002,
                    "batch_max_seconds": 30.0,
                    "disclosure_min_count": 1,
                    "disclosure_rounding_base": 1,
                    "disclosure_noise": False,
                    "status_token": SecretStr("token-x"),
                },
                ClickHouseSettings: {"dsn": "chdb:///srv/waakhond-test/chdb"},
                ReviewSettings: {
                    "accounts_file": FOLDER / "review-accounts.json",
                    "cookie_secure": False,
                },
            },
            log_level="ERROR",
        ),
        id="aggregator",
    ),
    # The embedded stack and the broker-outage test leave the topics and the log level to
    # the services' defaults.
    pytest.param(
        Service(
            classifier_environment(KAFKA, port=18001, data_dir=FOLDER / "classifier"),
            CLASSIFIER_READS,
            {
                KafkaSettings: {"bootstrap_servers": "broker-a:9092,broker-b:9092"},
                TopicSettings: {n: f.default for n, f in TopicSettings.model_fields.items()},
                ClassifierSettings: {"web_port": 18001, "data_dir": FOLDER / "classifier"},
            },
        ),
        id="default-topics",
    ),
]


@pytest.fixture(autouse=True)
def only_the_variables_under_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """A WAAKHOND_* variable of the shell running the tests would blur what arrives."""
    for name in list(os.environ):
        if name.startswith("WAAKHOND_"):
            monkeypatch.delenv(name)


def setting_read_by(name: str, reads: tuple[SettingsClass, ...]) -> tuple[SettingsClass, str]:
    """The settings class and field a variable lands in (pydantic-settings: prefix + field)."""
    for settings in reads:
        prefix = settings.model_config.get("env_prefix", "")
        field = name.removeprefix(prefix).lower()
        if name.startswith(prefix) and field in settings.model_fields:
            return settings, field
    raise AssertionError(f"{name} is read by none of {[s.__name__ for s in reads]}")


@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_is_one_the_service_reads(service: Service) -> None:
    for name in service.environment.keys() - {LOG_LEVEL}:
        setting_read_by(name, service.reads)


@pytest.mark.parametrize("service", SERVICES)
def test_the_values_arrive_in_the_service_settings(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in service.environment.items():
        monkeypatch.setenv(name, value)
    for settings, fields in service.expected.items():
        loaded = settings()
        assert {field: getattr(loaded, field) for field in fields} == fields, settings.__name__
    assert _log_level() == (service.log_level or "INFO")
    written = {setting_read_by(n, service.reads) for n in service.environment.keys() - {LOG_LEVEL}}
    checked = {
        (settings, field) for settings, fields in service.expected.items() for field in fields
    }
    assert written <= checked, "a variable is written whose value no case checks"


@pytest.mark.parametrize(
    ("exact_counts", "policy"),
    [
        pytest.param(True, DisclosurePolicy(min_count=1, rounding_base=1, noise=False), id="exact"),
        pytest.param(False, DisclosurePolicy(), id="published"),
    ],
)
def test_exact_counts_turn_off_suppression_rounding_and_noise(
    exact_counts: bool, policy: DisclosurePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = aggregator_environment(
        KAFKA, port=18002, chdb_path=FOLDER / "chdb", exact_counts=exact_counts
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = AggregatorSettings()
    loaded = DisclosurePolicy(
        settings.disclosure_min_count, settings.disclosure_rounding_base, settings.disclosure_noise
    )
    assert loaded == policy

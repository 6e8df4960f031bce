"""The environment of a service child process (`waakhond intake|classifier|aggregator`).

Each service reads its configuration from ``WAAKHOND_*`` variables (the pydantic settings
classes, and ``WAAKHOND_LOG_LEVEL`` in the `waakhond` command); these functions write them
for the embedded stack, the benchmark and the end-to-end tests. A keyword left at ``None``
sets nothing, so the service keeps its own default.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from waakhond_runtime.settings import KafkaSettings, TopicSettings


def _given(variables: Mapping[str, str | int | float | Path | None]) -> dict[str, str]:
    return {name: str(value) for name, value in variables.items() if value is not None}


def kafka_environment(kafka: KafkaSettings, topics: TopicSettings | None = None) -> dict[str, str]:
    """The broker, and the topics when they are not the default ones."""
    environment = {"WAAKHOND_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers}
    if topics is not None:
        environment |= {
            "WAAKHOND_TOPIC_SUBMITTED": topics.submitted,
            "WAAKHOND_TOPIC_CLASSIFIED": topics.classified,
            "WAAKHOND_TOPIC_REVIEWED": topics.reviewed,
            "WAAKHOND_TOPIC_WITHDRAWN": topics.withdrawn,
            "WAAKHOND_TOPIC_DEADLETTER": topics.deadletter,
            "WAAKHOND_TOPIC_PARTITIONS": str(topics.partitions),
        }
    return environment


def intake_environment(
    kafka: KafkaSettings,
    topics: TopicSettings | None = None,
    *,
    port: int,
    api_keys_file: Path,
    host: str | None = None,
    log_level: str | None = None,
    rate_limit_signals_per_second: float | None = None,
    rate_limit_burst: int | None = None,
    status_url: str | None = None,
    status_token: str | None = None,
) -> dict[str, str]:
    """``status_url`` and ``status_token``: where GET /v1/signals reads statuses (the
    aggregator, with the token it was given)."""
    return kafka_environment(kafka, topics) | _given(
        {
            "WAAKHOND_INTAKE_STATUS_URL": status_url,
            "WAAKHOND_INTAKE_STATUS_TOKEN": status_token,
            "WAAKHOND_INTAKE_HOST": host,
            "WAAKHOND_INTAKE_PORT": port,
            "WAAKHOND_INTAKE_API_KEYS_FILE": api_keys_file,
            "WAAKHOND_INTAKE_RATE_LIMIT_SIGNALS_PER_SECOND": rate_limit_signals_per_second,
            "WAAKHOND_INTAKE_RATE_LIMIT_BURST": rate_limit_burst,
            "WAAKHOND_LOG_LEVEL": log_level,
        }
    )


def classifier_environment(
    kafka: KafkaSettings,
    topics: TopicSettings | None = None,
    *,
    port: int,
    data_dir: Path,
    app_id: str | None = None,
    host: str | None = None,
    log_level: str | None = None,
    batch_within_seconds: float | None = None,
) -> dict[str, str]:
    return kafka_environment(kafka, topics) | _given(
        {
            "WAAKHOND_CLASSIFIER_APP_ID": app_id,
            "WAAKHOND_CLASSIFIER_WEB_HOST": host,
            "WAAKHOND_CLASSIFIER_WEB_PORT": port,
            "WAAKHOND_CLASSIFIER_DATA_DIR": data_dir,
            "WAAKHOND_CLASSIFIER_BATCH_WITHIN_SECONDS": batch_within_seconds,
            "WAAKHOND_LOG_LEVEL": log_level,
        }
    )


def aggregator_environment(
    kafka: KafkaSettings,
    topics: TopicSettings | None = None,
    *,
    port: int,
    chdb_path: Path,
    group_id: str | None = None,
    host: str | None = None,
    log_level: str | None = None,
    batch_max_seconds: float | None = None,
    exact_counts: bool = False,
    review_accounts_file: Path | None = None,
    status_token: str | None = None,
) -> dict[str, str]:
    """The aggregator on its own chDB folder (chDB allows one process per folder); with
    ``review_accounts_file`` its review page signs in with those accounts, over plain HTTP
    (the embedded stack listens on this machine only)."""
    environment = kafka_environment(kafka, topics) | _given(
        {
            "WAAKHOND_AGGREGATOR_GROUP_ID": group_id,
            "WAAKHOND_AGGREGATOR_HOST": host,
            "WAAKHOND_AGGREGATOR_PORT": port,
            "WAAKHOND_AGGREGATOR_BATCH_MAX_SECONDS": batch_max_seconds,
            "WAAKHOND_CLICKHOUSE_DSN": f"chdb://{chdb_path}",
            "WAAKHOND_LOG_LEVEL": log_level,
            "WAAKHOND_REVIEW_ACCOUNTS_FILE": review_accounts_file,
            "WAAKHOND_AGGREGATOR_STATUS_TOKEN": status_token,
        }
    )
    if review_accounts_file is not None:
        environment["WAAKHOND_REVIEW_COOKIE_SECURE"] = "false"
    if exact_counts:
        # Tests and benchmarks compare the trends API's totals with the signals they sent;
        # suppression, rounding and noise would hide the very differences they look for.
        environment |= {
            "WAAKHOND_AGGREGATOR_DISCLOSURE_MIN_COUNT": "1",
            "WAAKHOND_AGGREGATOR_DISCLOSURE_ROUNDING_BASE": "1",
            "WAAKHOND_AGGREGATOR_DISCLOSURE_NOISE": "false",
        }
    return environment

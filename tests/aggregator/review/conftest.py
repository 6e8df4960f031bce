"""The review page over the real chDB and the real broker: signals stored the way the
aggregator stores them, accounts made the way `waakhond reviewers create` makes them, the
aggregator's app with the page mounted on /review."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from fastapi import FastAPI
from kafka import KafkaConsumer

from tests.support import unique_suffix
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app, prepare_database
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.review.accounts import create_account
from waakhond_aggregator.review.config import ReviewSettings
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import (
    Classification,
    ReviewerRole,
    ReviewReason,
    SignalClassified,
    SignalReviewed,
)
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics

PASSWORD = "een-lang-wachtwoord"
SESSION_SECRET = "test-secret-for-signing-review-sessions"


@dataclass(frozen=True, slots=True)
class TestAccount:
    username: str
    reviewer_id: str
    role: ReviewerRole
    organisations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Accounts:
    path: Path
    rita: TestAccount  # reviewer of mee-noord
    wim: TestAccount  # reviewer of zorgbelang-west
    cora: TestAccount  # coordinator


def make_account(
    path: Path, username: str, role: ReviewerRole, organisations: tuple[str, ...]
) -> TestAccount:
    stored = create_account(path, username, PASSWORD, role, list(organisations))
    return TestAccount(username, stored.reviewer_id, role, organisations)


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    path = tmp_path / "review-accounts.json"
    return Accounts(
        path=path,
        rita=make_account(path, "rita", ReviewerRole.REVIEWER, ("mee-noord",)),
        wim=make_account(path, "wim", ReviewerRole.REVIEWER, ("zorgbelang-west",)),
        cora=make_account(path, "cora", ReviewerRole.COORDINATOR, ()),
    )


def review_topics(kafka: KafkaSettings) -> TopicSettings:
    """This test's own topics, the reviewed topic included, created before any client."""
    suffix = unique_suffix()
    topics = TopicSettings(
        submitted=f"submitted-{suffix}",
        classified=f"classified-{suffix}",
        reviewed=f"reviewed-{suffix}",
        withdrawn=f"withdrawn-{suffix}",
        deadletter=f"deadletter-{suffix}",
        partitions=2,
    )
    ensure_topics(kafka, topics)
    return topics


@pytest.fixture
def topics_with_reviewed(kafka_settings: KafkaSettings) -> TopicSettings:
    return review_topics(kafka_settings)


def classified(
    organisation_id: str = "mee-noord",
    *,
    labels: tuple[Category, ...] = (Category.NO_SUITABLE_CARE,),
    needs_review: bool = False,
    submitted_at: dt.datetime | None = None,
    description: str = "Al maanden wachtlijst voor beschermd wonen, geen passende plek.",
    explanations: dict[Category, list[str]] | None = None,
    scores: dict[Category, float] | None = None,
    model_version: str = "model-2026.12",
) -> SignalClassified:
    submitted = submitted_at or dt.datetime.now(dt.UTC)
    return SignalClassified.model_validate(
        {
            "signal_id": str(uuid.uuid4()),
            "organisation_id": organisation_id,
            "submitted_at": submitted.isoformat(),
            "observed_on": (submitted.date() - dt.timedelta(days=3)).isoformat(),
            "municipality_code": "GM0363",
            "law_domains": ["wmo", "wlz"],
            "life_domains": ["housing"],
            "target_groups": ["intellectual_disability"],
            "age_band": "18-26",
            "supporter_type": "formal",
            "description": description,
            "classification": Classification(
                labels=list(labels),
                scores=scores or {c: (0.9 if c in labels else 0.1) for c in Category},
                needs_review=needs_review,
                review_reasons=[ReviewReason.UNCERTAIN] if needs_review else [],
                model_version=model_version,
                classified_at=submitted,
                explanations=explanations
                if explanations is not None
                else {c: ["wachtlijst", "geen plek"] for c in labels},
            ).model_dump(),
        }
    )


def record_decision(
    client: Client,
    database: str,
    signal: SignalClassified,
    reviewer_id: str,
    role: ReviewerRole,
    labels: list[str],
    at: dt.datetime,
) -> None:
    """A decision as the aggregator records it when it consumes one."""
    client.insert(
        f"{database}.review_decisions",
        [
            [
                signal.signal_id,
                uuid.uuid4(),
                signal.organisation_id,
                "labelled",
                labels,
                [],
                reviewer_id,
                role.value,
                at,
                signal.classification.model_version,
                [c.value for c in signal.classification.labels],
            ]
        ],
        column_names=[
            "signal_id",
            "decision_id",
            "organisation_id",
            "outcome",
            "labels",
            "identifying_kinds",
            "reviewer",
            "role",
            "decided_at",
            "reviewed_model_version",
            "model_categories",
        ],
    )


def store(client: Client, database: str, signals: list[SignalClassified]) -> None:
    """As the aggregator's consumer stores them."""
    reference = load_region_reference()
    TrendStore(client, database).insert([to_rows(signal, reference) for signal in signals])


@pytest.fixture
def review_database(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> Iterator[str]:
    prepare_database(clickhouse_client, clickhouse_settings.database, AggregatorSettings())
    yield clickhouse_settings.database
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {clickhouse_settings.database}")


def review_settings(accounts: Accounts, **overrides: Any) -> ReviewSettings:
    values: dict[str, Any] = {
        "accounts_file": accounts.path,
        "session_secret": SESSION_SECRET,
        "cookie_secure": False,
        "sample_rate": 0.0,
        **overrides,
    }
    return ReviewSettings(**values)


AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    review_database: str,
    kafka_settings: KafkaSettings,
    topics_with_reviewed: TopicSettings,
    accounts: Accounts,
) -> AppFactory:
    """The aggregator's app (not consuming) with the page mounted; ``overrides`` go to the
    page's settings."""
    assert review_database == clickhouse_settings.database

    def make(**overrides: Any) -> FastAPI:
        return create_app(
            AggregatorSettings(consume=False),
            clickhouse_settings,
            kafka_settings,
            topics_with_reviewed,
            clickhouse_client,
            review=review_settings(accounts, **overrides),
        )

    return make


def read_decisions(
    kafka: KafkaSettings,
    topic: str,
    expected: int,
    timeout: float = 20.0,
) -> list[tuple[bytes, SignalReviewed]]:
    """The decisions on ``topic`` as (key, message), once ``expected`` have arrived (or
    what arrived within ``timeout``)."""
    return read_decisions_until(kafka, topic, lambda found: len(found) >= expected, timeout)


def read_decisions_until(
    kafka: KafkaSettings,
    topic: str,
    done: Callable[[list[tuple[bytes, SignalReviewed]]], bool],
    timeout: float = 20.0,
) -> list[tuple[bytes, SignalReviewed]]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap_list,
        group_id=f"review-test-{unique_suffix()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
    )
    found: list[tuple[bytes, SignalReviewed]] = []
    try:
        deadline = time.monotonic() + timeout
        while not done(found) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                found += [
                    (record.key, SignalReviewed.model_validate_json(record.value))
                    for record in records
                ]
    finally:
        consumer.close()
    return found


def only_the_sentinel_was_published(kafka: KafkaSettings, topic: str, sentinel: uuid.UUID) -> bool:
    """True when the one decision on ``topic`` up to a decision on ``sentinel`` is that one.
    Refused actions are checked this way: a valid decision made after them, on the same
    signal (so the same partition), comes after anything they might have published."""

    def sentinel_seen(found: list[tuple[bytes, SignalReviewed]]) -> bool:
        return any(message.signal_id == sentinel for _, message in found)

    found = read_decisions_until(kafka, topic, sentinel_seen)
    return [message.signal_id for _, message in found] == [sentinel]

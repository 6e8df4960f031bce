"""Helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from kafka import KafkaProducer

from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics

ORGANISATIONS = ("mee-noord", "zorgbelang-west", "welzijn-oost")


def valid_submission(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "client_ref": f"ref-{uuid.uuid4().hex[:12]}",
        "observed_on": (dt.date.today() - dt.timedelta(days=3)).isoformat(),
        "municipality_code": "GM0363",
        "law_domains": ["wmo"],
        "life_domains": ["housing"],
        "target_groups": ["intellectual_disability"],
        "age_band": "18-26",
        "supporter_type": "formal",
        "description": "Al maanden wachtlijst voor beschermd wonen, geen passende plek.",
    }
    body.update(overrides)
    return body


def unique_suffix() -> str:
    """For the names of topics, consumer groups and databases no other test shares."""
    return uuid.uuid4().hex[:8]


def fresh_topics(kafka: KafkaSettings, suffix: str, partitions: int = 3) -> TopicSettings:
    """Topics of this test alone, created explicitly before any client touches them."""
    topics = TopicSettings(
        submitted=f"submitted-{suffix}",
        classified=f"classified-{suffix}",
        reviewed=f"reviewed-{suffix}",
        deadletter=f"deadletter-{suffix}",
        partitions=partitions,
    )
    ensure_topics(kafka, topics)
    return topics


def produce(
    kafka: KafkaSettings, topic: str, records: Iterable[tuple[bytes | None, bytes]]
) -> None:
    """Writes (key, value) records in this order, and returns once the broker has them all."""
    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap_list, acks="all")
    try:
        for key, value in records:
            producer.send(topic, key=key, value=value)
        producer.flush()
    finally:
        producer.close()

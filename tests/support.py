"""Helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterable

import uvicorn
from fastapi import FastAPI
from kafka import KafkaConsumer, KafkaProducer

from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics
from waakhond_tools.stack.broker import free_port

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
        withdrawn=f"withdrawn-{suffix}",
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


class ServerThread:
    """uvicorn in a thread on a free local port, stopped through its own shutdown path
    (lifespan included)."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise TimeoutError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def read_topic(
    kafka: KafkaSettings,
    topic: str,
    expected: int,
    *,
    settle_seconds: float = 0.0,
    timeout: float = 20.0,
) -> list[tuple[bytes | None, bytes]]:
    """The records on ``topic`` as (key, value), from the start, once ``expected`` have
    arrived (or what arrived within ``timeout``). ``settle_seconds``: go on reading that
    long after, so a record more than expected is seen too."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap_list,
        group_id=f"reader-{unique_suffix()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
    )
    records: list[tuple[bytes | None, bytes]] = []
    deadline = time.monotonic() + timeout
    settled_at: float | None = None
    try:
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records += [(r.key, r.value) for r in batch]
            if len(records) >= expected and settled_at is None:
                settled_at = time.monotonic() + settle_seconds
            if settled_at is not None and time.monotonic() >= settled_at:
                break
    finally:
        consumer.close()
    return records

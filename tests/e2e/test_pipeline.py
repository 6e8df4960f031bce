"""Signals over HTTP from three organisations -> Kafka -> classifier -> aggregator -> ClickHouse,
with retries, redeliveries and a conflicting resubmission; every count is exact."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

import httpx
from kafka import KafkaConsumer, TopicPartition
from prometheus_client import REGISTRY

from tests.e2e.conftest import Pipeline, wait_until
from tests.support import ORGANISATIONS, produce
from waakhond_aggregator.storage.disclosure import DisclosurePolicy, disclose
from waakhond_classifier.model.base import ClassifierInput
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.regions import RegionLevel, load_region_reference
from waakhond_contract.vocabularies import Category
from waakhond_runtime.settings import KafkaSettings
from waakhond_tools.stack.demo import generate_signals

PERIOD_END = dt.date(2025, 3, 30)
PERIOD_START = dt.date(2025, 1, 6)
CATEGORIES = ["all", *(str(c) for c in Category)]


def handled() -> float:
    """Messages the aggregator has taken through a batch: stored, ignored or dead-lettered."""
    return REGISTRY.get_sample_value("waakhond_aggregator_batch_size_sum") or 0.0


def read_all(kafka: KafkaSettings, topic: str, at_least: int) -> list[Any]:
    """Every record of a topic, read without a consumer group (no join to wait for)."""
    consumer = KafkaConsumer(
        bootstrap_servers=kafka.bootstrap_list,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    records: list[Any] = []
    idle = 0
    try:
        consumer.topics()  # loads metadata; partitions_for_topic is None before that
        partitions = consumer.partitions_for_topic(topic) or set()
        assert partitions, f"topic {topic} has no partitions"
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        consumer.seek_to_beginning()
        # Until at_least records arrived and the topic has gone quiet, or 60 s.
        for _ in range(300):
            polled = [r for batch in consumer.poll(timeout_ms=200).values() for r in batch]
            records += polled
            idle = 0 if polled else idle + 1
            if len(records) >= at_least and idle >= 3:
                break
    finally:
        consumer.close()
    return records


def post(pipeline: Pipeline, organisation: str, path: str, body: Any) -> httpx.Response:
    return httpx.post(
        f"{pipeline.intake_url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {pipeline.tokens[organisation]}"},
        timeout=30,
    )


def care_office(body: dict[str, Any]) -> str:
    municipality = load_region_reference().resolve(
        body["municipality_code"], dt.date.fromisoformat(body["observed_on"])
    )
    return municipality.region(RegionLevel.ZORGKANTOORREGIO).code


def expected_counts(
    signals: dict[uuid.UUID, dict[str, Any]], labels: dict[uuid.UUID, tuple[str, ...]]
) -> Counter[tuple[str, str, str]]:
    reference = load_region_reference()
    counts: Counter[tuple[str, str, str]] = Counter()
    for signal_id, body in signals.items():
        municipality = reference.resolve(
            body["municipality_code"], dt.date.fromisoformat(body["observed_on"])
        )
        for region in municipality.regions:
            for category in ("all", *labels[signal_id]):
                counts[(str(region.level), region.code, category)] += 1
    return counts


def test_every_signal_is_counted_exactly_once_at_every_level(pipeline: Pipeline) -> None:
    generated = list(generate_signals(360, seed=7, weeks=12, today=PERIOD_END))
    by_org: dict[str, list[dict[str, Any]]] = {org: [] for org in ORGANISATIONS}
    for index, (_, body) in enumerate(generated):
        by_org[ORGANISATIONS[index % 3]].append(body)

    handled_before = handled()
    unique: dict[uuid.UUID, dict[str, Any]] = {}
    for organisation, bodies in by_org.items():
        response = post(pipeline, organisation, "/v1/signals/batch", {"signals": bodies})
        assert response.status_code == 202, response.text
        assert response.json()["accepted"] == len(bodies)
        for body, result in zip(bodies, response.json()["results"], strict=True):
            signal_id = uuid.UUID(result["signal_id"])
            assert signal_id == derive_signal_id(organisation, body["client_ref"])
            unique[signal_id] = body
    messages = len(generated)

    # Retries of the same client_ref: same id, stored once.
    for organisation in ORGANISATIONS:
        for body in by_org[organisation][:10]:
            response = post(pipeline, organisation, "/v1/signals", body)
            assert response.status_code == 202
            assert uuid.UUID(response.json()["signal_id"]) in unique
            messages += 1

    # A correction: the client_ref again with other content, in another care-office region
    # (so another region's partition if records were keyed by region). The new version
    # replaces the first in every count.
    original = by_org["mee-noord"][20]
    moved_to = next(
        code
        for code in ("GM0014", "GM0363")  # Groningen, Amsterdam: two care-office regions
        if care_office({**original, "municipality_code": code}) != care_office(original)
    )
    correction = {
        **original,
        "municipality_code": moved_to,
        "description": original["description"] + " Aangevuld later.",
    }
    assert care_office(correction) != care_office(original)
    response = post(pipeline, "mee-noord", "/v1/signals", correction)
    assert response.status_code == 202
    unique[uuid.UUID(response.json()["signal_id"])] = correction
    messages += 1

    # Redelivery: the same classified records a second time, byte for byte, the first
    # version of the corrected signal among them.
    classified = read_all(pipeline.kafka, pipeline.topics.classified, messages)
    produce(pipeline.kafka, pipeline.topics.classified, ((r.key, r.value) for r in classified[:50]))
    messages += 50

    wait_until(lambda: handled() - handled_before >= messages, 120, "every message handled")

    classifier = load_default_classifier()
    ids = list(unique)
    outputs = classifier.classify_batch(
        [ClassifierInput(text=unique[i]["description"]) for i in ids]
    )
    labels = {i: tuple(str(label) for label in o.labels) for i, o in zip(ids, outputs, strict=True)}
    expected = expected_counts(unique, labels)

    rows = pipeline.clickhouse.query(
        f"SELECT level, region_code, category, sum(signals) FROM {pipeline.database}.trend_weekly "
        "WHERE week_start BETWEEN {a:Date} AND {b:Date} GROUP BY level, region_code, category",
        parameters={"a": PERIOD_START, "b": PERIOD_END},
    ).result_rows
    actual = Counter({(level, code, category): int(n) for level, code, category, n in rows})
    assert actual == expected

    raw = pipeline.clickhouse.query(
        f"SELECT count(), uniqExact(signal_id), max(version) "
        f"FROM {pipeline.database}.current_signals"
    ).result_rows[0]
    assert raw == (len(unique), len(unique), 2)

    # The read API tells the same story, level by level, through disclosure control.
    for level in RegionLevel:
        for category in CATEGORIES:
            response = httpx.get(
                f"{pipeline.trends_url}/v1/trends",
                params={
                    "level": str(level),
                    "category": category,
                    "from": PERIOD_START.isoformat(),
                    "to": PERIOD_END.isoformat(),
                },
            )
            assert response.status_code == 200
            totals = {s["region_code"]: s["total"] for s in response.json()["series"]}
            # The API shows only disclosed numbers: small counts hidden, others rounded.
            wanted = {
                code: disclose(n, DisclosurePolicy(noise=False))
                for (lvl, code, cat), n in expected.items()
                if lvl == level and cat == category
            }
            assert totals == wanted, (level, category)


def test_no_planted_identifying_detail_reaches_clickhouse(pipeline: Pipeline) -> None:
    from tests.intake.api.routes.test_signals import IDENTIFYING, PLANTED
    from tests.support import valid_submission

    body = valid_submission(description=IDENTIFYING, observed_on="2024-02-07")
    response = post(pipeline, "welzijn-oost", "/v1/signals", body)
    assert response.status_code == 202
    signal_id = response.json()["signal_id"]

    def stored() -> list[str]:
        rows = pipeline.clickhouse.query(
            f"SELECT description FROM {pipeline.database}.signals WHERE signal_id = {{i:UUID}}",
            parameters={"i": signal_id},
        ).result_rows
        return [str(row[0]) for row in rows]

    wait_until(lambda: bool(stored()), 60, "signal stored")
    description = stored()[0]
    assert "[BSN]" in description
    for planted in PLANTED.values():
        assert planted not in description
    for record in read_all(pipeline.kafka, pipeline.topics.classified, 1):
        for planted in PLANTED.values():
            assert planted.encode() not in record.value

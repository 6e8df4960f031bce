"""Operating the dead-letter topic: export letters for a person to fix, replay the fixed ones.

``export`` writes one JSON line per letter with the original message as ``value`` (a JSON
object when it was JSON, else ``value_base64``). A person edits ``value``; ``replay``
validates each line against the contract of its source topic and produces the valid ones
to that topic with their original key. Lines that are still invalid are reported and left
out, so a replay never injects a new poison message.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from waakhond_contract.messages import (
    ContractModel,
    DeadLetter,
    SignalClassified,
    SignalSubmitted,
)
from waakhond_runtime.codec import DecodeError, decode
from waakhond_runtime.settings import KafkaSettings, TopicSettings


def read_topic(kafka: KafkaSettings, topic: str, idle_polls: int = 5) -> Iterator[bytes]:
    """Every record of ``topic`` from the beginning, without a consumer group."""
    consumer = KafkaConsumer(
        bootstrap_servers=kafka.bootstrap_list,
        client_id=f"{kafka.client_id}-deadletter-tool",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        consumer.topics()  # partitions_for_topic answers from metadata loaded before
        partitions = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        consumer.seek_to_beginning()
        idle = 0
        while idle < idle_polls:
            polled = consumer.poll(timeout_ms=200)
            idle = 0 if polled else idle + 1
            for records in polled.values():
                for record in records:
                    if record.value is not None:
                        yield record.value
    finally:
        consumer.close()


def export_line(letter: DeadLetter) -> dict[str, Any]:
    original = base64.b64decode(letter.value_base64)
    line: dict[str, Any] = {
        "source_topic": letter.source_topic,
        "source_partition": letter.source_partition,
        "source_offset": letter.source_offset,
        "stage": str(letter.stage),
        "reason": str(letter.reason),
        "detail": letter.detail,
        "key_base64": letter.key_base64,
    }
    try:
        line["value"] = json.loads(original)
    except (UnicodeDecodeError, json.JSONDecodeError):
        line["value_base64"] = letter.value_base64
    return line


def export_letters(
    kafka: KafkaSettings, topics: TopicSettings, stage: str | None, reason: str | None
) -> Iterator[dict[str, Any]]:
    for raw in read_topic(kafka, topics.deadletter):
        letter = DeadLetter.model_validate_json(raw)
        if (stage and str(letter.stage) != stage) or (reason and str(letter.reason) != reason):
            continue
        yield export_line(letter)


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    line: int
    replayed: bool
    error: str | None = None


def _model_for(topic: str, topics: TopicSettings) -> type[ContractModel]:
    if topic == topics.submitted:
        return SignalSubmitted
    if topic == topics.classified:
        return SignalClassified
    raise ValueError(f"{topic!r} is not a pipeline input topic")


def replay_letters(
    lines: Iterable[str],
    kafka: KafkaSettings,
    topics: TopicSettings,
    dry_run: bool = False,
) -> list[ReplayOutcome]:
    outcomes: list[ReplayOutcome] = []
    pending: list[tuple[int, str, bytes | None, bytes]] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            topic = str(line["source_topic"])
            if "value" in line:
                value = json.dumps(line["value"], ensure_ascii=False).encode()
            else:
                value = base64.b64decode(line["value_base64"])
            key = base64.b64decode(line["key_base64"]) if line.get("key_base64") else None
            decode(_model_for(topic, topics), value)
        except DecodeError as error:
            outcomes.append(ReplayOutcome(number, False, str(error)))
            continue
        except (ValueError, KeyError, TypeError) as error:
            outcomes.append(ReplayOutcome(number, False, f"{type(error).__name__}: {error}"))
            continue
        pending.append((number, topic, key, value))
    if pending and not dry_run:
        producer = KafkaProducer(
            bootstrap_servers=kafka.bootstrap_list,
            client_id=f"{kafka.client_id}-deadletter-replay",
            acks="all",
        )
        try:
            futures = [
                producer.send(topic, key=key, value=value) for _, topic, key, value in pending
            ]
            producer.flush()
            for future in futures:
                future.get(timeout=30)
        finally:
            producer.close()
    outcomes += [ReplayOutcome(number, not dry_run) for number, *_ in pending]
    return sorted(outcomes, key=lambda outcome: outcome.line)

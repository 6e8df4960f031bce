"""The two shapes a Kafka record takes in Waakhond, whatever client library moved it.

Every stage speaks of these, so a record read by kafka-python (aggregator) or aiokafka
(classifier, through faust) and a record written by intake, the classifier or a
dead-letter policy have one name each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConsumedRecord:
    """A record read from a topic: where it was, and its key and value as bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True, slots=True)
class ProducedRecord:
    """A record to write: its key and value as bytes; the topic is the writer's choice."""

    key: bytes | None
    value: bytes

"""Decisions out on ``signals.reviewed``: one ``SignalReviewed`` per decision, keyed by the
signal's id (all decisions on a signal in one partition, in order), acknowledged by all
in-sync replicas before the page answers."""

from __future__ import annotations

import threading

from kafka import KafkaProducer

from waakhond_contract.messages import SignalReviewed
from waakhond_runtime.codec import encode
from waakhond_runtime.settings import KafkaSettings


class PublishError(RuntimeError):
    """The broker did not acknowledge the decision in time; it was not recorded."""


class DecisionPublisher:
    def __init__(self, kafka: KafkaSettings, topic: str, timeout_seconds: float) -> None:
        self._kafka = kafka
        self._topic = topic
        self._timeout = timeout_seconds
        self._lock = threading.Lock()
        self._producer: KafkaProducer | None = None

    @property
    def topic(self) -> str:
        return self._topic

    def _connected(self) -> KafkaProducer:
        # Created at the first decision, not at start: the page serves its other pages while
        # the broker is away.
        with self._lock:
            if self._producer is None:
                timeout_ms = int(self._timeout * 1000)
                self._producer = KafkaProducer(
                    bootstrap_servers=self._kafka.bootstrap_list,
                    client_id=f"{self._kafka.client_id}-review",
                    acks="all",
                    max_block_ms=timeout_ms,
                    request_timeout_ms=max(1000, timeout_ms - 500),
                    delivery_timeout_ms=timeout_ms,
                    bootstrap_timeout_ms=timeout_ms,
                    reconnect_backoff_max_ms=1000,
                )
            return self._producer

    def publish(self, decision: SignalReviewed) -> None:
        """Returns once the broker has the decision; raises ``PublishError`` otherwise."""
        try:
            producer = self._connected()
            future = producer.send(
                self._topic, key=str(decision.signal_id).encode("ascii"), value=encode(decision)
            )
            producer.flush(timeout=self._timeout)
            future.get(timeout=self._timeout)
        except Exception as error:
            # A fresh producer for the next decision: kafka-python's has been seen to stay
            # without metadata after a broker restart (see intake's publisher).
            self._drop()
            raise PublishError(f"decision not acknowledged by the broker: {error!r}") from error

    def _drop(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=0)

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=self._timeout)
                self._producer = None

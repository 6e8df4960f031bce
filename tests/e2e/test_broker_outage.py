"""The broker stops mid-stream: intake answers 503 (never 202) while it is down, recovers by
itself when it is back, and nothing it acknowledged is lost.

The broker keeps its data in S3 storage (a local moto endpoint) so that, like a real Kafka
cluster, it comes back with the topics and offsets it had.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import wait_until
from tests.e2e.test_faults import national_total
from tests.support import ORGANISATIONS, ServerThread
from waakhond_contract.identity import derive_signal_id
from waakhond_intake.auth.keys import create_key
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.main import create_app as create_intake
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics
from waakhond_tools.stack.broker import TansuBroker, free_port
from waakhond_tools.stack.demo import generate_signals
from waakhond_tools.stack.environments import aggregator_environment, classifier_environment
from waakhond_tools.stack.local_s3 import LocalS3
from waakhond_tools.stack.processes import ServiceProcess


def restart_until_serving(
    broker: TansuBroker, kafka: KafkaSettings, topics: TopicSettings, log_file: Path
) -> None:
    """Start the broker again and make sure it serves metadata and stays up. The test broker
    (Tansu on a local S3) has exited right after a restart on a loaded machine; the
    premise of this test is a broker that is back, so such a start is retried, and its log
    is shown if it never stays up."""
    for _ in range(3):
        broker.start()
        try:
            ensure_topics(kafka, topics)
            time.sleep(1.0)
            if broker.running:
                ensure_topics(kafka, topics)
                return
        except Exception:  # the restarted process died under the admin client
            pass
        broker.stop()
    tail = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
    raise AssertionError(f"the broker did not stay up after a restart:\n{tail}")


BATCH = 20


class LoggingSubmitter(threading.Thread):
    """Posts batches steadily; keeps each answer with the time it was sent and received."""

    def __init__(self, url: str, tokens: dict[str, str], bodies: list[dict[str, Any]]) -> None:
        super().__init__(daemon=True)
        self.url, self.tokens, self.bodies = url, tokens, bodies
        self.answers: list[tuple[float, float, int]] = []
        self.accepted: set[str] = set()
        self.refused: set[str] = set()
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as http:
            for number, start in enumerate(range(0, len(self.bodies), BATCH)):
                if self.stop.is_set():
                    return
                organisation = ORGANISATIONS[number % len(ORGANISATIONS)]
                sent = time.monotonic()
                response = http.post(
                    "/v1/signals/batch",
                    json={"signals": self.bodies[start : start + BATCH]},
                    headers={"Authorization": f"Bearer {self.tokens[organisation]}"},
                )
                self.answers.append((sent, time.monotonic(), response.status_code))
                batch = self.bodies[start : start + BATCH]
                if response.status_code in (202, 207):
                    self.accepted |= {
                        r["signal_id"]
                        for r in response.json()["results"]
                        if r["status"] == "accepted"
                    }
                else:
                    self.refused |= {
                        str(derive_signal_id(organisation, body["client_ref"])) for body in batch
                    }
                time.sleep(0.1)


def test_broker_outage_is_503_then_recovers_without_loss(
    tmp_path: Path,
) -> None:
    suffix = uuid.uuid4().hex[:8]
    with LocalS3() as s3:
        broker = TansuBroker(
            storage=s3.storage_url,
            environment=s3.broker_environment(),
            log_file=tmp_path / "tansu.log",
        )
        kafka = KafkaSettings(bootstrap_servers=broker.start())
        topics = TopicSettings(partitions=2)
        ensure_topics(kafka, topics)
        keys_file = tmp_path / "api-keys.json"
        tokens = {org: create_key(keys_file, org)[1] for org in ORGANISATIONS}
        classifier_port, aggregator_port = free_port(), free_port()
        classifier = ServiceProcess(
            "classifier",
            ["classifier"],
            classifier_environment(
                kafka,
                app_id=f"classifier-{suffix}",
                port=classifier_port,
                data_dir=tmp_path / "classifier",
            ),
            tmp_path / "classifier.log",
        )
        aggregator = ServiceProcess(
            "aggregator",
            ["aggregator"],
            aggregator_environment(
                kafka,
                group_id=f"aggregator-{suffix}",
                port=aggregator_port,
                chdb_path=tmp_path / "chdb",
                exact_counts=True,
            ),
            tmp_path / "aggregator.log",
        )
        trends_url = f"http://127.0.0.1:{aggregator_port}"
        bodies = [
            b for _, b in generate_signals(4000, seed=5, weeks=12, today=dt.date(2025, 3, 30))
        ]
        intake = create_intake(
            IntakeSettings(api_keys_file=keys_file, delivery_timeout_seconds=2.0), kafka, topics
        )
        classifier.start()
        aggregator.start()
        try:
            aggregator.wait_ready(f"{trends_url}/readyz", 90)
            classifier.wait_ready(f"http://127.0.0.1:{classifier_port}/readyz", 90)
            with ServerThread(intake) as server:
                submitter = LoggingSubmitter(server.url, tokens, bodies)
                submitter.start()
                time.sleep(2.0)
                broker.stop()
                down = time.monotonic()
                # Long enough that requests start and end inside the outage even on a busy machine.
                time.sleep(10.0)
                up = time.monotonic()
                restart_until_serving(broker, kafka, topics, tmp_path / "tansu.log")
                back = time.monotonic()
                time.sleep(15.0)
                submitter.stop.set()
                submitter.join(60)

            answers = submitter.answers
            # Sent once the broker was gone and answered before it was back (with a margin for
            # the delivery timeout): never a 202.
            during = [status for sent, _, status in answers if down < sent < up - 2.5]
            assert during, "no request was made while the broker was down"
            assert set(during) == {503}
            # Intake recovered by itself: well after the restart everything is accepted again.
            after = [status for sent, _, status in answers if sent > back + 8]
            assert after
            assert set(after) == {202}

            accepted = submitter.accepted
            wait_until(lambda: national_total(trends_url) >= len(accepted), 180, "all counted")
            time.sleep(3)
            # Every acknowledged signal counts once. A 503 promises nothing either way: a
            # record handed to the producer may still arrive after the answer (a retry would
            # carry the same signal_id), so those may count too, and nothing else may.
            assert len(accepted) <= national_total(trends_url) <= len(accepted | submitter.refused)
        finally:
            classifier.stop()
            aggregator.stop()
            broker.stop()

"""Kill -9 the classifier and the aggregator at seeded random moments while signals flow:
afterwards every signal intake answered 202 for is in the trends exactly once."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    aggregator_process,
    classifier_process,
    wait_until,
)
from tests.support import ORGANISATIONS, ServerThread, fresh_topics, unique_suffix
from waakhond_contract.regions import RegionLevel, load_region_reference
from waakhond_intake.auth.keys import create_key
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.main import create_app as create_intake
from waakhond_runtime.settings import KafkaSettings
from waakhond_tools.stack.demo import generate_signals

SIGNALS = 2400
BATCH = 40
ROUNDS = 2


class Submitter(threading.Thread):
    """Posts batches at a steady pace and remembers what intake acknowledged."""

    def __init__(self, intake_url: str, tokens: dict[str, str], bodies: list[dict[str, Any]]):
        super().__init__(daemon=True)
        self.intake_url = intake_url
        self.tokens = tokens
        self.bodies = bodies
        self.accepted: dict[str, dict[str, Any]] = {}

    def run(self) -> None:
        with httpx.Client(base_url=self.intake_url, timeout=30) as http:
            for number, start in enumerate(range(0, len(self.bodies), BATCH)):
                chunk = self.bodies[start : start + BATCH]
                organisation = ORGANISATIONS[number % len(ORGANISATIONS)]
                response = http.post(
                    "/v1/signals/batch",
                    json={"signals": chunk},
                    headers={"Authorization": f"Bearer {self.tokens[organisation]}"},
                )
                if response.status_code in (202, 207):
                    for body, result in zip(chunk, response.json()["results"], strict=True):
                        if result["status"] == "accepted":
                            self.accepted[result["signal_id"]] = body
                time.sleep(0.05)


def national_total(url: str) -> int:
    response = httpx.get(
        f"{url}/v1/trends",
        params={"level": "national", "from": "2025-01-01", "to": "2025-04-06"},
        timeout=10,
    )
    response.raise_for_status()
    return sum(series["total"] or 0 for series in response.json()["series"])


@pytest.mark.e2e
def test_no_acknowledged_signal_is_lost_or_counted_twice_under_kill_9(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    rng = random.Random(20251122)
    suffix = unique_suffix()
    topics = fresh_topics(kafka_settings, suffix)
    keys_file = tmp_path / "api-keys.json"
    tokens = {org: create_key(keys_file, org)[1] for org in ORGANISATIONS}
    classifier, classifier_port = classifier_process(kafka_settings, topics, suffix, tmp_path)
    aggregator, trends_url = aggregator_process(kafka_settings, topics, suffix, tmp_path)
    classifier_ready = f"http://127.0.0.1:{classifier_port}/readyz"

    period_end = dt.date(2025, 3, 30)
    bodies = [body for _, body in generate_signals(SIGNALS, seed=11, weeks=12, today=period_end)]
    intake = create_intake(IntakeSettings(api_keys_file=keys_file), kafka_settings, topics)
    classifier.start()
    aggregator.start()
    try:
        aggregator.wait_ready(f"{trends_url}/readyz", 90)
        classifier.wait_ready(classifier_ready, 90)
        with ServerThread(intake) as intake_server:
            submitter = Submitter(intake_server.url, tokens, bodies)
            submitter.start()
            for _ in range(ROUNDS):
                time.sleep(rng.uniform(1.0, 3.0))
                classifier.kill()
                classifier.start()
                time.sleep(rng.uniform(0.5, 2.0))
                aggregator.kill()
                aggregator.start()
                aggregator.wait_ready(f"{trends_url}/readyz", 90)
            submitter.join(300)
            assert not submitter.is_alive()
            classifier.wait_ready(classifier_ready, 90)

            accepted = submitter.accepted
            assert len(accepted) > SIGNALS // 2, "intake should accept most of the stream"
            wait_until(
                lambda: national_total(trends_url) >= len(accepted),
                180,
                "every acknowledged signal counted",
            )
            time.sleep(3)  # anything still replaying would show up as a surplus now
            assert national_total(trends_url) == len(accepted)

            reference = load_region_reference()
            expected: Counter[str] = Counter()
            for body in accepted.values():
                municipality = reference.resolve(
                    body["municipality_code"], dt.date.fromisoformat(body["observed_on"])
                )
                expected[municipality.region(RegionLevel.ZORGKANTOORREGIO).code] += 1
            response = httpx.get(
                f"{trends_url}/v1/trends",
                params={"level": "zorgkantoorregio", "from": "2025-01-01", "to": "2025-04-06"},
                timeout=10,
            )
            totals = {s["region_code"]: s["total"] for s in response.json()["series"]}
            assert totals == dict(expected)
    finally:
        classifier.stop()
        aggregator.stop()

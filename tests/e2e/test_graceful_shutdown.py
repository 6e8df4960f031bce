"""SIGTERM lets a service finish its batch and commit: the next instance replays nothing."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

import httpx

from tests.aggregator.processing.test_transform import classified
from tests.aggregator.streaming.test_consumer_faults import send_classified
from tests.e2e.conftest import wait_until
from tests.support import produce
from waakhond_contract.messages import SignalClassified
from waakhond_contract.vocabularies import Category
from waakhond_runtime.codec import decode, encode
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.stack.broker import free_port
from waakhond_tools.stack.environments import aggregator_environment, classifier_environment
from waakhond_tools.stack.processes import ServiceProcess


def metric(url: str, name: str) -> float:
    return metric_at(f"{url}/metrics/", name)


def metric_at(metrics_url: str, name: str) -> float:
    text = httpx.get(metrics_url, timeout=10).text
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    return 0.0


def national_total(url: str) -> int:
    body = httpx.get(
        f"{url}/v1/trends",
        params={"level": "national", "from": "2025-02-03", "to": "2025-02-09"},
        timeout=10,
    ).json()
    return sum(series["total"] or 0 for series in body["series"])


def classifier_env(
    kafka: KafkaSettings, topics: TopicSettings, folder: Path
) -> tuple[dict[str, str], int]:
    """A classifier's environment in a fresh consumer group, for two instances in turn."""
    port = free_port()
    environment = classifier_environment(
        kafka,
        topics,
        app_id=f"classifier-{uuid.uuid4().hex[:8]}",
        port=port,
        data_dir=folder / "classifier",
    )
    return environment, port


def test_aggregator_commits_on_sigterm_and_replays_nothing(
    kafka_settings: KafkaSettings, topics: TopicSettings, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = aggregator_environment(
        kafka_settings,
        topics,
        group_id=f"aggregator-{uuid.uuid4().hex[:8]}",
        port=port,
        # A long batch window: SIGTERM arrives while the batch is still open.
        batch_max_seconds=30,
        chdb_path=tmp_path / "chdb",
        exact_counts=True,
    )
    signals = [classified([Category.POLICY_GAP], observed_on="2025-02-05") for _ in range(200)]
    send_classified(kafka_settings, topics.classified, signals)

    first = ServiceProcess("aggregator", ["aggregator"], env, tmp_path / "first.log")
    first.start()
    first.wait_ready(f"{url}/readyz", 90)
    # SIGTERM only once all 200 sit in the open batch (its 30 s window is far from over).
    wait_until(
        lambda: metric(url, "waakhond_aggregator_open_batch_messages") == 200, 60, "batch open"
    )
    assert metric(url, "waakhond_aggregator_signals_stored_total") == 0
    first.stop(timeout=60)  # SIGTERM: finish the open batch, insert, commit
    first_log = (tmp_path / "first.log").read_text()
    assert "storing and committing the open batch of 200" in first_log
    assert "Traceback" not in first_log

    second = ServiceProcess("aggregator", ["aggregator"], env, tmp_path / "second.log")
    second.start()
    try:
        second.wait_ready(f"{url}/readyz", 90)
        assert national_total(url) == 200
        # Give the new consumer time to join and poll: it must find nothing to replay.
        time.sleep(8)
        assert metric(url, "waakhond_aggregator_signals_stored_total") == 0
        assert national_total(url) == 200
    finally:
        second.stop()


def test_classifier_commits_on_sigterm_and_replays_nothing(
    kafka_settings: KafkaSettings, topics: TopicSettings, tmp_path: Path
) -> None:
    from tests.e2e.test_deadletters import submitted
    from tests.e2e.test_pipeline import read_all

    env, port = classifier_env(kafka_settings, topics, tmp_path)
    produce(
        kafka_settings,
        topics.submitted,
        ((b"ZK02", encode(submitted(dt.date(2025, 2, 5)))) for _ in range(300)),
    )

    first = ServiceProcess("classifier", ["classifier"], env, tmp_path / "first.log")
    first.start()
    first.wait_ready(f"http://127.0.0.1:{port}/readyz", 90)

    def classified_count() -> int:
        return len(read_all(kafka_settings, topics.classified, 300))

    wait_until(lambda: classified_count() >= 300, 60, "classified")
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "waakhond_classifier_batch_size_count" in metrics.text
    first.stop(timeout=60)

    second = ServiceProcess("classifier", ["classifier"], env, tmp_path / "second.log")
    second.start()
    try:
        second.wait_ready(f"http://127.0.0.1:{port}/readyz", 90)
        time.sleep(5)  # joined and polling: anything uncommitted would be classified again now
        assert classified_count() == 300
    finally:
        second.stop()


def test_classifier_delivers_its_batches_in_flight_on_sigterm(
    kafka_settings: KafkaSettings, topics: TopicSettings, tmp_path: Path
) -> None:
    """SIGTERM mid-stream, while the model process holds batches: they are delivered and
    committed before the worker exits, so over two instances every signal is classified once."""
    from tests.e2e.test_deadletters import submitted
    from tests.e2e.test_pipeline import read_all

    def classified_ids(at_least: int) -> list[str]:
        # Records read, not end offsets: Tansu answers ListOffsets LATEST wrongly.
        return [
            str(decode(SignalClassified, record.value).signal_id)
            for record in read_all(kafka_settings, topics.classified, at_least)
        ]

    signals = 10_000
    env, port = classifier_env(kafka_settings, topics, tmp_path)
    organisations = (b"mee-noord", b"zorgbelang-west", b"kompas-oost")
    produce(
        kafka_settings,
        topics.submitted,
        ((organisations[n % 3], encode(submitted(dt.date(2025, 2, 5)))) for n in range(signals)),
    )

    first = ServiceProcess("classifier", ["classifier"], env, tmp_path / "first.log")
    first.start()
    first.wait_ready(f"http://127.0.0.1:{port}/readyz", 90)
    # SIGTERM as soon as the first batch went to the model process.
    metrics_url = f"http://127.0.0.1:{port}/metrics"
    batches = "waakhond_classifier_batch_size_count"
    wait_until(lambda: metric_at(metrics_url, batches) > 0, 60, "first batch")
    first.stop(timeout=60)
    assert len(classified_ids(0)) < signals, "the stream was over before SIGTERM"
    assert "Traceback" not in (tmp_path / "first.log").read_text()

    second = ServiceProcess("classifier", ["classifier"], env, tmp_path / "second.log")
    second.start()
    try:
        second.wait_ready(f"http://127.0.0.1:{port}/readyz", 90)
        wait_until(lambda: len(classified_ids(signals)) >= signals, 120, "all classified")
        time.sleep(5)  # anything the first left uncommitted would be classified again by now
        ids = classified_ids(signals)
        assert len(set(ids)) == signals
        assert len(ids) == signals  # nothing delivered twice
    finally:
        second.stop()

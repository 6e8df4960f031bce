"""The classifier's model processes: a dead one stops the worker, none outlives the worker.

Both faults are real: the processes are killed with SIGKILL, on the real broker.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import uuid
from pathlib import Path

import httpx

from tests.e2e.conftest import classifier_process, wait_until
from tests.e2e.test_deadletters import submitted
from tests.e2e.test_pipeline import read_all
from tests.support import produce
from waakhond_contract.messages import SignalClassified
from waakhond_runtime.codec import decode, encode
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.bench.pipeline_common import process_table


def model_processes(parent: int) -> list[int]:
    """Children of ``parent`` started by multiprocessing's spawn (not its resource tracker)."""
    found = []
    for pid, ppid, _ in process_table():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if ppid == parent and b"spawn_main" in command:
            found.append(pid)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def health(port: int) -> int:
    return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code


def produce_submitted(kafka: KafkaSettings, topic: str, count: int) -> list[str]:
    """``count`` signals on one key, so on one partition; their ids in the order sent."""
    signals = [submitted(dt.date(2025, 2, 5)) for _ in range(count)]
    produce(kafka, topic, ((b"mee-noord", encode(signal)) for signal in signals))
    return [str(signal.signal_id) for signal in signals]


def classified_ids(kafka: KafkaSettings, topic: str, at_least: int) -> set[str]:
    return {
        str(decode(SignalClassified, record.value).signal_id)
        for record in read_all(kafka, topic, at_least)
    }


def test_the_worker_has_model_processes_and_none_outlives_a_killed_worker(
    kafka_settings: KafkaSettings, topics: TopicSettings, tmp_path: Path
) -> None:
    worker, port = classifier_process(kafka_settings, topics, uuid.uuid4().hex[:8], tmp_path)
    worker.start()
    try:
        worker.wait_ready(f"http://127.0.0.1:{port}/readyz", 90)
        assert worker.pid is not None
        children = model_processes(worker.pid)
        assert len(children) == 1  # WAAKHOND_CLASSIFIER_PROCESSES defaults to 1
    finally:
        worker.kill()
    wait_until(lambda: not any(alive(pid) for pid in children), 30, "model processes gone")


def test_a_dead_model_process_stops_the_worker_and_its_batch_is_read_again(
    kafka_settings: KafkaSettings, topics: TopicSettings, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    first, port = classifier_process(kafka_settings, topics, suffix, tmp_path / "first")
    (tmp_path / "first").mkdir()
    first.start()
    try:
        first.wait_ready(f"http://127.0.0.1:{port}/readyz", 90)
        assert first.pid is not None
        (child,) = model_processes(first.pid)
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: health(port) == 503, 10, "health check fails")
        sent = set(produce_submitted(kafka_settings, topics.submitted, 200))
        # The first batch after the death fails; the worker must stop, not carry on
        # past messages it never delivered.
        wait_until(lambda: not first.alive(), 60, "worker stopped")
    finally:
        first.kill()
    # The service logs JSON lines, also once faust's worker runs (mode's worker used to
    # replace them with its text format). multiprocessing's resource tracker, a process of
    # its own, may add a warning on stderr.
    lines = (tmp_path / "first" / "classifier.log").read_text().splitlines()
    assert not [line for line in lines if line.startswith("[")], "faust's text log format"
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    (exit_entry,) = [entry for entry in entries if entry["level"] == "critical"]
    assert exit_entry["service"] == "classifier"
    assert "exiting without committing: BrokenProcessPool" in exit_entry["message"]
    assert classified_ids(kafka_settings, topics.classified, 0) == set()

    # Same consumer group: the next instance reads what the first never acknowledged.
    second, port = classifier_process(kafka_settings, topics, suffix, tmp_path / "second")
    (tmp_path / "second").mkdir()
    second.start()
    try:
        second.wait_ready(f"http://127.0.0.1:{port}/readyz", 90)
        wait_until(
            lambda: classified_ids(kafka_settings, topics.classified, len(sent)) == sent,
            90,
            "every signal classified",
        )
    finally:
        second.stop()


def test_a_full_stream_buffer_loses_nothing_and_keeps_the_order_of_a_partition(
    kafka_settings: KafkaSettings, topics: TopicSettings, tmp_path: Path
) -> None:
    """With room for two messages in the stream's buffer, nearly every hand-over of a
    fetched message waits: the consumer's fallback to faust's race (``transport``)."""
    worker, port = classifier_process(kafka_settings, topics, uuid.uuid4().hex[:8], tmp_path)
    worker.env["STREAM_BUFFER_MAXSIZE"] = "2"  # a faust setting, read from the environment
    sent = produce_submitted(kafka_settings, topics.submitted, 300)
    worker.start()
    try:
        worker.wait_ready(f"http://127.0.0.1:{port}/readyz", 90)
        records = read_all(kafka_settings, topics.classified, len(sent))
    finally:
        worker.stop()
    assert [str(decode(SignalClassified, record.value).signal_id) for record in records] == sent

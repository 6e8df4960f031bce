"""The test broker's fetch cost against the batches a topic holds.

Tansu stores each produced batch as one object, and a fetch that finds new
data lists every object of the partition before it reads any. So on Tansu the
CPU a consumer at the tail costs grows with the number of batches stored, not
with the records it reads. This is why intake produces one batch per request
(records keyed by organisation) rather than one per partition the request
touches: over a 10-minute soak the difference decides whether the two cores
fill up. Apache Kafka finds an offset through its index and does not show
this.

Method: one Tansu broker (in memory), one topic; for each stored-batch count
the topic is first filled with one-record batches (one per partition per
flush), then a steady phase produces ``batches_per_s`` one-record batches
stamped with their send time while one group consumer reads at the tail and
commits. Measured: the broker's CPU (from ``/proc/<pid>/stat``) over the
steady phase, in cores, and how long a record waited between send and poll.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from waakhond_tools.bench.pipeline_common import child_pid
from waakhond_tools.stack.broker import TansuBroker

DEFAULT_STORED_BATCHES = (0, 25_000, 50_000, 100_000)
# What the fill stores: about the size of a submitted signal. Steady records hold a send time.
FILLER = b"x" * 300


@dataclass(frozen=True, slots=True)
class BrokerParameters:
    stored_batches: tuple[int, ...] = DEFAULT_STORED_BATCHES
    batches_per_s: float = 200.0
    steady_seconds: float = 8.0
    partitions: int = 4


@dataclass(frozen=True, slots=True)
class FetchCost:
    stored_batches: int
    broker_cores: float
    records_read: int
    wait_p50_s: float
    wait_p95_s: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class _TopicUnderTest:
    def __init__(self, bootstrap: str, topic: str, partitions: int) -> None:
        self.topic = topic
        self.partitions = partitions
        self.stored = 0
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            admin.create_topics([NewTopic(topic, partitions, 1)])
        finally:
            admin.close()
        # No linger: every flush closes one batch per partition.
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0, acks="all")
        self.consumer = KafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id="bench-broker",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            session_timeout_ms=6000,
            heartbeat_interval_ms=2000,
            fetch_max_wait_ms=50,
        )

    def produce_round(self, value: bytes) -> None:
        """One record to every partition, flushed: one new batch per partition."""
        for partition in range(self.partitions):
            self.producer.send(self.topic, value, partition=partition)
        self.producer.flush()
        self.stored += self.partitions

    def read_to_tail(self, quiet_seconds: float = 1.0, join_timeout: float = 30.0) -> None:
        deadline = time.monotonic() + join_timeout
        while not self.consumer.assignment():
            if time.monotonic() > deadline:
                raise TimeoutError("the consumer was not assigned its partitions")
            self.consumer.poll(timeout_ms=100)
        last = time.monotonic()
        while time.monotonic() - last < quiet_seconds:
            if self.consumer.poll(timeout_ms=100):
                self.consumer.commit()
                last = time.monotonic()

    def steady(self, pid: int, batches_per_s: float, seconds: float) -> FetchCost:
        stored = self.stored
        period = self.partitions / batches_per_s
        waits: list[float] = []
        cpu_before = cpu_seconds(pid)
        started = time.monotonic()
        rounds = 0
        while time.monotonic() - started < seconds:
            self.produce_round(repr(time.time()).encode())
            rounds += 1
            polled: dict[Any, list[Any]] = self.consumer.poll(timeout_ms=0)
            now = time.time()
            waits += [
                now - float(r.value)
                for records in polled.values()
                for r in records
                if r.value != FILLER  # a fill record read late
            ]
            if polled:
                self.consumer.commit()
            time.sleep(max(0.0, started + rounds * period - time.monotonic()))
        elapsed = time.monotonic() - started
        return FetchCost(
            stored_batches=stored,
            broker_cores=round((cpu_seconds(pid) - cpu_before) / elapsed, 3),
            records_read=len(waits),
            wait_p50_s=round(statistics.median(waits), 3) if waits else 0.0,
            wait_p95_s=round(_percentile(waits, 0.95), 3),
        )

    def close(self) -> None:
        self.consumer.close(autocommit=False)
        self.producer.close()


def measure_fetch_cost(
    parameters: BrokerParameters, log_file: Path | None = None
) -> list[FetchCost]:
    results: list[FetchCost] = []
    with TansuBroker(log_file=log_file) as broker:
        pid = child_pid("tansu")
        if pid is None:
            raise RuntimeError("the broker process was not found")
        topic = _TopicUnderTest(broker.bootstrap_servers, "bench-broker", parameters.partitions)
        try:
            for target in sorted(parameters.stored_batches):
                while topic.stored < target:
                    topic.produce_round(FILLER)
                topic.read_to_tail()
                results.append(
                    topic.steady(pid, parameters.batches_per_s, parameters.steady_seconds)
                )
        finally:
            topic.close()
    return results


def table(results: list[FetchCost]) -> str:
    lines = [f"{'stored batches':>15} {'broker cores':>13} {'wait p50 s':>11} {'wait p95 s':>11}"]
    lines += [
        f"{r.stored_batches:>15,} {r.broker_cores:>13.2f}"
        f" {r.wait_p50_s:>11.3f} {r.wait_p95_s:>11.3f}"
        for r in results
    ]
    return "\n".join(lines)


def broker_bench_command(
    output: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results/broker.json"
    ),
    stored: Annotated[
        list[int] | None, typer.Option(help="Stored-batch counts to measure at (repeatable).")
    ] = None,
    batches_per_s: Annotated[float, typer.Option(help="Batches/s in each steady phase.")] = 200.0,
    steady_seconds: Annotated[float, typer.Option(help="Length of each steady phase.")] = 8.0,
) -> None:
    """The test broker's fetch cost against the batches a topic holds."""
    parameters = BrokerParameters(
        stored_batches=tuple(stored) if stored else DEFAULT_STORED_BATCHES,
        batches_per_s=batches_per_s,
        steady_seconds=steady_seconds,
    )
    results = measure_fetch_cost(parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "parameters": asdict(parameters),
                "machine": {"cpus": os.cpu_count()},
                "results": [asdict(r) for r in results],
            },
            indent=2,
        )
        + "\n"
    )
    typer.echo(table(results))
    typer.echo(f"results: {output}")

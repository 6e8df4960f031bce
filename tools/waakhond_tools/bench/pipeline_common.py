"""Shared pieces of the pipeline benchmark: child processes, metrics scraping, memory."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from kafka import KafkaConsumer

from waakhond_runtime.settings import KafkaSettings
from waakhond_tools.stack.processes import ServiceProcess

HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class StageRatio:
    """One stage measured against the limit of the part under it, in the same run."""

    stage: str
    unit: str
    rate: float
    limit: float
    ratio: float
    detail: dict[str, float | int | str]


def ratio(rate: float, limit: float) -> float:
    return round(rate / limit, 3) if limit else 0.0


class ModuleProcess(ServiceProcess):
    """A child process running ``python -m <module>``: the limits are not `waakhond` commands."""

    def __init__(self, name: str, module: str, env: dict[str, str], log_file: Path) -> None:
        super().__init__(name, [], env, log_file, program=(sys.executable, "-m", module))


def rss_mib(pid: int | None) -> float:
    """Resident set size from /proc (no psutil in the environment); 0 when gone."""
    if pid is None:
        return 0.0
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def process_table() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process in /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 2 is "(comm)", which may hold spaces; the parent pid follows the closing paren.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        found.append((int(entry.name), ppid, comm))
    return found


def child_pid(command_name: str) -> int | None:
    """The pid of this process's child with the given command name (the broker binary)."""
    me = os.getpid()
    for pid, ppid, comm in process_table():
        if ppid == me and comm == command_name:
            return pid
    return None


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (the classifier's model processes)."""
    children: dict[int, list[int]] = {}
    for child, parent, _ in process_table():
        children.setdefault(parent, []).append(child)
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def tree_rss_mib(pid: int | None) -> float:
    """RSS of ``pid`` and all its descendants."""
    if pid is None:
        return 0.0
    return round(sum(rss_mib(member) for member in process_tree(pid)), 1)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of one process, all its threads (from /proc); 0 when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15; the fields after "(comm)" start at field 3.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int | None) -> float:
    """CPU of ``pid`` and its living descendants."""
    if pid is None:
        return 0.0
    return sum(cpu_seconds(member) for member in process_tree(pid))


def scrape(url: str) -> dict[str, float]:
    """Prometheus text format -> {sample name with labels: value}."""
    samples: dict[str, float] = {}
    for line in httpx.get(url, timeout=5).text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            samples[name] = float(value)
        except ValueError:
            continue
    return samples


def metric(url: str, name: str) -> float:
    try:
        return scrape(url).get(name, 0.0)
    except httpx.HTTPError:
        return 0.0


@dataclass(frozen=True, slots=True)
class Drain:
    """How fast a worker took a backlog: from its first counted message to the last."""

    messages: float
    seconds: float

    @property
    def rate(self) -> float:
        return round(self.messages / self.seconds, 1) if self.seconds > 0 else 0.0


def measure_drain(
    read_count: Callable[[], float], target: float, timeout: float, poll: float = 0.1
) -> Drain:
    """Polls a counter until it reaches ``target``; the clock starts at the first non-zero
    reading so that start-up (model loading, group join) is not in the rate."""
    deadline = time.monotonic() + timeout
    first_time, first_count = 0.0, 0.0
    count = 0.0
    while time.monotonic() < deadline:
        count = read_count()
        now = time.monotonic()
        if count > 0 and first_time == 0.0:
            first_time, first_count = now, count
        if count >= target:
            return Drain(messages=count - first_count, seconds=now - first_time)
        time.sleep(poll)
    raise TimeoutError(f"counter at {count} of {target} after {timeout}s")


def percentile_from_buckets(buckets: list[tuple[float, float]], quantile: float) -> float:
    """Linear interpolation inside cumulative histogram buckets [(upper bound, count)]."""
    total = buckets[-1][1] if buckets else 0.0
    if total <= 0:
        return 0.0
    wanted = quantile * total
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= wanted:
            if bound == float("inf"):
                return lower_bound
            share = (wanted - lower_count) / (count - lower_count) if count > lower_count else 0
            return round(lower_bound + share * (bound - lower_bound), 3)
        lower_bound, lower_count = bound, count
    return lower_bound


def records_from_start(kafka: KafkaSettings, topic: str, count: int, timeout: float) -> list[Any]:
    """Up to ``count`` records of a topic from the start, read without a group (nothing is
    committed), stopping after ``timeout`` seconds without a record."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap_list,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=int(timeout * 1000),
    )
    records: list[Any] = []
    try:
        for record in consumer:
            records.append(record)
            if len(records) >= count:
                break
    finally:
        consumer.close()
    return records


def drain_by_timestamps(kafka: KafkaSettings, topic: str, count: int, timeout: float) -> Drain:
    """Reads ``count`` records of an output topic; the rate comes from their producer
    timestamps (first to last), so neither start-up nor this reader's pace is in it."""
    stamps = [record.timestamp for record in records_from_start(kafka, topic, count, timeout)]
    if len(stamps) < count:
        raise TimeoutError(f"{len(stamps)} of {count} records on {topic} after {timeout}s")
    return Drain(messages=len(stamps) - 1, seconds=(max(stamps) - min(stamps)) / 1000)

"""The whole pipeline: latency at a steady offered rate (the soak), then sustained throughput.

Latency is "202 -> counted": the aggregator's
``waakhond_aggregator_processing_lag_seconds`` histogram runs from the
``submitted_at`` intake stamps before it answers 202 to the insert after which
the trend views count the signal (they are plain views over the facts). The
histogram is scraped before and after the steady phase; percentiles are
interpolated linearly inside its buckets (0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, ... s;
``waakhond_aggregator.metrics``), so they are as fine as the buckets.

The offered rate is open-loop: a batch of ``batch_size`` signals every
``batch_size / rate`` seconds whether or not earlier requests have returned,
so a slow pipeline shows up as latency, not as a lower offer.

The throughput phase also records where the two cores go: the CPU (user and
system, from /proc) of each service with its child processes, of the broker
and of the load generator (this process), per signal and in cores.
"""

from __future__ import annotations

import asyncio
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.bench.pipeline_aggregator import COUNTER as STORED
from waakhond_tools.bench.pipeline_aggregator import aggregator_env
from waakhond_tools.bench.pipeline_classifier import classifier_env
from waakhond_tools.bench.pipeline_common import (
    HOST,
    child_pid,
    cpu_seconds,
    metric,
    percentile_from_buckets,
    rss_mib,
    scrape,
    tree_cpu_seconds,
    tree_rss_mib,
)
from waakhond_tools.bench.pipeline_intake import (
    LoadParameters,
    drive,
    intake_env,
    issue_keys,
    payloads,
)
from waakhond_tools.stack.broker import free_port
from waakhond_tools.stack.demo import generate_signals
from waakhond_tools.stack.processes import ServiceProcess

LAG = "waakhond_aggregator_processing_lag_seconds"


@dataclass(frozen=True, slots=True)
class EndToEndParameters:
    rate: float = 500.0
    soak_seconds: float = 60.0  # the issue asks for 10 minutes (600)
    batch_size: int = 10
    max_in_flight: int = 64
    # About half a minute at the target rate: long enough to call the rate sustained.
    throughput_signals: int = 60_000
    throughput_batch_size: int = 100
    throughput_concurrency: int = 4
    drain_timeout: float = 300.0


@dataclass(frozen=True, slots=True)
class Latency:
    offered_per_s: float
    accepted: int
    not_offered: int
    failed_requests: int
    counted: int
    p50_s: float
    p95_s: float
    p99_s: float
    method: str


@dataclass(frozen=True, slots=True)
class CpuShare:
    """One part's CPU over the throughput phase: where the two cores go."""

    part: str
    cpu_seconds: float
    cores: float
    us_per_signal: float


@dataclass(frozen=True, slots=True)
class Throughput:
    accepted: int
    seconds: float
    signals_per_s: float
    cpu: list[CpuShare]


@dataclass(frozen=True, slots=True)
class Memory:
    service: str
    rss_start_mib: float
    rss_end_mib: float


@dataclass(frozen=True, slots=True)
class EndToEndResult:
    latency: Latency
    throughput: Throughput
    memory: list[Memory]
    soak_seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _lag_buckets(url: str) -> list[tuple[float, float]]:
    samples = scrape(url)
    buckets = []
    for name, value in samples.items():
        if name.startswith(f"{LAG}_bucket"):
            bound = name.split('le="')[1].split('"')[0]
            buckets.append((float(bound), value))
    return sorted(buckets)


async def _offer(
    url: str, tokens: dict[str, str], requests: list[tuple[str, str, bytes]], p: EndToEndParameters
) -> tuple[int, int, int]:
    """Posts one request every period, open-loop; returns (accepted, not offered, failed)."""
    period = p.batch_size / p.rate
    accepted = failed = not_offered = 0
    in_flight: set[asyncio.Task[None]] = set()

    async def post(http: httpx.AsyncClient, org: str, path: str, body: bytes) -> None:
        nonlocal accepted, failed
        headers = {"Authorization": f"Bearer {tokens[org]}", "Content-Type": "application/json"}
        try:
            response = await http.post(path, content=body, headers=headers)
        except httpx.TransportError:
            # A kept-alive connection the server closed just as it was reused. Submitting is
            # idempotent (the signal id comes from the client_ref), so send it once more.
            try:
                response = await http.post(path, content=body, headers=headers)
            except httpx.TransportError:
                failed += 1
                return
        if response.status_code in (202, 207):
            accepted += int(response.json()["accepted"])
        else:
            failed += 1

    limits = httpx.Limits(max_connections=p.max_in_flight)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        started = time.monotonic()
        for number, (org, path, body) in enumerate(requests):
            await asyncio.sleep(max(0.0, started + number * period - time.monotonic()))
            if len(in_flight) >= p.max_in_flight:
                # The pipeline cannot keep up; counting it beats queueing in the client.
                not_offered += p.batch_size
                continue
            task = asyncio.create_task(post(http, org, path, body))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        await asyncio.gather(*in_flight)
    return accepted, not_offered, failed


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_shares(
    before: dict[str, float], after: dict[str, float], seconds: float, signals: int
) -> list[CpuShare]:
    shares = []
    for part, start in before.items():
        used = after[part] - start
        shares.append(
            CpuShare(
                part=part,
                cpu_seconds=round(used, 2),
                cores=round(used / seconds, 2) if seconds else 0.0,
                us_per_signal=round(used / signals * 1e6, 1) if signals else 0.0,
            )
        )
    return shares


def _wait_counted(url: str, target: float, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if metric(url, STORED) >= target:
            return time.monotonic()
        time.sleep(0.1)
    raise TimeoutError(f"{STORED} did not reach {target} within {timeout}s")


def measure_end_to_end(
    kafka: KafkaSettings, topics: TopicSettings, folder: Path, p: EndToEndParameters, seed: int
) -> EndToEndResult:
    keys = folder / "api-keys.json"
    tokens = issue_keys(keys)
    intake_port, classifier_port, aggregator_port = free_port(), free_port(), free_port()
    services = [
        ServiceProcess(
            "intake",
            ["intake"],
            intake_env(kafka, topics, intake_port, keys),
            folder / "e2e-intake.log",
        ),
        ServiceProcess(
            "classifier",
            ["classifier"],
            classifier_env(kafka, topics, "e2e-classifier", classifier_port, folder / "e2e-cls"),
            folder / "e2e-classifier.log",
        ),
        ServiceProcess(
            "aggregator",
            ["aggregator"],
            aggregator_env(kafka, topics, "e2e-aggregator", aggregator_port, folder / "e2e-chdb"),
            folder / "e2e-aggregator.log",
        ),
    ]
    intake_url = f"http://{HOST}:{intake_port}"
    metrics_url = f"http://{HOST}:{aggregator_port}/metrics/"
    for service in services:
        service.start()
    try:
        services[0].wait_ready(f"{intake_url}/readyz", 120)
        services[1].wait_ready(f"http://{HOST}:{classifier_port}/readyz", 120)
        services[2].wait_ready(f"http://{HOST}:{aggregator_port}/readyz", 120)
        broker_pid = child_pid("tansu")

        def memory_now() -> dict[str, float]:
            # A service's model processes count towards its memory.
            return {s.name: tree_rss_mib(s.pid) for s in services} | {"broker": rss_mib(broker_pid)}

        start_rss = memory_now()

        def cpu_now() -> dict[str, float]:
            # The load generator is this process: its HTTP clients share the cores too.
            parts = {s.name: tree_cpu_seconds(s.pid) for s in services}
            return parts | {"broker": cpu_seconds(broker_pid or 0), "load generator": _own_cpu()}

        # Steady phase (also the soak): a bounded number of signals at the offered rate.
        steady = list(generate_signals(int(p.rate * p.soak_seconds), seed=seed))
        requests = payloads(steady, p.batch_size)
        before = _lag_buckets(metrics_url)
        stored_before = metric(metrics_url, STORED)
        accepted, not_offered, failed = asyncio.run(_offer(intake_url, tokens, requests, p))
        _wait_counted(metrics_url, stored_before + accepted, p.drain_timeout)
        after = _lag_buckets(metrics_url)
        delta = [(bound, count - dict(before).get(bound, 0.0)) for bound, count in after]
        counted = int(metric(metrics_url, STORED) - stored_before)
        latency = Latency(
            offered_per_s=p.rate,
            accepted=accepted,
            not_offered=not_offered,
            failed_requests=failed,
            counted=counted,
            p50_s=percentile_from_buckets(delta, 0.50),
            p95_s=percentile_from_buckets(delta, 0.95),
            p99_s=percentile_from_buckets(delta, 0.99),
            method="aggregator processing_lag histogram, linear inside buckets",
        )
        end_rss = memory_now()

        # Throughput phase: as fast as intake takes it, until everything is counted.
        burst = list(generate_signals(p.throughput_signals, seed=seed + 1))
        load = LoadParameters(
            signals=p.throughput_signals,
            concurrency=p.throughput_concurrency,
            batch_size=p.throughput_batch_size,
            max_seconds=p.drain_timeout,
        )
        bodies = payloads(burst, p.throughput_batch_size)
        stored_before = metric(metrics_url, STORED)
        cpu_before = cpu_now()
        started = time.monotonic()
        result = drive(intake_url, tokens, bodies, load)
        finished = _wait_counted(metrics_url, stored_before + result.accepted, p.drain_timeout)
        cpu_after = cpu_now()
        seconds = finished - started
        throughput = Throughput(
            accepted=result.accepted,
            seconds=round(seconds, 2),
            signals_per_s=round(result.accepted / seconds, 1) if seconds else 0.0,
            cpu=_cpu_shares(cpu_before, cpu_after, seconds, result.accepted),
        )
    finally:
        for service in services:
            service.stop()
    memory = [Memory(name, start_rss[name], end_rss[name]) for name in start_rss]
    return EndToEndResult(latency, throughput, memory, p.soak_seconds)

"""Intake: signals/s through the real service vs the bare producer, single and batch.

Load comes from this process (asyncio + httpx, N concurrent clients, loopback),
the servers run as their own processes, so client and server do not share an
interpreter lock. Each run is bounded in signals and in seconds.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from waakhond_intake.auth.keys import create_key
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.bench.pipeline_common import HOST, ModuleProcess, StageRatio, ratio
from waakhond_tools.stack.broker import free_port
from waakhond_tools.stack.demo import DEMO_ORGANISATIONS, generate_signals
from waakhond_tools.stack.environments import intake_environment
from waakhond_tools.stack.processes import ServiceProcess


@dataclass(frozen=True, slots=True)
class LoadParameters:
    signals: int
    concurrency: int
    batch_size: int  # 1 = the single endpoint
    max_seconds: float


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    accepted: int
    failed: int
    seconds: float

    @property
    def rate(self) -> float:
        return round(self.accepted / self.seconds, 1) if self.seconds > 0 else 0.0


def payloads(
    signals: Sequence[tuple[str, dict[str, Any]]], batch_size: int
) -> list[tuple[str, str, bytes]]:
    """(organisation, path, body) per request, serialised up front so the client stays cheap."""
    if batch_size == 1:
        return [(org, "/v1/signals", json.dumps(body).encode()) for org, body in signals]
    by_org: dict[str, list[dict[str, Any]]] = {}
    for org, body in signals:
        by_org.setdefault(org, []).append(body)
    requests = []
    for org, bodies in by_org.items():
        for start in range(0, len(bodies), batch_size):
            chunk = bodies[start : start + batch_size]
            requests.append((org, "/v1/signals/batch", json.dumps({"signals": chunk}).encode()))
    return requests


async def _drive(
    url: str, tokens: dict[str, str], requests: list[tuple[str, str, bytes]], load: LoadParameters
) -> LoadResult:
    queue = list(reversed(requests))
    accepted = failed = sent = 0
    deadline = time.monotonic() + load.max_seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal accepted, failed, sent
        while queue and time.monotonic() < deadline:
            org, path, body = queue.pop()
            response = await http.post(
                path,
                content=body,
                headers={
                    "Authorization": f"Bearer {tokens.get(org, '')}",
                    "Content-Type": "application/json",
                },
            )
            sent += 1
            if response.status_code in (202, 207):
                data = response.json()
                accepted += int(data.get("accepted", 1))
            else:
                failed += 1

    limits = httpx.Limits(max_connections=load.concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(load.concurrency)))
        seconds = time.perf_counter() - started
    return LoadResult(requests=sent, accepted=accepted, failed=failed, seconds=seconds)


def drive(
    url: str, tokens: dict[str, str], requests: list[tuple[str, str, bytes]], load: LoadParameters
) -> LoadResult:
    return asyncio.run(_drive(url, tokens, requests, load))


def issue_keys(keys_file: Path) -> dict[str, str]:
    return {
        o.organisation_id: create_key(keys_file, o.organisation_id)[1] for o in DEMO_ORGANISATIONS
    }


def intake_env(
    kafka: KafkaSettings, topics: TopicSettings, port: int, keys: Path
) -> dict[str, str]:
    return intake_environment(
        kafka,
        topics,
        host=HOST,
        port=port,
        api_keys_file=keys,
        # The per-organisation limit (100/s) would measure the limiter, not intake.
        rate_limit_signals_per_second=1_000_000,
        rate_limit_burst=1_000_000,
        log_level="WARNING",
    )


def measure_intake(
    kafka: KafkaSettings,
    topics: TopicSettings,
    bare_topics: TopicSettings,
    folder: Path,
    loads: Sequence[LoadParameters],
    seed: int,
) -> tuple[list[StageRatio], int]:
    """Real intake produces to ``topics.submitted`` (the classifier stage reads it later);
    the bare endpoint to ``bare_topics.submitted``. Returns the ratios and how many
    signals real intake accepted."""
    keys = folder / "api-keys.json"
    tokens = issue_keys(keys)
    real_port, bare_port = free_port(), free_port()
    real = ServiceProcess(
        "intake", ["intake"], intake_env(kafka, topics, real_port, keys), folder / "intake.log"
    )
    bare = ModuleProcess(
        "bare-intake",
        "waakhond_tools.bench.pipeline_bare_intake",
        intake_env(kafka, bare_topics, bare_port, keys),
        folder / "bare-intake.log",
    )
    results: list[StageRatio] = []
    accepted_total = 0
    real.start()
    bare.start()
    try:
        real.wait_ready(f"http://{HOST}:{real_port}/readyz", 120)
        bare.wait_ready(f"http://{HOST}:{bare_port}/readyz", 60)
        for number, load in enumerate(loads):
            # Fresh client_refs per load: a repeated signal_id would be stored once downstream.
            signals = list(generate_signals(load.signals, seed=seed + number))
            requests = payloads(signals, load.batch_size)
            # A short warm-up of both with other signals: first requests pay for lazy imports.
            warm = payloads(list(generate_signals(8, seed=seed + 1000 + number)), load.batch_size)
            drive(f"http://{HOST}:{bare_port}", tokens, warm, load)
            accepted_total += drive(f"http://{HOST}:{real_port}", tokens, warm, load).accepted
            limit = drive(f"http://{HOST}:{bare_port}", tokens, requests, load)
            measured = drive(f"http://{HOST}:{real_port}", tokens, requests, load)
            accepted_total += measured.accepted
            kind = "single" if load.batch_size == 1 else f"batch of {load.batch_size}"
            results.append(
                StageRatio(
                    stage=f"intake ({kind}, {load.concurrency} clients)",
                    unit="signals/s",
                    rate=measured.rate,
                    limit=limit.rate,
                    ratio=ratio(measured.rate, limit.rate),
                    detail={
                        "signals_offered": load.signals,
                        "accepted": measured.accepted,
                        "failed_requests": measured.failed,
                        "seconds": round(measured.seconds, 2),
                        "limit_accepted": limit.accepted,
                        "limit_seconds": round(limit.seconds, 2),
                    },
                )
            )
    finally:
        real.stop()
        bare.stop()
    return results, accepted_total

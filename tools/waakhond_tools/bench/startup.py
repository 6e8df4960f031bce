"""How long each service takes from its start to ready, as production starts it.

Each service runs as its command, `waakhond intake|classifier|aggregator`, configured by
the environment as the embedded stack configures it, against a real Tansu broker (topics
created first) and, for the aggregator, chDB in a folder of this run. The clock runs from
just before the process is spawned to the first 200 of its ``/readyz``, polled every
``poll_seconds``; at that moment the resident memory of the process and its children (the
classifier's model process) is read from ``/proc``. Every start is a fresh process, stopped
with SIGTERM before the next.

The target counts "after the first install": what an installation builds once (deduce's
lookup cache, which ``make venv`` and the intake image build) must be there, and the
operating system's file cache is warm. So each service is first started once untimed and
reported apart; that start also creates the aggregator's schema in its empty chDB folder,
which the timed starts find, as a restarted aggregator does.

Each start of the classifier and the aggregator joins a consumer group of its own, as the
first start after an install does. The classifier is ready only once it holds partitions,
and in the group of the start before, that came to depend on when the test broker let go
of the previous member: the broker's bookkeeping, not the service's start (bench/README.md,
"Start-up").
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from waakhond_intake.auth.keys import create_key
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics
from waakhond_tools.bench.pipeline_common import HOST, tree_cpu_seconds, tree_rss_mib
from waakhond_tools.stack.broker import TansuBroker, free_port
from waakhond_tools.stack.environments import (
    aggregator_environment,
    classifier_environment,
    intake_environment,
)
from waakhond_tools.stack.processes import ServiceProcess

# The target: each service ready within 5 s of its start.
TARGET_SECONDS = 5.0
SERVICES = ("intake", "classifier", "aggregator")
READINESS_ROUTE = "/readyz"  # the same path on all three (intake, faust's web, trends API)


@dataclass(frozen=True, slots=True)
class StartupParameters:
    repeat: int = 5
    poll_seconds: float = 0.02
    timeout_seconds: float = 180.0
    services: tuple[str, ...] = SERVICES


@dataclass(frozen=True, slots=True)
class StartupRun:
    """One start: seconds from spawn to the first 200, and the process tree then."""

    ready_seconds: float
    rss_mib: float
    cpu_seconds: float


@dataclass(frozen=True, slots=True)
class ServiceStartup:
    service: str
    command: str
    readiness_url: str
    untimed_first_start: StartupRun
    runs: list[StartupRun]
    median_seconds: float
    min_seconds: float
    max_seconds: float
    median_rss_mib: float
    target_seconds: float = TARGET_SECONDS
    # Met when every timed start was ready within the target, not only the median.
    met: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "met", self.max_seconds <= self.target_seconds)


def service_program() -> tuple[str, ...]:
    """The `waakhond` console script beside this interpreter, as an image runs it."""
    script = Path(sys.executable).parent / "waakhond"
    return (str(script),) if script.exists() else (sys.executable, "-m", "waakhond_cli")


def service_environment(
    service: str,
    kafka: KafkaSettings,
    topics: TopicSettings,
    port: int,
    folder: Path,
    group: str,
) -> dict[str, str]:
    """What the embedded stack gives each service (``waakhond_tools.stack.embedded``), with
    ``group`` as the consumer group of the classifier (its app id) and the aggregator."""
    environment: partial[dict[str, str]]
    if service == "intake":
        keys_file = folder / "api-keys.json"
        if not keys_file.exists():
            create_key(keys_file, "bench-startup", "bench")
        environment = partial(intake_environment, api_keys_file=keys_file)
    elif service == "classifier":
        environment = partial(classifier_environment, data_dir=folder / "data", app_id=group)
    elif service == "aggregator":
        environment = partial(aggregator_environment, chdb_path=folder / "chdb", group_id=group)
    else:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    return environment(kafka, topics, port=port, host=HOST, log_level="INFO")


def start_until_ready(
    process: ServiceProcess, url: str, parameters: StartupParameters
) -> StartupRun:
    """Spawns the process, waits for the first 200 of ``url`` and stops it again."""
    spawned = time.monotonic()
    process.start()
    try:
        ready = process.wait_ready(url, parameters.timeout_seconds, parameters.poll_seconds)
        pid = process.pid
        return StartupRun(
            ready_seconds=round(ready - spawned, 3),
            rss_mib=tree_rss_mib(pid),
            cpu_seconds=round(tree_cpu_seconds(pid), 2),
        )
    finally:
        process.stop()


def measure_service(
    service: str,
    kafka: KafkaSettings,
    topics: TopicSettings,
    work_dir: Path,
    parameters: StartupParameters,
) -> ServiceStartup:
    """An untimed first start, then ``parameters.repeat`` timed ones, each a fresh process."""
    folder = work_dir / service
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port(HOST)
    url = f"http://{HOST}:{port}{READINESS_ROUTE}"
    run_id = uuid.uuid4().hex[:8]

    def start(number: int) -> StartupRun:
        group = f"bench-startup-{service}-{run_id}-{number}"
        process = ServiceProcess(
            service,
            [service],
            service_environment(service, kafka, topics, port, folder, group),
            folder / f"{service}.log",
            program=service_program(),
        )
        return start_until_ready(process, url, parameters)

    first = start(0)
    runs = [start(number) for number in range(1, parameters.repeat + 1)]
    seconds = [run.ready_seconds for run in runs]
    return ServiceStartup(
        service=service,
        command=" ".join(["waakhond", service]),
        readiness_url=url,
        untimed_first_start=first,
        runs=runs,
        median_seconds=round(statistics.median(seconds), 3),
        min_seconds=min(seconds),
        max_seconds=max(seconds),
        median_rss_mib=round(statistics.median(run.rss_mib for run in runs), 1),
    )


@contextmanager
def _work_dir(given: Path | None) -> Iterator[Path]:
    """The folder given (emptied first, kept for its logs) or a temporary one."""
    if given is not None:
        shutil.rmtree(given, ignore_errors=True)
        given.mkdir(parents=True)
        yield given.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="waakhond-bench-startup-") as folder:
        yield Path(folder)


def measure_startup(
    parameters: StartupParameters,
    work_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[ServiceStartup]:
    """Every service of ``parameters`` against one broker, one after the other."""
    with _work_dir(work_dir) as folder, TansuBroker(log_file=folder / "broker.log") as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        topics = TopicSettings()
        ensure_topics(kafka, topics)
        results = []
        for service in parameters.services:
            progress(f"{service}: 1 untimed start, then {parameters.repeat} timed")
            results.append(measure_service(service, kafka, topics, folder, parameters))
        return results


def _git(*args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        run = subprocess.run([git, *args], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return run.stdout.rstrip() if run.returncode == 0 else None


def source_state() -> dict[str, Any]:
    """The commit measured, and whether the services' files differed from it."""
    changed = _git("status", "--porcelain", "--", "services")
    return {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "services_changed_files": changed.splitlines() if changed else [],
    }


def write_startup_results(
    results: list[ServiceStartup], parameters: StartupParameters, command: str, output: Path
) -> None:
    document = {
        "benchmark": "startup",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": {
            "cpus": str(os.cpu_count()),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "source": source_state(),
        "parameters": asdict(parameters),
        "target_seconds": TARGET_SECONDS,
        "method": (
            "spawn of `waakhond <service>` to the first 200 of its /readyz, polled every "
            f"{parameters.poll_seconds} s; RSS and CPU of the process and its children at "
            "that moment; each service first started once untimed (warm file cache, the "
            "aggregator's schema created), then `repeat` timed starts, each a fresh process "
            "in a consumer group of its own, stopped with SIGTERM before the next; met when "
            "every timed start was within the target"
        ),
        "results": [asdict(result) for result in results],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def startup_table(results: list[ServiceStartup]) -> str:
    lines = [
        f"{'service':<11} {'median s':>9} {'min s':>7} {'max s':>7} {'RSS MiB':>8}"
        f" {'untimed first s':>16}  target {TARGET_SECONDS:.0f} s"
    ]
    lines += [
        f"{r.service:<11} {r.median_seconds:>9.2f} {r.min_seconds:>7.2f} {r.max_seconds:>7.2f}"
        f" {r.median_rss_mib:>8.1f} {r.untimed_first_start.ready_seconds:>16.2f}"
        f"  {'met' if r.met else 'missed'}"
        for r in results
    ]
    lines.append(
        "each service was started once untimed first (warm file cache, the aggregator's "
        "schema); the figures are the timed starts after it"
    )
    return "\n".join(lines)


def startup_bench_command(
    repeat: Annotated[int, typer.Option(min=1, help="Timed starts per service.")] = 5,
    service: Annotated[
        list[str] | None,
        typer.Option("--service", help="Only these services (repeatable); default all three."),
    ] = None,
    poll_seconds: Annotated[
        float, typer.Option(min=0.001, help="How often /readyz is asked.")
    ] = 0.02,
    work_dir: Annotated[
        Path | None,
        typer.Option(help="Keep logs and data here (emptied first); default a temporary one."),
    ] = None,
    output: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results/startup.json"
    ),
) -> None:
    """Seconds from spawn to ready for each service, and its memory then."""
    services = tuple(service or SERVICES)
    unknown = sorted(set(services) - set(SERVICES))
    if unknown:
        raise typer.BadParameter(f"unknown service(s) {', '.join(unknown)}", param_hint="--service")
    parameters = StartupParameters(repeat=repeat, poll_seconds=poll_seconds, services=services)
    results = measure_startup(parameters, work_dir, progress=typer.echo)
    command = " ".join(["waakhond", *sys.argv[1:]])
    write_startup_results(results, parameters, command, output)
    typer.echo(startup_table(results))
    typer.echo(f"written to {output}")

"""``waakhond bench pipeline``: every stage against its limit, then the whole pipeline."""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from waakhond_aggregator.storage.client import connect
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics
from waakhond_tools.bench.pipeline_aggregator import measure_aggregator
from waakhond_tools.bench.pipeline_classifier import measure_classifier
from waakhond_tools.bench.pipeline_common import StageRatio
from waakhond_tools.bench.pipeline_end_to_end import (
    EndToEndParameters,
    EndToEndResult,
    measure_end_to_end,
)
from waakhond_tools.bench.pipeline_intake import LoadParameters, measure_intake
from waakhond_tools.bench.pipeline_report import PipelineReport, table, write_report
from waakhond_tools.stack.broker import TansuBroker


@dataclass(frozen=True, slots=True)
class PipelineParameters:
    intake_signals: int = 20_000
    intake_concurrency: int = 8
    intake_batch_size: int = 100
    intake_max_seconds: float = 60.0
    aggregator_batch: int = 5000
    stage_timeout: float = 300.0
    end_to_end: EndToEndParameters | None = field(default_factory=EndToEndParameters)
    seed: int = 4242


def _topics(prefix: str) -> TopicSettings:
    return TopicSettings(
        submitted=f"{prefix}.submitted",
        classified=f"{prefix}.classified",
        deadletter=f"{prefix}.deadletter",
    )


def run_pipeline_bench(parameters: PipelineParameters, work_dir: Path) -> PipelineReport:
    """Runs every part on its own broker and chDB folders under ``work_dir`` (emptied first)."""
    started = time.perf_counter()
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    suffix = uuid.uuid4().hex[:6]
    stage_topics, bare_topics, e2e_topics = (
        _topics(f"{name}-{suffix}") for name in ("stage", "bare", "e2e")
    )
    passthrough_topic = f"passthrough-{suffix}"
    stages: list[StageRatio] = []
    end_to_end: EndToEndResult | None = None
    with TansuBroker(log_file=work_dir / "broker.log") as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        for topics in (stage_topics, bare_topics, e2e_topics):
            ensure_topics(kafka, topics)
        ensure_topics(kafka, TopicSettings(submitted=passthrough_topic))
        loads = [
            LoadParameters(
                parameters.intake_signals // 4,
                parameters.intake_concurrency,
                1,
                parameters.intake_max_seconds,
            ),
            LoadParameters(
                parameters.intake_signals,
                parameters.intake_concurrency,
                parameters.intake_batch_size,
                parameters.intake_max_seconds,
            ),
        ]
        intake, backlog = measure_intake(
            kafka, stage_topics, bare_topics, work_dir, loads, parameters.seed
        )
        stages += intake
        stages.append(
            measure_classifier(
                kafka, stage_topics, passthrough_topic, backlog, work_dir, parameters.stage_timeout
            )
        )
        client = connect(ClickHouseSettings(dsn=f"chdb://{(work_dir / 'raw-chdb').resolve()}"))
        stages.append(
            measure_aggregator(
                kafka,
                stage_topics,
                backlog,
                client,
                work_dir,
                parameters.aggregator_batch,
                parameters.stage_timeout,
            )
        )
        if parameters.end_to_end is not None:
            end_to_end = measure_end_to_end(
                kafka, e2e_topics, work_dir, parameters.end_to_end, parameters.seed + 100
            )
    return PipelineReport(
        stages=stages,
        end_to_end=end_to_end,
        parameters=asdict(parameters),
        wall_seconds=time.perf_counter() - started,
    )


def pipeline_bench_command(
    output: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results/pipeline.json"
    ),
    soak_seconds: Annotated[
        float,
        typer.Option(help="Steady phase at --rate (latency, memory). The issue asks 600."),
    ] = 60.0,
    rate: Annotated[float, typer.Option(help="Offered signals/s in the steady phase.")] = 500.0,
    intake_signals: Annotated[
        int, typer.Option(help="Signals per intake batch run (a quarter for single posts).")
    ] = 20_000,
    concurrency: Annotated[int, typer.Option(help="Concurrent HTTP clients for intake.")] = 8,
    throughput_signals: Annotated[
        int, typer.Option(help="Signals in the end-to-end throughput phase.")
    ] = 60_000,
    work_dir: Annotated[
        Path, typer.Option(help="Scratch folder (logs, chDB); emptied first.")
    ] = Path("data/bench-pipeline"),
) -> None:
    """Each stage against the limit of the part under it, and the whole pipeline."""
    parameters = PipelineParameters(
        intake_signals=intake_signals,
        intake_concurrency=concurrency,
        end_to_end=EndToEndParameters(
            rate=rate, soak_seconds=soak_seconds, throughput_signals=throughput_signals
        ),
    )
    report = run_pipeline_bench(parameters, work_dir.resolve())
    write_report(report, output)
    typer.echo(table(report))
    typer.echo(f"results: {output}; logs: {work_dir}")

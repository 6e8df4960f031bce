"""``waakhond bench``: the benchmarks; each writes its results to a file, never a test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from waakhond_tools.bench.broker_fetch import broker_bench_command
from waakhond_tools.bench.dashboards import bench_command as dashboards_bench_command
from waakhond_tools.bench.pipeline import pipeline_bench_command
from waakhond_tools.bench.startup import startup_bench_command
from waakhond_tools.training.commands import bench_command as classifier_bench_command

app = typer.Typer(help="Benchmarks; results go to files under bench/results/.")
app.command("classifier", help="Classifier throughput in batches.")(classifier_bench_command)
app.command("dashboards", help="Dashboard panel query latency on generated data.")(
    dashboards_bench_command
)
app.command("pipeline", help="Each pipeline stage against the limit of the part under it.")(
    pipeline_bench_command
)
app.command("broker", help="The test broker's fetch cost against the batches it holds.")(
    broker_bench_command
)
app.command("startup", help="Each service from spawn to ready, and its memory then.")(
    startup_bench_command
)


@app.command("report")
def bench_report(
    signals: Annotated[int, typer.Option(help="Signals stored before the report.")] = 1_000_000,
    runs: Annotated[int, typer.Option(help="Timed reports.")] = 3,
    data_dir: Annotated[Path, typer.Option(help="A fresh chDB folder.")] = Path(
        "data/bench-report-chdb"
    ),
    output: Annotated[Path, typer.Option(help="Where the JSON result goes.")] = Path(
        "bench/results/report.json"
    ),
) -> None:
    """The national quarterly signal report (PDF) over SIGNALS stored signals."""
    from waakhond_aggregator.storage.client import connect
    from waakhond_runtime.settings import ClickHouseSettings
    from waakhond_tools.bench.report import measure_report, write_result

    shutil.rmtree(data_dir, ignore_errors=True)
    client = connect(ClickHouseSettings(dsn=f"chdb://{data_dir.resolve()}"))
    timing = measure_report(client, "bench", signals, runs)
    write_result(timing, output)
    typer.echo(
        f"{timing.signals:,} signals ({timing.trend_fact_rows:,} trend and "
        f"{timing.breakdown_fact_rows:,} breakdown fact rows), {timing.period} {timing.scope}, "
        f"median of {timing.runs}: read {timing.read_seconds_median} s, HTML "
        f"{timing.html_seconds_median} s, PDF {timing.pdf_seconds_median} s, total "
        f"{timing.total_seconds_median} s (max {timing.total_seconds_max} s)"
    )
    typer.echo(f"written to {output}")


@app.command("trends")
def bench_trends(
    signals: Annotated[
        list[int] | None, typer.Option("--signals", help="Signal counts to measure at.")
    ] = None,
    runs: Annotated[int, typer.Option(help="Timed runs per query.")] = 20,
    data_dir: Annotated[Path, typer.Option(help="A fresh chDB folder.")] = Path("data/bench-chdb"),
    output: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results/trend_query.json"
    ),
) -> None:
    """Trend query latency: over the facts, and through the disclosed view on weekly cells."""
    from waakhond_aggregator.storage.client import connect
    from waakhond_runtime.settings import ClickHouseSettings
    from waakhond_tools.bench.trends import measure_trend_queries, write_results

    shutil.rmtree(data_dir, ignore_errors=True)
    client = connect(ClickHouseSettings(dsn=f"chdb://{data_dir.resolve()}"))
    timings = measure_trend_queries(client, "bench", signals or [100_000, 1_000_000], runs)
    write_results(timings, output)
    typer.echo(f"{'signals':>10} {'fact rows':>11} {'query':<30} {'p50 ms':>8} {'p95 ms':>8}")
    for t in timings:
        typer.echo(f"{t.signals:>10} {t.fact_rows:>11} {t.query:<30} {t.p50_ms:>8} {t.p95_ms:>8}")
        if t.refresh_seconds is not None:
            typer.echo(f"{'':>10} {'':>11} {'(cell refresh took)':<30} {t.refresh_seconds:>8} s")
    typer.echo(f"written to {output}")


@app.command("lookup")
def bench_lookup(
    sizes: Annotated[
        list[int] | None, typer.Option("--stored", help="Stored signal counts to measure at.")
    ] = None,
    batch: Annotated[
        list[int] | None, typer.Option("--batch", help="Signal ids per lookup.")
    ] = None,
    runs: Annotated[int, typer.Option(help="Timed lookups per case, each with fresh ids.")] = 5,
    data_dir: Annotated[Path, typer.Option(help="A fresh chDB folder.")] = Path(
        "data/bench-lookup"
    ),
    output: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results/lookup.json"
    ),
) -> None:
    """The aggregator's lookup of stored signals before each insert, as the store grows."""
    from waakhond_aggregator.storage.client import connect
    from waakhond_runtime.settings import ClickHouseSettings
    from waakhond_tools.bench.lookup import (
        LookupParameters,
        lookup_table,
        measure_lookups,
        write_lookup_results,
    )

    defaults = LookupParameters()
    parameters = LookupParameters(
        sizes=tuple(sizes or defaults.sizes),
        batch_sizes=tuple(batch or defaults.batch_sizes),
        runs=runs,
    )
    shutil.rmtree(data_dir, ignore_errors=True)
    client = connect(ClickHouseSettings(dsn=f"chdb://{data_dir.resolve()}"))
    timings = measure_lookups(client, "bench", parameters)
    write_lookup_results(timings, output)
    typer.echo(lookup_table(timings))
    typer.echo(f"written to {output}")


@app.command("import")
def bench_import(
    rows: Annotated[int, typer.Option(min=1, help="Data rows in the generated XLSX.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the generated signals.")] = 2025,
    work_dir: Annotated[
        Path | None, typer.Option(help="Keep the logs here; default a temporary folder.")
    ] = None,
    output: Annotated[Path, typer.Option(help="Where the JSON result goes.")] = Path(
        "bench/results/import.json"
    ),
) -> None:
    """A generated XLSX through POST /v1/imports of a real intake: seconds per import."""
    import sys

    from waakhond_tools.bench.spreadsheet_import import run_import_bench, write_import_result

    result = run_import_bench(rows, seed, work_dir)
    write_import_result(result, " ".join(["waakhond", *sys.argv[1:]]), output)
    for run in result.runs:
        typer.echo(
            f"{run.label}: {result.rows:,} rows ({result.file_bytes:,} bytes) in {run.seconds} s "
            f"(intake CPU {run.intake_cpu_seconds} s): {run.accepted} accepted, "
            f"{run.refused} refused, {run.unavailable} unavailable"
        )
    typer.echo(f"same signal ids both times: {result.same_signal_ids}; met: {result.met}")
    typer.echo(f"written to {output}")


@app.command("imports")
def bench_imports(
    runs: Annotated[int, typer.Option(min=1, help="Fresh interpreters per command.")] = 5,
    output: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results/imports.json"
    ),
) -> None:
    """What a service command imports at start: time, resident memory, tooling loaded."""
    from waakhond_tools.bench.imports import import_table, measure_imports, write_import_results

    costs = measure_imports(runs)
    write_import_results(costs, output)
    typer.echo(import_table(costs))
    typer.echo(f"written to {output}")

"""The pipeline benchmark at a tiny size: every part runs and the result file has its shape.

Timings are not checked: this machine is shared and the sizes are too small to mean anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from waakhond_tools.bench.broker_fetch import BrokerParameters, measure_fetch_cost
from waakhond_tools.bench.pipeline_common import (
    cpu_seconds,
    percentile_from_buckets,
    rss_mib,
    tree_cpu_seconds,
    tree_rss_mib,
)


def test_percentiles_interpolate_inside_buckets() -> None:
    buckets = [(0.5, 0.0), (1.0, 50.0), (2.0, 100.0), (float("inf"), 100.0)]
    assert percentile_from_buckets(buckets, 0.5) == 1.0
    assert percentile_from_buckets(buckets, 0.75) == 1.5
    assert percentile_from_buckets([], 0.5) == 0.0


@contextlib.contextmanager
def child_ready(code: str) -> Iterator[subprocess.Popen[bytes]]:
    """A Python child running ``code``, which prints 1 when it is ready to be measured."""
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"1\n"
        yield child
    finally:
        child.kill()
        child.wait()


def test_a_process_memory_includes_its_children() -> None:
    # A child that holds 200 MiB, as the classifier's model process holds the model.
    with child_ready(
        "import sys, time; b = b'x' * (200 << 20); print(1); sys.stdout.flush(); time.sleep(60)"
    ):
        own, tree = rss_mib(os.getpid()), tree_rss_mib(os.getpid())
        assert tree - own >= 200
        assert tree_rss_mib(None) == 0.0


def test_a_process_cpu_includes_its_living_children() -> None:
    # Half a second of CPU in a child, then it waits to be measured.
    with child_ready(
        "import sys, time\n"
        "end = time.process_time() + 0.5\n"
        "while time.process_time() < end: pass\n"
        "print(1); sys.stdout.flush(); time.sleep(60)"
    ) as child:
        assert 0.5 <= cpu_seconds(child.pid) < 5
        assert tree_cpu_seconds(os.getpid()) - cpu_seconds(os.getpid()) >= 0.5
        assert tree_cpu_seconds(None) == 0.0
    assert cpu_seconds(child.pid) == 0.0  # gone


# Its own process: the benchmark opens chDB paths of its own, and a process may hold only one.
TINY_RUN = """
import sys
from pathlib import Path
from waakhond_tools.bench.pipeline import PipelineParameters, run_pipeline_bench
from waakhond_tools.bench.pipeline_end_to_end import EndToEndParameters
from waakhond_tools.bench.pipeline_report import table, write_report

parameters = PipelineParameters(
    intake_signals=40,
    intake_concurrency=2,
    intake_batch_size=10,
    stage_timeout=60,
    end_to_end=EndToEndParameters(rate=20, soak_seconds=2, throughput_signals=40, drain_timeout=60),
)
report = run_pipeline_bench(parameters, Path(sys.argv[1]))
write_report(report, Path(sys.argv[2]))
print(table(report))
"""


@pytest.mark.e2e
def test_pipeline_bench_writes_every_part(tmp_path: Path) -> None:
    output = tmp_path / "pipeline.json"
    run = subprocess.run(
        [sys.executable, "-c", TINY_RUN, str(tmp_path / "work"), str(output)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(output.read_text())
    assert [stage["stage"] for stage in result["stages"]] == [
        "intake (single, 2 clients)",
        "intake (batch of 10, 2 clients)",
        "classifier",
        "aggregator",
    ]
    for stage in result["stages"]:
        assert set(stage) == {"stage", "unit", "rate", "limit", "ratio", "detail"}
    # 50 signals usually fit in the aggregator's first batch, which the rate leaves out:
    # then there is no drain to time, and the run must say so rather than show a bare 0.
    aggregator = result["stages"][3]
    if aggregator["detail"]["counted_signals"] == 0:
        assert aggregator["rate"] == 0.0
        assert "no drain was timed" in aggregator["detail"]["note"]
        assert "no drain was timed" in run.stdout
    else:
        assert "note" not in aggregator["detail"]
    end_to_end = result["end_to_end"]
    assert {"p50_s", "p95_s", "p99_s"} <= set(end_to_end["latency"])
    assert end_to_end["throughput"]["accepted"] == 40
    cpu = end_to_end["throughput"]["cpu"]
    assert [share["part"] for share in cpu] == [
        "intake",
        "classifier",
        "aggregator",
        "broker",
        "load generator",
    ]
    assert all(share["cpu_seconds"] >= 0 and share["us_per_signal"] >= 0 for share in cpu)
    assert sum(share["cpu_seconds"] for share in cpu) > 0
    assert "us/signal" in run.stdout
    assert {m["service"] for m in end_to_end["memory"]} == {
        "intake",
        "classifier",
        "aggregator",
        "broker",
    }
    assert "memory (RSS MiB)" in run.stdout


@pytest.mark.e2e
def test_broker_bench_measures_every_stored_batch_count() -> None:
    parameters = BrokerParameters(stored_batches=(0, 400), batches_per_s=100, steady_seconds=1)
    results = measure_fetch_cost(parameters)
    # A steady phase adds batches too, so a later count may start above its target.
    assert all(r.stored_batches >= n for r, n in zip(results, (0, 400), strict=True))
    assert results[0].stored_batches == 0
    assert all(r.records_read > 0 for r in results)
    assert all(r.broker_cores >= 0 and r.wait_p95_s >= r.wait_p50_s for r in results)


def test_import_bench_writes_each_service_command(tmp_path: Path) -> None:
    from waakhond_tools.bench.imports import (
        SERVICE_ENTRY_POINTS,
        measure_imports,
        write_import_results,
    )

    output = tmp_path / "imports.json"
    costs = measure_imports(runs=1)
    write_import_results(costs, output)
    written = json.loads(output.read_text())
    assert [r["command"] for r in written["results"]] == list(SERVICE_ENTRY_POINTS)
    for cost in costs:
        assert cost.median_seconds > 0
        assert cost.median_rss_mib > 0
        assert cost.tooling_loaded == ()

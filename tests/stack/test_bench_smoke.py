"""The pipeline benchmark at a tiny size: every part runs and the result file has its shape.

Timings are not checked: this machine is shared and the sizes are too small to mean anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from waakhond_stack.bench.commands import PipelineParameters, run_pipeline_bench
from waakhond_stack.bench.common import percentile_from_buckets
from waakhond_stack.bench.end_to_end import EndToEndParameters
from waakhond_stack.bench.report import table, write_report


def test_percentiles_interpolate_inside_buckets() -> None:
    buckets = [(0.5, 0.0), (1.0, 50.0), (2.0, 100.0), (float("inf"), 100.0)]
    assert percentile_from_buckets(buckets, 0.5) == 1.0
    assert percentile_from_buckets(buckets, 0.75) == 1.5
    assert percentile_from_buckets([], 0.5) == 0.0


@pytest.mark.e2e
def test_pipeline_bench_writes_every_part(tmp_path: Path) -> None:
    parameters = PipelineParameters(
        intake_signals=40,
        intake_concurrency=2,
        intake_batch_size=10,
        stage_timeout=60,
        end_to_end=EndToEndParameters(
            rate=20, soak_seconds=2, throughput_signals=40, drain_timeout=60
        ),
    )
    report = run_pipeline_bench(parameters, tmp_path / "work")
    output = tmp_path / "pipeline.json"
    write_report(report, output)
    result = json.loads(output.read_text())
    assert [stage["stage"] for stage in result["stages"]] == [
        "intake (single, 2 clients)",
        "intake (batch of 10, 2 clients)",
        "classifier",
        "aggregator",
    ]
    for stage in result["stages"]:
        assert set(stage) == {"stage", "unit", "rate", "limit", "ratio", "detail"}
    end_to_end = result["end_to_end"]
    assert {"p50_s", "p95_s", "p99_s"} <= set(end_to_end["latency"])
    assert end_to_end["throughput"]["accepted"] == 40
    assert {m["service"] for m in end_to_end["memory"]} == {
        "intake",
        "classifier",
        "aggregator",
        "broker",
    }
    assert "memory (RSS MiB)" in table(report)

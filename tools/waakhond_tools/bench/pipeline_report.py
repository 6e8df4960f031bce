"""The result file (JSON) and the short table on stdout."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from waakhond_tools.bench.pipeline_common import StageRatio
from waakhond_tools.bench.pipeline_end_to_end import EndToEndResult

# The targets on a 2-core machine with everything on it.
TARGETS = {
    "end_to_end_signals_per_s": 2000.0,
    "p95_latency_s_at_500_per_s": 2.0,
    "stage_ratio": 0.70,
}


@dataclass(frozen=True, slots=True)
class PipelineReport:
    stages: list[StageRatio]
    end_to_end: EndToEndResult | None
    parameters: dict[str, Any]
    wall_seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": TARGETS,
            "machine": {
                "cpus": str(os.cpu_count()),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "parameters": self.parameters,
            "stages": [asdict(stage) for stage in self.stages],
            "end_to_end": self.end_to_end.as_dict() if self.end_to_end else None,
            "wall_seconds": round(self.wall_seconds, 1),
        }


def write_report(report: PipelineReport, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report.as_dict(), indent=2) + "\n")


def table(report: PipelineReport) -> str:
    lines = [f"{'stage':<38} {'rate':>10} {'limit':>10} {'ratio':>6}  target"]
    for stage in report.stages:
        verdict = "ok" if stage.ratio >= TARGETS["stage_ratio"] else "below"
        lines.append(
            f"{stage.stage:<38} {stage.rate:>10.1f} {stage.limit:>10.1f} {stage.ratio:>6.3f}"
            f"  >= {TARGETS['stage_ratio']:.2f} {verdict}"
        )
        if "note" in stage.detail:
            lines.append(f"  note: {stage.detail['note']}")
    result = report.end_to_end
    if result is not None:
        latency, throughput = result.latency, result.throughput
        lines.append(
            f"end-to-end sustained: {throughput.signals_per_s:.1f} signals/s "
            f"({throughput.accepted} in {throughput.seconds:.1f} s; target >= "
            f"{TARGETS['end_to_end_signals_per_s']:.0f})"
        )
        lines.append(f"  {'CPU in that phase':<18} {'cores':>6} {'us/signal':>10}")
        for share in throughput.cpu:
            lines.append(f"  {share.part:<18} {share.cores:>6.2f} {share.us_per_signal:>10.1f}")
        lines.append(
            f"latency 202 -> counted at {latency.offered_per_s:.0f}/s for "
            f"{result.soak_seconds:.0f} s: p50 {latency.p50_s:.2f} s, p95 {latency.p95_s:.2f} s, "
            f"p99 {latency.p99_s:.2f} s (target p95 <= "
            f"{TARGETS['p95_latency_s_at_500_per_s']:.1f} s; {latency.accepted} accepted, "
            f"{latency.not_offered} not offered)"
        )
        lines.append(f"{'memory (RSS MiB)':<20} {'start':>8} {'end':>8}")
        for memory in result.memory:
            lines.append(
                f"{memory.service:<20} {memory.rss_start_mib:>8.1f} {memory.rss_end_mib:>8.1f}"
            )
    return "\n".join(lines)

"""What starting a service costs before it does any work: the time to import what its
``waakhond`` command imports, the resident memory after that, and which of the tooling's
libraries got loaded (there should be none).

Each measurement runs in a fresh interpreter, as a service's process starts; the median of
``runs`` is reported. Loading data at start (intake's deduce tables, the classifier's
model) happens after import and is not part of this figure: see ``waakhond bench
pipeline`` for the memory of running services.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from waakhond_tools import TOOLING_LIBRARIES

# What each command imports before it runs: its command module, then these.
SERVICE_ENTRY_POINTS = {
    "intake": ("waakhond_intake.main",),
    "classifier": ("waakhond_classifier.main", "waakhond_classifier.model.loader"),
    "aggregator": ("waakhond_aggregator.main",),
}

_PROBE = """
import json, sys, time
started = time.perf_counter()
from typer.main import get_command
from waakhond_cli.main import app
get_command(app).get_command(None, {command!r})
for module in {modules!r}:
    __import__(module)
seconds = time.perf_counter() - started
with open("/proc/self/status") as status:
    rss_kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
tops = {{name.split(".")[0] for name in sys.modules}}
print(json.dumps({{"seconds": seconds, "rss_kib": rss_kib,
                  "tooling": sorted(tops & set({tooling!r}))}}))
"""


@dataclass(frozen=True, slots=True)
class ImportCost:
    command: str
    median_seconds: float
    median_rss_mib: float
    tooling_loaded: tuple[str, ...]
    runs: int


def measure_command(command: str, runs: int) -> ImportCost:
    probe = _PROBE.format(
        command=command, modules=SERVICE_ENTRY_POINTS[command], tooling=sorted(TOOLING_LIBRARIES)
    )
    samples = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
        )
        samples.append(json.loads(result.stdout))
    return ImportCost(
        command=command,
        median_seconds=round(statistics.median(s["seconds"] for s in samples), 3),
        median_rss_mib=round(statistics.median(s["rss_kib"] for s in samples) / 1024, 1),
        tooling_loaded=tuple(sorted({name for s in samples for name in s["tooling"]})),
        runs=runs,
    )


def measure_imports(runs: int) -> list[ImportCost]:
    return [measure_command(command, runs) for command in SERVICE_ENTRY_POINTS]


def write_import_results(costs: list[ImportCost], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    document = {"python": sys.version.split()[0], "results": [asdict(c) for c in costs]}
    output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def import_table(costs: list[ImportCost]) -> str:
    lines = [f"{'command':<12} {'import s':>9} {'RSS MiB':>8}  tooling loaded"]
    lines += [
        f"{c.command:<12} {c.median_seconds:>9.3f} {c.median_rss_mib:>8.1f}  "
        f"{', '.join(c.tooling_loaded) or 'none'}"
        for c in costs
    ]
    return "\n".join(lines)

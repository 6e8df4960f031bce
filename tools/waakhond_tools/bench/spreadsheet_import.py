"""``waakhond bench import``: a generated XLSX of N signals through ``POST /v1/imports`` of a
real intake process on the test broker, timed from the request to the report.

The sheet is written as organisations write theirs: Dutch column names, Dutch labels for
the closed lists, spreadsheet dates, lists separated by "; ". The same file is imported a
second time: every row answers the same signal_id again (nothing is counted twice).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import platform
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook  # type: ignore[import-untyped]

from waakhond_contract.vocabularies import (
    DUTCH_LABELS,
    AgeBand,
    Category,
    LawDomain,
    LifeDomain,
    SupporterType,
    TargetGroup,
)
from waakhond_intake.auth.keys import create_key
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics
from waakhond_tools.bench.pipeline_common import HOST, tree_cpu_seconds
from waakhond_tools.bench.startup import source_state
from waakhond_tools.stack.broker import TansuBroker, free_port
from waakhond_tools.stack.demo import generate_signals
from waakhond_tools.stack.environments import intake_environment
from waakhond_tools.stack.processes import ServiceProcess

TARGET_SECONDS = 30.0
ORGANISATION = "bench-import"
HEADER = (
    "referentie",
    "datum",
    "gemeente",
    "wetten",
    "leefgebieden",
    "doelgroepen",
    "leeftijd",
    "soort ondersteuner",
    "omschrijving",
    "categorieën",
)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_VOCABULARIES = {
    "law_domains": LawDomain,
    "life_domains": LifeDomain,
    "target_groups": TargetGroup,
    "suggested_categories": Category,
}


def _labels(field: str, codes: list[str]) -> str:
    enum = _VOCABULARIES[field]
    return "; ".join(DUTCH_LABELS[enum(code)] for code in codes)


def spreadsheet_rows(count: int, seed: int = 2025) -> Iterator[tuple[object, ...]]:
    """Rows in the order of ``HEADER``, from the demo's generated signals (unique refs)."""
    for _organisation, body in generate_signals(count, seed=seed):
        yield (
            body["client_ref"],
            dt.date.fromisoformat(body["observed_on"]),
            body["municipality_code"],
            _labels("law_domains", body["law_domains"]),
            _labels("life_domains", body["life_domains"]),
            _labels("target_groups", body["target_groups"]),
            DUTCH_LABELS[AgeBand(body["age_band"])],
            DUTCH_LABELS[SupporterType(body["supporter_type"])],
            body["description"],
            _labels("suggested_categories", body.get("suggested_categories", [])),
        )


def xlsx_bytes(rows: Iterator[tuple[object, ...]] | list[tuple[object, ...]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Signalen")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class ImportRun:
    label: str
    seconds: float
    intake_cpu_seconds: float
    accepted: int
    refused: int
    unavailable: int


@dataclass(frozen=True, slots=True)
class ImportBenchResult:
    rows: int
    file_bytes: int
    runs: list[ImportRun]
    same_signal_ids: bool
    met: bool


def _post(http: httpx.Client, url: str, token: str, body: bytes) -> dict[str, Any]:
    response = http.post(
        f"{url}/v1/imports",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": XLSX_MEDIA_TYPE},
    )
    if response.status_code != 200:
        raise RuntimeError(f"import answered {response.status_code}: {response.text[:500]}")
    report: dict[str, Any] = response.json()
    return report


def measure_import(rows: int, seed: int, folder: Path) -> ImportBenchResult:
    body = xlsx_bytes(spreadsheet_rows(rows, seed))
    with TansuBroker(log_file=folder / "tansu.log") as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        topics = TopicSettings(
            submitted="bench-import-submitted",
            classified="bench-import-classified",
            deadletter="bench-import-deadletter",
        )
        ensure_topics(kafka, topics)
        keys = folder / "api-keys.json"
        token = create_key(keys, ORGANISATION)[1]
        port = free_port()
        environment = intake_environment(
            kafka,
            topics,
            host=HOST,
            port=port,
            api_keys_file=keys,
            log_level="WARNING",
        )
        intake = ServiceProcess("intake", ["intake"], environment, folder / "intake.log")
        url = f"http://{HOST}:{port}"
        intake.start()
        try:
            intake.wait_ready(f"{url}/readyz", 120)
            runs: list[ImportRun] = []
            reports: list[dict[str, Any]] = []
            with httpx.Client(timeout=300) as http:
                # First requests pay for lazy imports and the vocabulary tables.
                _post(http, url, token, xlsx_bytes(spreadsheet_rows(5, seed + 1000)))
                for label in ("first import", "same file again"):
                    cpu_before = tree_cpu_seconds(intake.pid)
                    started = time.perf_counter()
                    report = _post(http, url, token, body)
                    seconds = time.perf_counter() - started
                    runs.append(
                        ImportRun(
                            label=label,
                            seconds=round(seconds, 2),
                            intake_cpu_seconds=round(tree_cpu_seconds(intake.pid) - cpu_before, 2),
                            accepted=report["accepted"],
                            refused=report["refused"],
                            unavailable=report["unavailable"],
                        )
                    )
                    reports.append(report)
        finally:
            intake.stop()
    ids = [[result["signal_id"] for result in report["results"]] for report in reports]
    return ImportBenchResult(
        rows=rows,
        file_bytes=len(body),
        runs=runs,
        same_signal_ids=ids[0] == ids[1],
        met=all(run.seconds < TARGET_SECONDS and run.accepted == rows for run in runs),
    )


def write_import_result(result: ImportBenchResult, command: str, output: Path) -> None:
    document = {
        "benchmark": "import",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": {
            "cpus": str(os.cpu_count()),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "source": source_state(),
        "target_seconds": TARGET_SECONDS,
        "method": (
            "a generated XLSX (Dutch column names and labels, spreadsheet dates) posted as "
            "the request body to POST /v1/imports of `waakhond intake` in its own process on "
            "the Tansu test broker (memory storage); wall time from the request to the "
            "report, and the CPU time of the intake process meanwhile; the same file twice; "
            "met when both imports accepted every row within the target"
        ),
        "result": asdict(result),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def run_import_bench(rows: int, seed: int, work_dir: Path | None) -> ImportBenchResult:
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
        return measure_import(rows, seed, work_dir)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        return measure_import(rows, seed, Path(folder))

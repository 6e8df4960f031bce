"""``waakhond export open-data``: the files against the disclosed views, the Data Package
against frictionless (offline), the threshold, periods, and running twice.

The database is the analytics views' seed (tests/aggregator/storage/test_analytics_views.py)
under the default policy (noise, threshold 10, rounding 5) with a fixed secret: in the
first quarter of 2025 it has shown cells, suppressed ones (Groningen's three signals) and
regions without signals.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from clickhouse_connect.driver.client import Client
from typer.testing import CliRunner

from tests.aggregator.storage.test_analytics_views import DEFAULT, EXACT, seed_analytics
from waakhond_aggregator.reports.period import parse_period
from waakhond_aggregator.storage.disclosure import write_disclosure_policy
from waakhond_cli.main import app as waakhond
from waakhond_tools.export import open_data
from waakhond_tools.export.datapackage import DESCRIPTOR_NAME, validate_package
from waakhond_tools.export.open_data import (
    BREAKDOWN_DIMENSIONS,
    BREAKDOWNS_STEM,
    HARD_TO_PLACE_STEM,
    TRENDS_STEM,
    PolicyTooWeakError,
    export_open_data,
)

QUARTER = "2025-Q1"
MONTH = "2025-02"
EMPTY = "2024-01"  # before the first signal of the seed
STEMS = (TRENDS_STEM, BREAKDOWNS_STEM, HARD_TO_PLACE_STEM)


@pytest.fixture(scope="module")
def database(clickhouse_client: Client) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    seed_analytics(clickhouse_client, name, DEFAULT)
    yield name
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture(scope="module")
def exported(
    clickhouse_client: Client, database: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """One export per period, written once for the read-only tests."""
    folders = {}
    for label in (QUARTER, MONTH, EMPTY):
        folder = tmp_path_factory.mktemp(f"open-data-{label}")
        export_open_data(clickhouse_client, database, parse_period(label), folder)
        folders[label] = folder
    return folders


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_count(row: dict[str, str]) -> int | None:
    return None if row["aantal_signalen"] == "" else int(row["aantal_signalen"])


def view_rows(client: Client, sql: str, **parameters: Any) -> list[dict[str, Any]]:
    result = client.query(sql, parameters=parameters)
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def period_parameters(label: str) -> dict[str, dt.date]:
    period = parse_period(label)
    return {"date_from": period.first_week, "date_to": period.last_week_day}


# --- the Data Package -------------------------------------------------------------------


@pytest.mark.parametrize("label", [QUARTER, MONTH, EMPTY])
def test_the_data_package_validates_offline(
    exported: dict[str, Path], label: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """frictionless validates descriptor, every file, schema, types, keys and checksums,
    and opens no socket doing so (no remote profile is fetched)."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"validation opened a connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert validate_package(exported[label] / DESCRIPTOR_NAME) == []


def test_validation_finds_a_changed_file(exported: dict[str, Path], tmp_path: Path) -> None:
    """The validation is not vacuous: a count changed after the export is caught."""
    for path in exported[QUARTER].iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    trends = tmp_path / f"{TRENDS_STEM}.csv"
    trends.write_bytes(trends.read_bytes().replace(b",false\r\n", b",nee\r\n", 1))
    errors = validate_package(tmp_path / DESCRIPTOR_NAME)
    assert any("type-error" in error for error in errors), errors
    assert any("hash" in error or "byte" in error for error in errors), errors


def test_the_descriptor_says_licence_sources_method_and_suppression(
    exported: dict[str, Path],
) -> None:
    import json

    descriptor = json.loads((exported[QUARTER] / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    assert descriptor["name"] == "waakhond-signalen-2025-q1"
    assert "kwartaal 2025" in descriptor["title"]
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/deed.nl",
            "title": "Creative Commons Naamsvermelding 4.0 Internationaal (CC BY 4.0)",
        }
    ]
    assert any("CBS / PDOK" in source["title"] for source in descriptor["sources"])
    text = descriptor["description"]
    for phrase in ("ruis", "onder 10", "veelvoud van 5", "onderdrukt = true", "telt 0"):
        assert phrase in text
    assert descriptor["openbaarmaking"]["drempel"] == 10
    assert descriptor["openbaarmaking"]["eerste_dag"] == "2024-12-30"
    assert descriptor["openbaarmaking"]["laatste_dag"] == "2025-03-30"
    resources = {r["path"]: r for r in descriptor["resources"]}
    assert set(resources) == {f"{stem}.{suffix}" for stem in STEMS for suffix in ("csv", "parquet")}
    for resource in resources.values():
        fields = resource["schema"]["fields"]
        assert all(field["description"] for field in fields)
        assert resource["schema"]["primaryKey"]
        assert resource["schema"]["missingValues"][0]["label"] == "onderdrukt"
    assert [f["name"] for f in resources[f"{TRENDS_STEM}.csv"]["schema"]["fields"]] == [
        "periode",
        "niveau",
        "niveau_naam",
        "regio_code",
        "regio_naam",
        "categorie",
        "categorie_naam",
        "aantal_signalen",
        "onderdrukt",
    ]


# --- the counts against the views -------------------------------------------------------


@pytest.mark.parametrize("label", [QUARTER, MONTH])
def test_trend_counts_are_the_disclosed_totals(
    exported: dict[str, Path], clickhouse_client: Client, database: str, label: str
) -> None:
    views = {
        (r["level"], r["region_code"], r["category"]): r["signals"]
        for r in view_rows(
            clickhouse_client,
            f"SELECT * FROM {database}.suppressed_trend_totals("
            "date_from = {date_from:Date}, date_to = {date_to:Date})",
            **period_parameters(label),
        )
    }
    rows = read_csv(exported[label] / f"{TRENDS_STEM}.csv")
    files = {(r["niveau"], r["regio_code"], r["categorie"]): csv_count(r) for r in rows}
    assert files == views
    assert {r["periode"] for r in rows} == {label}
    amsterdam = next(r for r in rows if r["regio_code"] == "ZK02" and r["categorie"] == "all")
    assert amsterdam["regio_naam"] == "Amsterdam"
    assert amsterdam["niveau_naam"] == "Zorgkantoorregio"
    assert amsterdam["categorie_naam"] == "Alle signalen"


def test_a_month_is_the_monthly_series_month(
    exported: dict[str, Path], clickhouse_client: Client, database: str
) -> None:
    """A month counts the weeks of its Thursdays, so it shows what the monthly view shows."""
    monthly = {
        (r["level"], r["region_code"], r["category"]): r["signals"]
        for r in view_rows(
            clickhouse_client,
            f"SELECT * FROM {database}.suppressed_trend_monthly WHERE month_start = '2025-02-01'",
        )
    }
    rows = read_csv(exported[MONTH] / f"{TRENDS_STEM}.csv")
    assert {(r["niveau"], r["regio_code"], r["categorie"]): csv_count(r) for r in rows} == monthly


@pytest.mark.parametrize("label", [QUARTER, MONTH])
def test_breakdown_and_hard_to_place_counts_are_the_disclosed_totals(
    exported: dict[str, Path], clickhouse_client: Client, database: str, label: str
) -> None:
    views = {
        (r["level"], r["region_code"], r["category"], r["dimension"], r["value"]): r["signals"]
        for r in view_rows(
            clickhouse_client,
            f"SELECT * FROM {database}.suppressed_breakdown_totals("
            "date_from = {date_from:Date}, date_to = {date_to:Date})",
            **period_parameters(label),
        )
        if r["dimension"] in BREAKDOWN_DIMENSIONS
    }
    rows = read_csv(exported[label] / f"{BREAKDOWNS_STEM}.csv")
    files = {
        (r["niveau"], r["regio_code"], r["categorie"], r["kenmerk"], r["waarde"]): csv_count(r)
        for r in rows
    }
    assert files == views
    assert {r["kenmerk"] for r in rows} == set(BREAKDOWN_DIMENSIONS)
    assert ("wmo+wlz", "Wmo én Wlz (de knip)") in {(r["waarde"], r["waarde_naam"]) for r in rows}

    hard = read_csv(exported[label] / f"{HARD_TO_PLACE_STEM}.csv")
    expected = {
        (level, region, value): signals
        for (level, region, category, dimension, value), signals in views.items()
        if category == "no_suitable_care" and dimension == "target_group"
    }
    assert {(r["niveau"], r["regio_code"], r["doelgroep"]): csv_count(r) for r in hard} == expected
    assert expected


def test_hard_to_place_agrees_with_its_weekly_view(
    exported: dict[str, Path], clickhouse_client: Client, database: str
) -> None:
    """Within one week the period total and the weekly hard-to-place view are one cell."""
    weekly = view_rows(
        clickhouse_client,
        "SELECT level, region_code, target_group, week_start "
        f"FROM {database}.suppressed_hard_to_place",
    )
    assert weekly  # the seed has hard-to-place signals: the file is not empty by accident
    hard = read_csv(exported[QUARTER] / f"{HARD_TO_PLACE_STEM}.csv")
    assert {r["doelgroep"] for r in hard} <= {str(r["target_group"]) for r in weekly}


@pytest.mark.parametrize("label", [QUARTER, MONTH, EMPTY])
def test_parquet_holds_the_rows_of_the_csv(exported: dict[str, Path], label: str) -> None:
    for stem in STEMS:
        csv_rows = read_csv(exported[label] / f"{stem}.csv")
        table = pq.read_table(exported[label] / f"{stem}.parquet")
        assert table.column_names == (list(csv_rows[0]) if csv_rows else table.column_names)
        header = (exported[label] / f"{stem}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert table.column_names == header.split(",")
        parquet_rows = [
            {
                name: ""
                if value is None
                else ("true" if value is True else "false" if value is False else str(value))
                for name, value in row.items()
            }
            for row in table.to_pylist()
        ]
        assert parquet_rows == csv_rows, stem
        assert str(table.schema.field("aantal_signalen").type) == "int64"
        assert str(table.schema.field("onderdrukt").type) == "bool"


# --- disclosure -------------------------------------------------------------------------


def test_no_count_below_the_threshold_and_suppression_is_flagged(
    exported: dict[str, Path],
) -> None:
    suppressed = shown = 0
    for folder in exported.values():
        for stem in STEMS:
            csv_rows = read_csv(folder / f"{stem}.csv")
            parquet_rows = pq.read_table(folder / f"{stem}.parquet").to_pylist()
            for row in csv_rows:
                count = csv_count(row)
                assert count is None or count == 0 or count >= 10, row
                assert count is None or count % 5 == 0, row
                assert (count is None) == (row["onderdrukt"] == "true"), row
                suppressed += count is None
                shown += count is not None
            for record in parquet_rows:
                value = record["aantal_signalen"]
                assert value is None or value == 0 or value >= 10, record
                assert (value is None) == record["onderdrukt"], record
            # Nothing that looks like a small count hides elsewhere in a text file.
            text = (folder / f"{stem}.csv").read_text(encoding="utf-8")
            for line in text.splitlines()[1:]:
                assert not re.search(r",[1-9],(true|false)$", line), line
    # The seed exercises both.
    assert suppressed
    assert shown


def test_a_policy_weaker_than_open_data_needs_is_refused(
    clickhouse_client: Client, tmp_path: Path
) -> None:
    name = f"t_{uuid.uuid4().hex[:10]}"
    try:
        seed_analytics(clickhouse_client, name, EXACT)
        with pytest.raises(PolicyTooWeakError, match="weaker than open data needs"):
            export_open_data(clickhouse_client, name, parse_period(QUARTER), tmp_path / "out")
        assert not (tmp_path / "out").exists()
        write_disclosure_policy(clickhouse_client, name, DEFAULT)
        export_open_data(clickhouse_client, name, parse_period(QUARTER), tmp_path / "out")
    finally:
        clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


def test_only_disclosed_views_are_read() -> None:
    source = Path(open_data.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r"\{database\}\.(\w+)", source))
    assert read == {
        "suppressed_region_names",
        "suppressed_disclosure_policy",
        "suppressed_trend_totals",
        "suppressed_breakdown_totals",
    }


# --- periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("2025-Q5", "must be a year (2026), a quarter (2026-Q3)", id="quarter-5"),
        pytest.param("2025-13", "must be a year (2026), a quarter (2026-Q3)", id="month-13"),
        pytest.param("2025-W10", "must be a year (2026), a quarter (2026-Q3)", id="week"),
        pytest.param("25", "must be a year (2026), a quarter (2026-Q3)", id="short-year"),
        pytest.param("2014", "the year must be from 2015", id="before-2015"),
    ],
)
def test_the_command_exits_2_with_the_reason_for_a_bad_period(
    tmp_path: Path, text: str, reason: str
) -> None:
    result = CliRunner().invoke(
        waakhond, ["export", "open-data", "--period", text, "--output", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert f"'{text}': {reason}" in " ".join(result.output.split())
    assert "--period" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_empty_period_writes_headers_only(exported: dict[str, Path]) -> None:
    folder = exported[EMPTY]
    for stem in STEMS:
        lines = (folder / f"{stem}.csv").read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("periode,niveau,")
        assert pq.read_table(folder / f"{stem}.parquet").num_rows == 0


# --- running twice, and the command -----------------------------------------------------


def test_a_second_run_refuses_to_overwrite_and_force_gives_identical_files(
    clickhouse_client: Client, database: str, exported: dict[str, Path], tmp_path: Path
) -> None:
    first = exported[QUARTER]
    before = {path.name: path.read_bytes() for path in first.iterdir()}
    with pytest.raises(FileExistsError, match="--force"):
        export_open_data(clickhouse_client, database, parse_period(QUARTER), first)
    assert {path.name: path.read_bytes() for path in first.iterdir()} == before

    second = tmp_path / "again"
    export_open_data(clickhouse_client, database, parse_period(QUARTER), second)
    export_open_data(clickhouse_client, database, parse_period(QUARTER), second, force=True)
    assert {path.name: path.read_bytes() for path in second.iterdir()} == before


def test_the_command_writes_a_valid_package_from_the_clickhouse_settings(
    chdb_path: Path, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DSN", f"chdb://{chdb_path}")
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DATABASE", database)
    arguments = ["export", "open-data", "--period", QUARTER, "--output", str(tmp_path)]
    runner = CliRunner()

    result = runner.invoke(waakhond, arguments)
    assert result.exit_code == 0, result.output
    assert "valid Data Package" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [DESCRIPTOR_NAME, *(f"{stem}.{suffix}" for stem in STEMS for suffix in ("csv", "parquet"))]
    )

    again = runner.invoke(waakhond, arguments)
    assert again.exit_code == 1
    assert "--force" in again.output

    assert runner.invoke(waakhond, [*arguments, "--force"]).exit_code == 0


def test_the_command_says_when_the_data_dir_has_no_chdb(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        waakhond,
        [
            "export",
            "open-data",
            "--period",
            QUARTER,
            "--output",
            str(tmp_path / "out"),
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "no chDB under" in result.output


SEED_STACK = """
import sys
from tests.aggregator.storage.test_analytics_views import DEFAULT, seed_analytics
from waakhond_aggregator.storage.client import connect
from waakhond_runtime.settings import ClickHouseSettings

seed_analytics(connect(ClickHouseSettings(dsn="chdb://" + sys.argv[1])), "waakhond", DEFAULT)
"""


def test_the_command_reads_the_embedded_stacks_chdb_with_data_dir(tmp_path: Path) -> None:
    """``--data-dir`` is the stack's folder: its chDB is DIR/chdb, database ``waakhond``.
    Separate processes, because chDB opens one folder per process."""
    import subprocess
    import sys

    repository = Path(__file__).resolve().parents[3]
    environment = {**os.environ, "TZ": "UTC", "PYTHONPATH": str(repository)}
    environment.pop("WAAKHOND_CLICKHOUSE_DSN", None)
    environment.pop("WAAKHOND_CLICKHOUSE_DATABASE", None)
    data = tmp_path / "data"
    seeded = subprocess.run(
        [sys.executable, "-c", SEED_STACK, str(data / "chdb")],
        capture_output=True,
        text=True,
        env=environment,
        cwd=repository,
        timeout=300,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    output = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "waakhond_cli",
            "export",
            "open-data",
            "--period",
            QUARTER,
            "--output",
            str(output),
            "--data-dir",
            str(data),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "valid Data Package" in result.stdout
    rows = read_csv(output / f"{TRENDS_STEM}.csv")
    assert any(row["regio_code"] == "NL" and row["aantal_signalen"] for row in rows)

"""``waakhond report``: writes the report from the aggregator's ClickHouse or the stack's
chDB folder, and refuses what it cannot report on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from typer.testing import CliRunner

import waakhond_cli.main as cli
from tests.aggregator.reports.dataset import store_demo

runner = CliRunner()


@pytest.fixture(scope="module")
def database(clickhouse_client: Client) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    store_demo(clickhouse_client, name, 1200)
    yield name
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def environment(database: str, chdb_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DSN", f"chdb://{chdb_path}")
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DATABASE", database)


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    ("output_format", "start"), [("pdf", b"%PDF-"), ("html", b"<!DOCTYPE html>")]
)
def test_writes_the_report_from_the_clickhouse_settings(
    tmp_path: Path, output_format: str, start: bytes
) -> None:
    output = tmp_path / "out" / f"rapport.{output_format}"
    result = runner.invoke(
        cli.app,
        [
            "report",
            "--period",
            "2026-Q3",
            "--scope",
            "PV27",
            "--format",
            output_format,
            "--output",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(start)


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        pytest.param(["--period", "2026-Q5"], "--period", id="bad-period"),
        pytest.param(["--period", "2026", "--scope", "XX1"], "--scope", id="unknown-scope"),
        pytest.param(["--period", "2026", "--format", "docx"], "--format", id="bad-format"),
    ],
)
def test_bad_input_is_refused_naming_the_option(
    tmp_path: Path, arguments: list[str], says: str
) -> None:
    output = tmp_path / "rapport.pdf"
    result = runner.invoke(cli.app, ["report", *arguments, "--output", str(output)])
    assert result.exit_code == 2
    assert says in result.output
    assert not output.exists()


@pytest.mark.usefixtures("environment")
def test_reads_the_chdb_of_the_stacks_data_dir(
    tmp_path: Path, chdb_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stack keeps chDB in DATA_DIR/chdb; the session's chDB stands in for it (one
    # process may open one chDB folder only).
    stack = tmp_path / "data"
    stack.mkdir()
    (stack / "chdb").symlink_to(chdb_path)
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DSN", "http://127.0.0.1:9")  # must not be used
    output = tmp_path / "rapport.html"
    result = runner.invoke(
        cli.app,
        [
            "report",
            "--period",
            "2026-Q3",
            "--format",
            "html",
            "--data-dir",
            str(stack),
            "--output",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Geen gegevens" not in output.read_text()


def test_a_data_dir_without_the_stacks_chdb_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        cli.app,
        ["report", "--period", "2026", "--data-dir", str(tmp_path), "--output", "x.pdf"],
    )
    assert result.exit_code == 2
    assert "--data-dir" in result.output


def test_a_database_without_the_views_says_what_to_run(
    chdb_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DSN", f"chdb://{chdb_path}")
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DATABASE", "t_never_migrated")
    result = runner.invoke(
        cli.app, ["report", "--period", "2026", "--output", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 1
    assert "waakhond migrate" in result.output

"""``waakhond export open-data``: the disclosed counts of a period as open data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from waakhond_aggregator.reports.period import ReportPeriod

app = typer.Typer(help="Exports of the disclosed counts.", no_args_is_help=True)


@app.callback()
def export() -> None:
    """Exports of the disclosed counts."""


def _period(text: str) -> ReportPeriod:
    from waakhond_aggregator.reports.period import PeriodError, parse_period

    try:
        return parse_period(text)
    except PeriodError as error:
        raise typer.BadParameter(f"{text!r}: {error}", param_hint="'--period'") from error


@app.command("open-data")
def open_data_command(
    period_text: Annotated[
        str,
        typer.Option(
            "--period", help="YYYY, YYYY-Qn or YYYY-MM (ISO weeks whose Thursday is in it)."
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", help="Folder for the CSV, Parquet and datapackage.json.")
    ],
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="The embedded stack's --data-dir: read its chDB (DIR/chdb; stop the stack "
            "first, chDB opens a folder in one process only). Without it: the aggregator's "
            "ClickHouse settings (WAAKHOND_CLICKHOUSE_*).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the files of an earlier export.")
    ] = False,
) -> None:
    """Write the period's disclosed counts per region level x category, and by law domain,
    life domain, target group and hard to place, as CSV and Parquet with a Frictionless
    datapackage.json (CC BY 4.0), ready for data.overheid.nl."""
    from clickhouse_connect.driver.exceptions import ClickHouseError

    from waakhond_aggregator.storage.client import connect
    from waakhond_runtime.settings import ClickHouseSettings
    from waakhond_tools.export.datapackage import DESCRIPTOR_NAME, validate_package
    from waakhond_tools.export.open_data import PolicyTooWeakError, export_open_data

    period = _period(period_text)
    settings = (
        ClickHouseSettings(dsn=f"chdb://{(data_dir / 'chdb').resolve()}")
        if data_dir is not None
        else ClickHouseSettings()
    )
    if data_dir is not None and not (data_dir / "chdb").is_dir():
        typer.echo(f"no chDB under {data_dir} (expected {data_dir / 'chdb'})", err=True)
        raise typer.Exit(1)
    try:
        client = connect(settings)
        written = export_open_data(client, settings.database, period, output, force=force)
    except (FileExistsError, PolicyTooWeakError) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    except ClickHouseError as error:
        hint = " (is the stack still running on it? stop it first)" if data_dir else ""
        typer.echo(f"cannot read ClickHouse at {settings.dsn}{hint}: {error}", err=True)
        raise typer.Exit(1) from error
    problems = validate_package(output / DESCRIPTOR_NAME)
    for problem in problems:
        typer.echo(f"invalid: {problem}", err=True)
    if problems:
        raise typer.Exit(1)
    for path in written:
        typer.echo(f"written: {path}")
    typer.echo(f"open data for {period.code} in {output} (valid Data Package)")

"""``waakhond report``: the signal report of a period for a region, as PDF or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False)


@app.command()
def report(
    period: Annotated[
        str, typer.Option(help="A year (2026), a quarter (2026-Q3) or a month (2026-09).")
    ],
    output: Annotated[Path, typer.Option(help="The file to write.")],
    scope: Annotated[
        str, typer.Option(help="NL, or the code of a region at any level (e.g. ZK09, PV27).")
    ] = "NL",
    format_: Annotated[
        str, typer.Option("--format", help="pdf (A4) or html (one self-contained page).")
    ] = "pdf",
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="The embedded stack's --data-dir: read its chDB (stop the stack first: chDB "
            "allows one process per folder). Without it: the aggregator's ClickHouse "
            "settings (WAAKHOND_CLICKHOUSE_*).",
        ),
    ] = None,
) -> None:
    """Write the signal report (Dutch, A4) from the disclosed views only."""
    from waakhond_aggregator.reports.build import build_report
    from waakhond_aggregator.reports.data import ScopeError
    from waakhond_aggregator.reports.formats import ReportFormat
    from waakhond_aggregator.reports.period import PeriodError, parse_period
    from waakhond_cli.common import connect_ready

    try:
        chosen = ReportFormat(format_)
    except ValueError:
        raise typer.BadParameter("must be pdf or html", param_hint="--format") from None
    try:
        parsed = parse_period(period)
    except PeriodError as error:
        raise typer.BadParameter(str(error), param_hint="--period") from None

    client, database = connect_ready(data_dir, "suppressed_trend_totals", "disclosed views")
    try:
        body = build_report(client, database, parsed, scope, chosen)
    except ScopeError as error:
        raise typer.BadParameter(str(error), param_hint="--scope") from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(body)
    typer.echo(f"wrote {output} ({len(body):,} bytes)")

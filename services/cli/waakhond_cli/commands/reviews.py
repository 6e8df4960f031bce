"""``waakhond reviews``: what people decided on the review page, for training."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client

app = typer.Typer(add_completion=False, no_args_is_help=True)


@app.callback()
def reviews() -> None:
    """People's decisions on the review page."""


@app.command()
def export(
    output: Annotated[Path, typer.Option(help="The JSON Lines file to write.")],
    since: Annotated[
        str | None, typer.Option(help="Only decisions made on or after this date, YYYY-MM-DD.")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="The embedded stack's --data-dir: read its chDB (stop the stack first). "
            "Without it: the aggregator's ClickHouse settings (WAAKHOND_CLICKHOUSE_*).",
        ),
    ] = None,
) -> None:
    """Write each reviewed signal with the labels that stand, oldest decision first, for
    ``waakhond train --with-reviews``. Erased texts and reviewers' ids are left out."""
    from waakhond_aggregator.storage.reviewed_export import reviewed_signals, to_json_line

    start = _date(since)
    client, database = _review_database(data_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with output.open("w", encoding="utf-8") as file:
        for reviewed in reviewed_signals(client, database, start):
            file.write(to_json_line(reviewed) + "\n")
            written += 1
    typer.echo(f"wrote {written} reviewed signal(s) to {output}")


@app.command()
def misses(
    output: Annotated[Path, typer.Option(help="The CSV file to write.")],
    since: Annotated[
        str | None, typer.Option(help="Only misses first found on or after this date.")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="The embedded stack's --data-dir, as for `export`."),
    ] = None,
) -> None:
    """Write the redaction misses people found (signal id, when, organisation, kinds of
    detail), without any text, to improve the detectors."""
    import csv

    from waakhond_aggregator.storage.reviewed_export import MISS_COLUMNS, redaction_misses

    start = _date(since)
    client, database = _review_database(data_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with output.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(MISS_COLUMNS)
        for miss in redaction_misses(client, database, start):
            writer.writerow(
                [
                    miss["signal_id"],
                    miss["decided_at"].isoformat(),
                    miss["organisation_id"],
                    ";".join(miss["kinds"]),
                ]
            )
            written += 1
    typer.echo(f"wrote {written} redaction miss(es) to {output}")


def _date(value: str | None) -> dt.date | None:
    from waakhond_cli.common import iso_date

    return None if value is None else iso_date(value, "--since")


def _review_database(data_dir: Path | None) -> tuple[Client, str]:
    """A client on the database the decisions are in; exits when it has no review tables."""
    from waakhond_cli.common import connect_ready

    return connect_ready(data_dir, "review_decisions", "review tables")

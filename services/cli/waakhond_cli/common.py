"""What several command modules share."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from waakhond_runtime.settings import ClickHouseSettings

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client


def log_level() -> str:
    return os.environ.get("WAAKHOND_LOG_LEVEL", "INFO")


# Where ``waakhond stack --data-dir DIR`` keeps chDB (tools/waakhond_tools/stack/embedded.py).
STACK_CHDB = "chdb"
# Where it keeps the token intake and `waakhond signals` read statuses with (a file name).
STACK_STATUS_TOKEN_FILE = "status-token"  # noqa: S105


def clickhouse_settings(data_dir: Path | None) -> ClickHouseSettings:
    """The embedded stack's chDB under ``data_dir``, or the aggregator's ClickHouse settings
    (``WAAKHOND_CLICKHOUSE_*``) without one."""
    settings = ClickHouseSettings()
    if data_dir is None:
        return settings
    folder = (data_dir / STACK_CHDB).resolve()
    if not folder.is_dir():
        raise typer.BadParameter(f"{folder} does not exist", param_hint="--data-dir")
    return ClickHouseSettings(dsn=f"chdb://{folder}", database=settings.database)


def iso_date(value: str, option: str) -> dt.date:
    """A command line date, ``YYYY-MM-DD``; a usage error naming ``option`` otherwise."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("must be a date, YYYY-MM-DD", param_hint=option) from None


def connect_ready(data_dir: Path | None, table: str, what: str) -> tuple[Client, str]:
    """A client on the aggregator's database and its name; exits 1 with a message when the
    database has no ``table`` yet (``what`` says what is missing, for the message)."""
    from waakhond_aggregator.storage.client import connect

    settings = clickhouse_settings(data_dir)
    client = connect(settings)
    ready = client.query(
        "SELECT count() FROM system.tables WHERE database = {db:String} AND name = {t:String}",
        parameters={"db": settings.database, "t": table},
    ).result_rows[0][0]
    if not ready:
        typer.echo(
            f"database {settings.database!r} has no {what}: run the aggregator or "
            "`waakhond migrate` first",
            err=True,
        )
        raise typer.Exit(1)
    return client, settings.database

"""What several command modules share."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from waakhond_runtime.settings import ClickHouseSettings


def log_level() -> str:
    return os.environ.get("WAAKHOND_LOG_LEVEL", "INFO")


# Where ``waakhond stack --data-dir DIR`` keeps chDB (tools/waakhond_tools/stack/embedded.py).
STACK_CHDB = "chdb"


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

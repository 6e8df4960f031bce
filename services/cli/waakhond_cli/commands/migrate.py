"""``waakhond migrate``: the one-shot job before the aggregator starts."""

from __future__ import annotations

import typer

from waakhond_cli.common import log_level

app = typer.Typer(add_completion=False)


@app.command()
def migrate() -> None:
    """Apply ClickHouse migrations and load the region reference, then exit."""
    from waakhond_aggregator.main import migrate as apply
    from waakhond_runtime.log_format import configure_logging

    configure_logging("migrate", log_level())
    applied = apply()
    typer.echo(f"applied migrations: {applied or 'none (up to date)'}")

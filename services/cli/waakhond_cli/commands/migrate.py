"""``waakhond migrate``: the one-shot job before the aggregator starts, and its status."""

from __future__ import annotations

from typing import Annotated

import typer

from waakhond_cli.common import log_level

app = typer.Typer(add_completion=False)


@app.command()
def migrate(
    status: Annotated[
        bool,
        typer.Option(
            "--status",
            help="Change nothing: list applied, pending and changed migrations and the lock; "
            "exit 1 unless up to date.",
        ),
    ] = False,
) -> None:
    """Apply ClickHouse migrations and load the region reference, then exit."""
    from waakhond_runtime.log_format import configure_logging

    configure_logging("migrate", log_level())
    if status:
        _print_status()
        return
    from waakhond_aggregator.main import migrate as apply

    applied = apply()
    typer.echo(f"applied migrations: {applied or 'none (up to date)'}")


def _print_status() -> None:
    from waakhond_aggregator.storage.client import connect
    from waakhond_aggregator.storage.migrate import migration_status
    from waakhond_runtime.settings import ClickHouseSettings

    settings = ClickHouseSettings()
    state = migration_status(connect(settings), settings.database)
    for version, name, applied_at in state.applied:
        typer.echo(f"applied  {version:04d}_{name}  {applied_at:%Y-%m-%d %H:%M:%S}")
    for migration in state.pending:
        typer.echo(f"pending  {migration.version:04d}_{migration.name}")
    for migration in state.changed:
        typer.echo(
            f"CHANGED  {migration.version:04d}_{migration.name}  (file differs from applied)"
        )
    if state.lock is None:
        typer.echo("lock     free")
    else:
        typer.echo(f"lock     held by {state.lock.holder} since {state.lock.since}")
    summary = f"{len(state.applied)} applied, {len(state.pending)} pending"
    if state.changed:
        summary += f", {len(state.changed)} changed after they were applied"
    typer.echo(f"{settings.database}: {summary}")
    if not state.up_to_date:
        raise typer.Exit(1)

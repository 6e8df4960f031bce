"""``waakhond intake``."""

from __future__ import annotations

import typer

from waakhond_cli.common import log_level

app = typer.Typer(add_completion=False)


@app.command()
def intake() -> None:
    """Run the intake API (configuration from WAAKHOND_* environment variables)."""
    from waakhond_intake.main import run
    from waakhond_runtime.log_format import configure_logging

    configure_logging("intake", log_level())
    run()

"""``waakhond aggregator``."""

from __future__ import annotations

import typer

from waakhond_cli.common import log_level

app = typer.Typer(add_completion=False)


@app.command()
def aggregator() -> None:
    """Run the aggregator: Kafka -> ClickHouse, and the trends API."""
    from waakhond_aggregator.main import run
    from waakhond_runtime.log_format import configure_logging

    configure_logging("aggregator", log_level())
    run()

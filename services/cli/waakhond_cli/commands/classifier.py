"""``waakhond classifier``."""

from __future__ import annotations

import typer

from waakhond_cli.common import log_level

app = typer.Typer(add_completion=False)


@app.command()
def classifier() -> None:
    """Run the classifier worker (faust)."""
    from waakhond_classifier.main import run
    from waakhond_classifier.model.loader import load_default_classifier
    from waakhond_runtime.log_format import configure_logging

    configure_logging("classifier", log_level())
    run(load_default_classifier())

"""``waakhond demo-signals``: the demo generator's signals as JSON Lines."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

app = typer.Typer(add_completion=False)


@app.command("demo-signals")
def demo_signals(
    count: Annotated[int, typer.Option(help="How many signals.")] = 100,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 2025,
) -> None:
    """Print generated demo signals as JSON Lines: {"organisation_id": ..., "signal": {...}}."""
    from waakhond_tools.stack.demo import generate_signals

    for organisation_id, body in generate_signals(count, seed=seed):
        sys.stdout.write(json.dumps({"organisation_id": organisation_id, "signal": body}) + "\n")

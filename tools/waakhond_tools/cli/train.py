"""``waakhond train``: the classifier's deterministic training."""

from __future__ import annotations

import typer

from waakhond_tools.training.commands import train_command

app = typer.Typer(add_completion=False)
app.command("train", help="Train the classifier from the corpus (deterministic).")(train_command)

"""``waakhond evaluate``: per-category scores of the classifier on a corpus split."""

from __future__ import annotations

import typer

from waakhond_tools.training.commands import evaluate_command

app = typer.Typer(add_completion=False)
app.command("evaluate", help="Per-category scores of the classifier on a split.")(evaluate_command)

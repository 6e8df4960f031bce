"""``waakhond classify``: the classifier's JSON Lines contract on stdin and stdout.

stdout carries only result lines, one per input line; every other message goes to stderr.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

app = typer.Typer(add_completion=False)


@app.command()
def classify(
    batch_size: Annotated[
        int,
        typer.Option(min=1, help="Signals per batch; 1 answers each line as soon as it arrives."),
    ] = 256,
) -> None:
    """Classify JSON Lines from stdin to stdout, one output line per input line."""
    from waakhond_classifier.model.jsonl import classify_stream
    from waakhond_classifier.model.loader import load_default_classifier

    classifier = load_default_classifier()
    try:
        errors = classify_stream(
            classifier, sys.stdin.buffer, sys.stdout, sys.stderr, batch_size=batch_size
        )
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); that is not an error of ours.
        # Point stdout at /dev/null so the flush at interpreter exit stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(code=0) from None
    if errors:
        typer.echo(
            f"waakhond classify: {errors} malformed line(s), see the error lines in the output",
            err=True,
        )
        raise typer.Exit(code=1)

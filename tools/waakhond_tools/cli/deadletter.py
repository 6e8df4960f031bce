"""``waakhond deadletter``: export dead letters for repair, and replay the repaired ones."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Export and replay dead letters.", no_args_is_help=True)


@app.command("export")
def deadletter_export(
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason.")] = None,
) -> None:
    """Write the dead letters as JSON Lines on stdout, originals editable under `value`."""
    from waakhond_runtime.settings import KafkaSettings, TopicSettings
    from waakhond_tools.deadletters import export_letters

    for line in export_letters(KafkaSettings(), TopicSettings(), stage, reason):
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")


@app.command("replay")
def deadletter_replay(
    input_file: Annotated[Path, typer.Option("--input", help="Fixed export lines.")],
    dry_run: Annotated[bool, typer.Option(help="Validate only, produce nothing.")] = False,
) -> None:
    """Validate each fixed line against its topic's contract and re-inject the valid ones."""
    from waakhond_runtime.settings import KafkaSettings, TopicSettings
    from waakhond_tools.deadletters import replay_letters

    with input_file.open(encoding="utf-8") as lines:
        outcomes = replay_letters(lines, KafkaSettings(), TopicSettings(), dry_run)
    for outcome in outcomes:
        if outcome.error:
            typer.echo(f"line {outcome.line}: not replayed: {outcome.error}", err=True)
    replayed = sum(o.replayed for o in outcomes)
    valid = sum(o.error is None for o in outcomes)
    typer.echo(f"{valid} valid, {replayed} replayed, {len(outcomes) - valid} still invalid")
    if valid < len(outcomes):
        raise typer.Exit(1)

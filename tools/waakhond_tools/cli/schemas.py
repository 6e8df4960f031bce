"""``waakhond schemas``: the JSON Schema files generated from the contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from waakhond_tools.schemas import PUBLISHED_SCHEMAS, write_schemas

app = typer.Typer(help="JSON Schema files generated from the contract.", no_args_is_help=True)


@app.command("write")
def schemas_write(
    folder: Annotated[Path, typer.Option(help="Where the schema files go.")] = Path("schemas"),
) -> None:
    """(Re)generate schemas/*.json from the contract models."""
    for path in write_schemas(folder):
        typer.echo(str(path))


@app.command("check")
def schemas_check(
    folder: Annotated[Path, typer.Option(help="Where the schema files are.")] = Path("schemas"),
) -> None:
    """Exit 1 when a schema file differs from its model."""
    stale = [
        p.filename
        for p in PUBLISHED_SCHEMAS
        if not (folder / p.filename).exists()
        or (folder / p.filename).read_text(encoding="utf-8") != p.render()
    ]
    if stale:
        typer.echo(f"out of date: {', '.join(stale)}; run `waakhond schemas write`", err=True)
        raise typer.Exit(1)
    typer.echo("schemas are up to date")

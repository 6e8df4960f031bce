"""``waakhond read-keys``: read keys per audience for the trends API (aggregator).

Without ``--keys-file`` the commands use the file the aggregator reads
(``WAAKHOND_AGGREGATOR_READ_KEYS_FILE``). Unlike intake's keys there is no default
file: without one the aggregator's /v1 routes are open, so a key must go to a file
the aggregator is told about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Read keys per audience for the trends API.", no_args_is_help=True)

KeysFile = Annotated[
    Path | None,
    typer.Option(
        "--keys-file",
        help="The read keys file [default: WAAKHOND_AGGREGATOR_READ_KEYS_FILE].",
        show_default=False,
    ),
]
AUDIENCES = "national (ministerie), association (verenigingen), regional (regiocoördinatoren)"


def _keys_file(option: Path | None) -> Path:
    if option is not None:
        return option
    from waakhond_aggregator.api.auth import ReadKeySettings

    configured = ReadKeySettings().read_keys_file
    if configured is None:
        typer.echo(
            "geen sleutelbestand: geef --keys-file of zet WAAKHOND_AGGREGATOR_READ_KEYS_FILE",
            err=True,
        )
        raise typer.Exit(2)
    return configured


@app.callback()
def read_keys() -> None:
    """Read keys per audience for the trends API."""


@app.command("create")
def create(
    audience: Annotated[str, typer.Option("--audience", help=f"One of: {AUDIENCES}.")],
    keys_file: KeysFile = None,
    label: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
) -> None:
    """Create a read key; the key is printed once and only its hash is stored."""
    from waakhond_aggregator.api.auth import Audience, create_read_key

    try:
        chosen = Audience(audience)
    except ValueError:
        typer.echo(f"onbekende doelgroep {audience!r}; kies uit: {AUDIENCES}", err=True)
        raise typer.Exit(2) from None
    entry, token = create_read_key(_keys_file(keys_file), chosen, label)
    typer.echo(f"key id: {entry.key_id} ({entry.audience})", err=True)
    typer.echo(token)


@app.command("revoke")
def revoke(key_id: str, keys_file: KeysFile = None) -> None:
    """Revoke a read key; the aggregator stops accepting it within seconds."""
    from waakhond_aggregator.api.auth import revoke_read_key

    path = _keys_file(keys_file)
    try:
        entry = revoke_read_key(path, key_id)
    except KeyError:
        typer.echo(f"geen sleutel {key_id} in {path}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"revoked {entry.key_id} of {entry.audience} at {entry.revoked_at}")


@app.command("list")
def list_keys(keys_file: KeysFile = None) -> None:
    """List read keys (ids, audiences, state; never secrets)."""
    from waakhond_aggregator.api.auth import read_key_file

    for entry in read_key_file(_keys_file(keys_file)).keys:
        state = f"revoked {entry.revoked_at:%Y-%m-%d}" if entry.revoked_at else "active"
        typer.echo(f"{entry.key_id}  {entry.audience:<12} {state:<20} {entry.label}")

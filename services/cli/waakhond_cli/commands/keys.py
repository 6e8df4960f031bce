"""``waakhond keys``: per-organisation API keys in intake's key registry file.

Without ``--keys-file`` the commands use the file intake itself reads
(``WAAKHOND_INTAKE_API_KEYS_FILE``, default ``/etc/waakhond/api-keys.json``), so a key
created next to a running intake is the key it accepts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Per-organisation API keys for intake.", no_args_is_help=True)

KeysFile = Annotated[
    Path | None,
    typer.Option(
        "--keys-file",
        help="The API key registry file [default: WAAKHOND_INTAKE_API_KEYS_FILE, or "
        "/etc/waakhond/api-keys.json].",
        show_default=False,
    ),
]


def _keys_file(option: Path | None) -> Path:
    if option is not None:
        return option
    from waakhond_intake.core.config import IntakeSettings

    return IntakeSettings().api_keys_file


@contextmanager
def _registry_file(option: Path | None) -> Iterator[Path]:
    """The key file; one that is not a key registry is the --keys-file's fault, not a crash."""
    from pydantic import ValidationError

    path = _keys_file(option)
    try:
        yield path
    except ValidationError as error:
        raise typer.BadParameter(
            f"{path} is not an API key file ({error.error_count()} error(s), first: "
            f"{error.errors(include_url=False)[0]['msg']})",
            param_hint="--keys-file",
        ) from None


@app.callback()
def keys() -> None:
    """Per-organisation API keys for intake."""


@app.command("create")
def create(
    organisation: Annotated[str, typer.Option("--org", help="Organisation id, e.g. mee-zuid.")],
    keys_file: KeysFile = None,
    label: Annotated[str, typer.Option(help="What the key is for.")] = "",
) -> None:
    """Create a key; the key is printed once and only its hash is stored."""
    from waakhond_intake.auth.keys import create_key

    try:
        with _registry_file(keys_file) as path:
            entry, token = create_key(path, organisation, label)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--org") from None
    typer.echo(f"key id: {entry.key_id}", err=True)
    typer.echo(token)


@app.command("revoke")
def revoke(key_id: str, keys_file: KeysFile = None) -> None:
    """Revoke a key; intake stops accepting it within seconds, without a restart."""
    from waakhond_intake.auth.keys import revoke_key

    try:
        with _registry_file(keys_file) as path:
            entry = revoke_key(path, key_id)
    except KeyError:
        typer.echo(f"no key {key_id} in {path}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"revoked {entry.key_id} of {entry.organisation_id} at {entry.revoked_at}")


@app.command("list")
def list_keys(keys_file: KeysFile = None) -> None:
    """List keys (ids, organisations, state; never secrets)."""
    from waakhond_intake.auth.keys import read_key_file

    with _registry_file(keys_file) as path:
        listed = read_key_file(path).keys
    for entry in listed:
        state = f"revoked {entry.revoked_at:%Y-%m-%d}" if entry.revoked_at else "active"
        typer.echo(f"{entry.key_id}  {entry.organisation_id:<24} {state:<20} {entry.label}")

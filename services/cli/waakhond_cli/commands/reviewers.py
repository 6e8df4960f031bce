"""``waakhond reviewers``: local accounts of the review page (``/review`` of the aggregator).

Without ``--accounts-file`` the commands use the file the review page itself reads
(``WAAKHOND_REVIEW_ACCOUNTS_FILE``, default ``/etc/waakhond/review-accounts.json``), so an
account created or disabled next to a running aggregator takes effect at its next request.
Passwords are read from a prompt, or from stdin with ``--password-stdin``; only their
argon2 hash is stored, and ``list`` never prints it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from waakhond_contract.messages import ReviewerRole

app = typer.Typer(help="Local accounts of the review page.", no_args_is_help=True)

AccountsFile = Annotated[
    Path | None,
    typer.Option(
        "--accounts-file",
        help="The reviewer account file [default: WAAKHOND_REVIEW_ACCOUNTS_FILE, or "
        "/etc/waakhond/review-accounts.json].",
        show_default=False,
    ),
]


def _accounts_file(option: Path | None) -> Path:
    if option is not None:
        return option
    from waakhond_aggregator.review.config import ReviewSettings

    return ReviewSettings().accounts_file


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        lines = sys.stdin.read().splitlines()
        return lines[0] if lines else ""
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@app.callback()
def reviewers() -> None:
    """Local accounts of the review page."""


@app.command("create")
def create(
    username: Annotated[str, typer.Option("--username", help="Sign-in name, e.g. j.devries.")],
    role: Annotated[ReviewerRole, typer.Option("--role", help="reviewer or coordinator.")],
    organisations: Annotated[
        list[str] | None,
        typer.Option(
            "--org", help="An organisation the reviewer sees (repeat; required for reviewer)."
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
    accounts_file: AccountsFile = None,
) -> None:
    """Create an account; prints its pseudonymous id (what the audit log and decisions show)."""
    from waakhond_aggregator.review.accounts import AccountError, create_account

    path = _accounts_file(accounts_file)
    if role is ReviewerRole.REVIEWER and not organisations:
        raise _fail("a reviewer needs at least one --org")
    password = _read_password(password_stdin)
    try:
        account = create_account(path, username, password, role, organisations or [])
    except AccountError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write {path}: {error.strerror}") from None
    typer.echo(
        f"created {account.username} ({account.role.value}) as {account.reviewer_id}", err=True
    )
    typer.echo(account.reviewer_id)


@app.command("disable")
def disable(
    username: Annotated[str, typer.Option("--username", help="The account to disable.")],
    accounts_file: AccountsFile = None,
) -> None:
    """Disable an account; it loses access at its next request, without a restart."""
    from waakhond_aggregator.review.accounts import AccountError, disable_account

    path = _accounts_file(accounts_file)
    try:
        account = disable_account(path, username)
    except AccountError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write {path}: {error.strerror}") from None
    typer.echo(f"disabled {account.username} ({account.reviewer_id}) at {account.disabled_at}")


@app.command("list")
def list_accounts(accounts_file: AccountsFile = None) -> None:
    """List accounts: username, pseudonymous id, role, organisations, state (never hashes)."""
    from waakhond_aggregator.review.accounts import AccountError, read_account_file

    path = _accounts_file(accounts_file)
    try:
        accounts = read_account_file(path).accounts
    except AccountError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot read {path}: {error.strerror}") from None
    for account in accounts:
        state = f"disabled {account.disabled_at:%Y-%m-%d}" if account.disabled_at else "active"
        organisations = ",".join(account.organisations) or "(all)"
        typer.echo(
            f"{account.username:<24} {account.reviewer_id}  {account.role.value:<11} "
            f"{state:<20} {organisations}"
        )

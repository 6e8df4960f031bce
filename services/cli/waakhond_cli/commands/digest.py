"""``waakhond digest``: the weekly e-mail to subscribers of a region with the new
significant rises, run weekly from cron or a Kubernetes CronJob."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from waakhond_cli.common import STACK_CHDB

app = typer.Typer(add_completion=False)

EXIT_SEND_FAILED = 1
EXIT_BAD_INPUT = 2


def _bad_input(message: str) -> typer.Exit:
    typer.echo(f"waakhond digest: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


@app.command()
def digest(
    week: Annotated[
        str | None,
        typer.Option(
            help="The Monday (YYYY-MM-DD) of the week to tell about; default: the last "
            "complete ISO week."
        ),
    ] = None,
    subscribers: Annotated[
        Path | None,
        typer.Option(help="The subscriber file; default: WAAKHOND_DIGEST_SUBSCRIBERS_FILE."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the mails instead of sending them.")
    ] = False,
    send_empty: Annotated[
        bool,
        typer.Option(
            "--send-empty", help="Also mail subscribers without new rises (a short notice)."
        ),
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="The embedded stack's --data-dir: read its chDB (stop the stack first). "
            "Without it: the aggregator's ClickHouse settings (WAAKHOND_CLICKHOUSE_*).",
        ),
    ] = None,
) -> None:
    """Mail each subscriber the new significant rises of a week in their regions.

    Exit codes: 0 all sent, 1 a mail could not be sent (the others were), 2 bad input.
    """
    from pydantic import ValidationError

    from waakhond_aggregator.digest.compose import (
        DisclosureError,
        collect,
        compose,
        last_complete_week,
    )
    from waakhond_aggregator.digest.send import send_all
    from waakhond_aggregator.digest.settings import DigestSettings, SmtpSettings
    from waakhond_aggregator.digest.subscriptions import SubscriberError, load_subscribers
    from waakhond_aggregator.storage.client import connect
    from waakhond_runtime.settings import ClickHouseSettings

    try:
        settings = DigestSettings()
        smtp = SmtpSettings()
        clickhouse = ClickHouseSettings()
    except ValidationError as error:
        raise _bad_input(f"settings: {error}") from None

    if week is None:
        monday = last_complete_week(dt.date.today())
    else:
        try:
            monday = dt.date.fromisoformat(week)
        except ValueError:
            raise _bad_input("--week must be a date, YYYY-MM-DD") from None
        if monday.weekday() != 0:
            raise _bad_input(f"--week must be a Monday; {week} is not")
        if monday > last_complete_week(dt.date.today()):
            raise _bad_input(f"--week {week} has not ended yet")

    path = subscribers or settings.subscribers_file
    if path is None:
        raise _bad_input(
            "no subscriber file: set WAAKHOND_DIGEST_SUBSCRIBERS_FILE or --subscribers"
        )
    try:
        listed = load_subscribers(path)
    except SubscriberError as error:
        raise _bad_input(str(error)) from None

    if data_dir is not None:
        folder = (data_dir / STACK_CHDB).resolve()
        if not folder.is_dir():
            raise _bad_input(f"--data-dir: {folder} does not exist")
        clickhouse = ClickHouseSettings(dsn=f"chdb://{folder}", database=clickhouse.database)
    client = connect(clickhouse)
    try:
        digests = collect(client, clickhouse.database, listed, monday, settings.report_base_url)
    except DisclosureError as error:
        typer.echo(f"waakhond digest: {error}", err=True)
        raise typer.Exit(EXIT_SEND_FAILED) from None

    messages = [compose(d, smtp.sender) for d in digests if send_empty or not d.empty]
    quiet = len(digests) - len(messages)
    if dry_run:
        for message in messages:
            typer.echo(message.as_string())
            typer.echo("-" * 72)
        typer.echo(f"dry run: {len(messages)} mail(s), {quiet} without new rises not sent")
        return

    outcome = send_all(messages, smtp)
    typer.echo(
        f"sent {len(outcome.sent)} mail(s); {quiet} subscriber(s) without new rises not mailed"
    )
    if outcome.failed:
        typer.echo(f"{len(outcome.failed)} mail(s) could not be sent:", err=True)
        for recipient, reason in outcome.failed:
            typer.echo(f"  {recipient}: {reason}", err=True)
        raise typer.Exit(EXIT_SEND_FAILED)

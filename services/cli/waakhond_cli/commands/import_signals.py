"""``waakhond import FILE``: signals from a spreadsheet (CSV or XLSX), a report per row.

Two ways, the same checks and the same records:

- ``--url URL`` (or ``WAAKHOND_INTAKE_URL``): an organisation posts the file to intake's
  ``POST /v1/imports`` with its API key (``WAAKHOND_API_KEY``; never an option, so that
  it stays out of the shell history and the process list). The key says which
  organisation it is.
- ``--org ORG``: an operator imports on an organisation's behalf, running intake's own
  import in this process, as ``waakhond keys`` uses intake's key file: the same column
  names, labels, checks and redaction, the same records on ``signals.submitted`` (Kafka
  from the ``WAAKHOND_KAFKA_*`` settings).

Importing a file again counts nothing twice. Exit codes: 0 every row accepted (or valid,
with ``--dry-run``), 1 some row refused or not acknowledged, or intake or Kafka not
reachable, 2 the file refused as a whole or another input mistake.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from waakhond_intake.imports.report import ImportReport

app = typer.Typer(add_completion=False)

EXIT_ROWS_NOT_ACCEPTED = 1
EXIT_BAD_INPUT = 2
API_KEY_VARIABLE = "WAAKHOND_API_KEY"
# The organisation ids intake's keys accept (waakhond_intake.auth.keys).
_ORGANISATION = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_CONNECT_SECONDS = 10.0
_HTTP_TIMEOUT_SECONDS = 600.0


def _refuse(message: str, exit_code: int = EXIT_BAD_INPUT) -> typer.Exit:
    typer.echo(f"waakhond import: {message}", err=True)
    return typer.Exit(exit_code)


def _print_report(report: ImportReport) -> None:
    for result in report.results:
        if result.errors:
            typer.echo(f"rij {result.row}: geweigerd")
            for error in result.errors:
                where = f"{error.column} ({error.field})" if error.column else error.field
                typer.echo(f"    {where}: {error.reason}")
        elif result.status == "unavailable":
            typer.echo(f"rij {result.row}: niet bevestigd door Kafka; importeer opnieuw")
        else:
            word = "geldig" if result.status == "valid" else "geaccepteerd"
            typer.echo(f"rij {result.row}: {word} ({result.signal_id})")
    summary = (
        f"{report.rows} rij(en): {report.accepted} geaccepteerd, {report.refused} geweigerd, "
        f"{report.unavailable} niet bevestigd"
    )
    if report.valid:
        summary += f", {report.valid} geldig (proefimport: niets opgeslagen)"
    typer.echo(summary)


def _in_process(data: bytes, organisation: str, dry_run: bool) -> ImportReport:
    from waakhond_intake.auth.keys import Organisation
    from waakhond_intake.core.config import IntakeSettings
    from waakhond_intake.imports.load import HeaderProblemsError, check_file
    from waakhond_intake.imports.reader import (
        TooManyRowsError,
        UnpackedTooLargeError,
        UnreadableFileError,
    )
    from waakhond_intake.imports.service import submit_rows
    from waakhond_intake.processing.privacy import shared_redactor
    from waakhond_intake.streaming.publisher import ProducerPolicy, SignalPublisher
    from waakhond_runtime.settings import KafkaSettings, TopicSettings

    settings = IntakeSettings()
    if len(data) > settings.max_import_bytes:
        raise _refuse(f"het bestand is groter dan {settings.max_import_bytes} bytes")
    try:
        checked = check_file(data, settings.max_import_rows)
    except TooManyRowsError as error:
        raise _refuse(f"meer dan {error.limit} rijen; splits het bestand") from None
    except UnpackedTooLargeError:
        raise _refuse("het XLSX-bestand pakt uit tot veel te veel gegevens") from None
    except UnreadableFileError as error:
        raise _refuse(error.reason) from None
    except HeaderProblemsError as error:
        for problem in error.problems:
            typer.echo(f"kolom {problem.column}: {problem.reason}", err=True)
        raise _refuse("het bestand is geweigerd; er is niets geïmporteerd") from None

    # deduce prints while it loads its lists: keep stdout for the report.
    with contextlib.redirect_stdout(sys.stderr):
        redactor = shared_redactor()
    publisher = SignalPublisher(
        KafkaSettings(),
        TopicSettings().submitted,
        ProducerPolicy(delivery_timeout_seconds=settings.delivery_timeout_seconds),
    )
    try:
        if not dry_run:
            publisher.start()
            deadline = time.monotonic() + _CONNECT_SECONDS
            while not publisher.connected and time.monotonic() < deadline:
                time.sleep(0.1)
        return asyncio.run(
            submit_rows(
                checked.rows,
                Organisation(organisation, "cli"),
                redactor,
                publisher,
                file_format=checked.format,
                description_column=checked.description_column,
                dry_run=dry_run,
            )
        )
    finally:
        publisher.close()


def _problem_message(status: int, body: bytes) -> str:
    """A problem answer of intake as lines a person reads; never more than it says."""
    try:
        problem: dict[str, Any] = json.loads(body)
    except ValueError:
        return f"intake antwoordde {status}"
    lines = [f"intake antwoordde {status}: {problem.get('title', '')}"]
    if problem.get("detail"):
        lines[0] += f" ({problem['detail']})"
    lines += [f"    {e.get('field')}: {e.get('reason')}" for e in problem.get("errors") or []]
    return "\n".join(lines)


def _over_http(data: bytes, url: str, dry_run: bool) -> ImportReport:
    from waakhond_intake.imports.reader import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, is_xlsx
    from waakhond_intake.imports.report import ImportReport

    key = os.environ.get(API_KEY_VARIABLE, "").strip()
    if not key:
        raise _refuse(f"zet de API-sleutel van de organisatie in {API_KEY_VARIABLE}")
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise typer.BadParameter("een adres als https://intake.example.nl", param_hint="--url")
    endpoint = url.rstrip("/") + "/v1/imports" + ("?dry_run=true" if dry_run else "")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        endpoint,
        data=data,
        method="POST",
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": XLSX_MEDIA_TYPE if is_xlsx(data) else CSV_MEDIA_TYPE,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            return ImportReport.model_validate_json(response.read())
    except urllib.error.HTTPError as error:
        exit_code = EXIT_ROWS_NOT_ACCEPTED if error.code >= 500 else EXIT_BAD_INPUT
        raise _refuse(_problem_message(error.code, error.read()), exit_code) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise _refuse(
            f"intake is niet bereikbaar op {url} ({reason})", EXIT_ROWS_NOT_ACCEPTED
        ) from None


@app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A .csv (UTF-8, comma or semicolon) or .xlsx.")
    ],
    organisation: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="Operators: import in this process for this organisation, e.g. mee-zuid.",
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            envvar="WAAKHOND_INTAKE_URL",
            help=f"Organisations: post to this intake with the key in {API_KEY_VARIABLE}.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and redact only; store nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as POST /v1/imports answers it.")
    ] = False,
) -> None:
    """Import signals from a CSV or XLSX file; a line per row: accepted or why not (Dutch)."""
    if (organisation is None) == (url is None):
        raise typer.BadParameter(
            "geef --org (in dit proces, voor beheerders) of --url (via de API, met de "
            "sleutel van de organisatie), niet beide en niet geen van beide",
            param_hint="--org / --url",
        )
    if organisation is not None and not _ORGANISATION.match(organisation):
        raise typer.BadParameter(
            "2-64 tekens: kleine letters, cijfers en '-', beginnend met een letter of cijfer",
            param_hint="--org",
        )
    try:
        data = file.read_bytes()
    except OSError as error:
        raise _refuse(f"{file} is niet te lezen ({error.strerror or error})") from None
    if url is not None:
        report = _over_http(data, url, dry_run)
    else:
        assert organisation is not None
        report = _in_process(data, organisation, dry_run)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report)
    if report.refused or report.unavailable:
        raise typer.Exit(EXIT_ROWS_NOT_ACCEPTED)

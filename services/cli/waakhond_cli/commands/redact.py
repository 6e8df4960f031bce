"""``waakhond redact``: redact JSON Lines from stdin, through intake's own redactor.

Input: one JSON object per line with a string field ``text`` (other fields are
ignored and never echoed, since they may hold the very details being removed).

Output: exactly one line per input line, in order::

    {"text": "<redacted>", "redactions": [{"kind": "bsn", "count": 1}]}

A line that is not valid UTF-8, not valid JSON, not an object, or has no string
``text`` produces an error line instead, so output line N still answers input
line N::

    {"error": "invalid JSON (line 3, column 7)", "line": 3}

The same message goes to stderr, processing continues, and the exit code is 1
when any line was rejected (0 otherwise). Blank lines are skipped without
output. Error messages never quote the input.

stdout carries only these JSON lines: anything else that writes to stdout
while the command runs (deduce's build messages, stray prints) is sent to
stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterable
from typing import IO, Any

import typer

from waakhond_intake.processing.privacy.redactor import RedactionResult, Redactor, shared_redactor

app = typer.Typer(add_completion=False)


def result_line(result: RedactionResult) -> dict[str, Any]:
    """The JSON object ``waakhond redact`` writes for one redacted text."""
    return {
        "text": result.text,
        "redactions": [
            {"kind": kind.value, "count": count} for kind, count in result.counts().items()
        ],
    }


def _parse(raw: bytes, line_number: int) -> str:
    """The ``text`` of one input line; ValueError with a message that quotes nothing."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"line is not valid UTF-8 (byte {error.start + 1})") from None
    try:
        payload = json.loads(decoded)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON (line {line_number}, column {error.colno})") from None
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    text = payload.get("text")
    if not isinstance(text, str):
        raise ValueError('field "text" is missing or not a string')
    return text


def redact_lines(lines: Iterable[bytes], out: IO[str], err: IO[str], redactor: Redactor) -> int:
    """Redact each JSON line of ``lines`` to ``out``; returns the number of rejected lines."""
    rejected = 0
    for line_number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            text = _parse(raw, line_number)
        except ValueError as error:
            rejected += 1
            print(f"waakhond redact: line {line_number}: {error}", file=err)
            record: dict[str, Any] = {"error": str(error), "line": line_number}
        else:
            record = result_line(redactor.redact(text))
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return rejected


@app.command("redact")
def redact_command() -> None:
    """Redact identifying details from JSON Lines {"text": ...} on stdin (see PRIVACY.md)."""
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper):
        # Redacted Dutch text is written unescaped; never in the locale's encoding.
        out.reconfigure(encoding="utf-8")
    with contextlib.redirect_stdout(sys.stderr):
        redactor = shared_redactor()
        rejected = redact_lines(sys.stdin.buffer, out, sys.stderr, redactor)
    if rejected:
        raise typer.Exit(code=1)

"""``waakhond redact``: JSON Lines in, JSON Lines out, stdout kept clean."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import pytest

from waakhond_cli.commands.redact import redact_lines
from waakhond_intake.processing.privacy import Redactor, shared_redactor
from waakhond_intake.processing.privacy.compact_lookup import load_compact_cache
from waakhond_intake.processing.privacy.deduce_adapter import compact_cache_file, lookup_cache_file


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return shared_redactor()


def run(redactor: Redactor, *lines: bytes) -> tuple[list[dict[str, object]], str, int]:
    out, err = io.StringIO(), io.StringIO()
    rejected = redact_lines(lines, out, err, redactor)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), rejected


def test_one_output_line_per_input_in_order(redactor: Redactor) -> None:
    records, err, rejected = run(
        redactor,
        b'{"text": "Mevrouw Jansen belde vanaf 06-12345678."}\n',
        b'{"text": "Geen beschikking binnen 8 weken."}\n',
        b'{"text": "BSN 123456782 en nog eens bsn 111.222.333", "id": "x"}',
    )
    assert records == [
        {
            "text": "Mevrouw [NAAM] belde vanaf [TELEFOON].",
            "redactions": [{"kind": "name", "count": 1}, {"kind": "phone", "count": 1}],
        },
        {"text": "Geen beschikking binnen 8 weken.", "redactions": []},
        {"text": "BSN [BSN] en nog eens bsn [BSN]", "redactions": [{"kind": "bsn", "count": 2}]},
    ]
    assert (err, rejected) == ("", 0)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param(b'{"text": "Jansen', "invalid JSON (line 1, column 10)", id="truncated"),
        pytest.param(b"niet eens json", "invalid JSON (line 1, column 1)", id="not-json"),
        pytest.param(b'["Jansen"]', "expected a JSON object, got list", id="array"),
        pytest.param(b'{"tekst": "Jansen"}', 'field "text" is missing or not a string', id="key"),
        pytest.param(b'{"text": 123456782}', 'field "text" is missing or not a string', id="int"),
        pytest.param(b'{"text": "Jans\xe9n"}', "line is not valid UTF-8 (byte 15)", id="latin-1"),
    ],
)
def test_malformed_line_gives_error_line_and_continues(
    redactor: Redactor, line: bytes, message: str
) -> None:
    records, err, rejected = run(redactor, line, b'{"text": "Kees Mulder wacht."}')
    assert records == [
        {"error": message, "line": 1},
        {"text": "[NAAM] wacht.", "redactions": [{"kind": "name", "count": 1}]},
    ]
    assert err == f"waakhond redact: line 1: {message}\n"
    assert rejected == 1
    # the rejected input is never echoed, it may hold the details being removed
    assert "Jans" not in err
    assert "123456782" not in err


def test_blank_lines_are_skipped(redactor: Redactor) -> None:
    records, _, rejected = run(redactor, b"\n", b'{"text": "Zwolle"}\n', b"   \n")
    assert records == [{"text": "Zwolle", "redactions": []}]
    assert rejected == 0


def test_output_is_unescaped_utf8(redactor: Redactor) -> None:
    out, err = io.StringIO(), io.StringIO()
    redact_lines(['{"text": "cliënt in Düsseldorf"}'.encode()], out, err, redactor)
    assert out.getvalue() == '{"text": "cliënt in Düsseldorf", "redactions": []}\n'


def test_command_keeps_stdout_to_json_lines() -> None:
    """The real entry point in a fresh process: deduce's start-up output stays off stdout."""
    app = textwrap.dedent(
        """
        import typer
        from waakhond_cli.commands.redact import redact_command

        app = typer.Typer()
        app.command("redact")(redact_command)
        app.command("other")(lambda: None)
        app()
        """
    )
    stdin = (
        '{"text": "Dhr. Van den Heuvel, Kerkstraat 12, 1234 AB Zwolle, tel. 06-12345678."}\n'
        "kapot\n"
        '{"text": "IBAN NL91ABNA0417164300"}\n'
    )
    completed = subprocess.run(
        [sys.executable, "-c", app, "redact"],
        input=stdin.encode(),
        capture_output=True,
        check=False,
        timeout=240,
    )
    lines = completed.stdout.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "text": "Dhr. [NAAM], [ADRES], [POSTCODE] Zwolle, tel. [TELEFOON].",
            "redactions": [
                {"kind": "name", "count": 1},
                {"kind": "phone", "count": 1},
                {"kind": "address", "count": 1},
                {"kind": "postcode", "count": 1},
            ],
        },
        {"error": "invalid JSON (line 2, column 1)", "line": 2},
        {"text": "IBAN [IBAN]", "redactions": [{"kind": "iban", "count": 1}]},
    ]
    assert "line 2: invalid JSON" in completed.stderr.decode()
    assert completed.returncode == 1


def test_warmup_left_a_deduce_cache_and_a_compact_one() -> None:
    # make venv runs the warm-up; without it the first Redactor takes two minutes
    cache = lookup_cache_file()
    assert cache.is_file()
    assert cache.stat().st_size > 10_000_000
    # ... and intake would hold deduce's full structures while converting them
    compact = load_compact_cache(compact_cache_file())
    assert compact is not None
    assert len(compact["street"]) > 100_000

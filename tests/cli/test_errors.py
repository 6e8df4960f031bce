"""A user's mistake on any `waakhond` command ends in a message and a non-zero exit code,
never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from waakhond_cli.errors import EXIT_UNREACHABLE, explain
from waakhond_cli.main import app

runner = CliRunner()


def corrupt_key_file(folder: Path) -> Path:
    path = folder / "keys.json"
    path.write_text("{not json")
    return path


def import_file(folder: Path, content: bytes, name: str = "signalen.csv") -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


CASES = [
    pytest.param(
        lambda d: ["keys", "create", "--org", "Bad Org", "--keys-file", str(d / "k.json")],
        {},
        2,
        "Invalid value for --org",
        id="keys-create-bad-org",
    ),
    pytest.param(
        lambda d: ["keys", "create", "--org", "mee-zuid", "--keys-file", str(d)],
        {},
        2,
        "Is a directory",
        id="keys-file-is-a-folder",
    ),
    pytest.param(
        lambda d: ["keys", "create", "--org", "mee-zuid", "--keys-file", "/proc/none/k.json"],
        {},
        2,
        "No such file or directory: /proc/none",
        id="keys-file-folder-cannot-be-made",
    ),
    pytest.param(
        lambda d: ["keys", "list", "--keys-file", str(corrupt_key_file(d))],
        {},
        2,
        "is not an API key file",
        id="keys-list-corrupt-file",
    ),
    pytest.param(
        lambda d: ["keys", "revoke", "abc", "--keys-file", str(corrupt_key_file(d))],
        {},
        2,
        "is not an API key file",
        id="keys-revoke-corrupt-file",
    ),
    pytest.param(
        lambda d: ["keys", "list"],
        {"WAAKHOND_INTAKE_PORT": "eighty"},
        2,
        "invalid setting: WAAKHOND_INTAKE_PORT",
        id="keys-bad-setting-in-environment",
    ),
    pytest.param(
        lambda d: ["intake"],
        {"WAAKHOND_INTAKE_MAX_BATCH_ITEMS": "5000"},
        2,
        "invalid setting: WAAKHOND_INTAKE_MAX_BATCH_ITEMS",
        id="intake-bad-setting",
    ),
    pytest.param(
        lambda d: ["migrate", "--status"],
        {"WAAKHOND_CLICKHOUSE_DSN": "clickhouse.example"},
        2,
        "unsupported ClickHouse DSN scheme",
        id="migrate-bad-dsn",
    ),
    pytest.param(
        lambda d: ["migrate", "--status"],
        {"WAAKHOND_CLICKHOUSE_DSN": "http://127.0.0.1:1"},
        EXIT_UNREACHABLE,
        "ClickHouse is not reachable",
        id="migrate-clickhouse-not-running",
    ),
    pytest.param(
        lambda d: ["report", "--period", "2026", "--output", str(d / "r.pdf"), "--format", "doc"],
        {},
        2,
        "Invalid value for --format",
        id="report-bad-format",
    ),
    pytest.param(
        lambda d: ["import", str(d / "missing.csv"), "--org", "mee-zuid"],
        {},
        2,
        "is niet te lezen",
        id="import-missing-file",
    ),
    pytest.param(
        lambda d: ["import", str(import_file(d, b"a,b\n1,2\n")), "--org", "Mee Zuid"],
        {},
        2,
        "Invalid value for --org",
        id="import-bad-org",
    ),
    pytest.param(
        lambda d: ["import", str(import_file(d, b"naam,datum\nx,y\n")), "--org", "mee-zuid"],
        {},
        2,
        "kolom naam: onbekende kolom",
        id="import-unknown-column",
    ),
    pytest.param(
        lambda d: ["import", str(import_file(d, b"a\n1\n")), "--org", "ab", "--url", "http://x"],
        {},
        2,
        "geef --org",
        id="import-both-org-and-url",
    ),
    pytest.param(
        lambda d: ["import", str(import_file(d, b"a\n1\n"))],
        {},
        2,
        "geef --org",
        id="import-neither-org-nor-url",
    ),
    pytest.param(
        lambda d: ["import", str(import_file(d, b"a\n1\n")), "--url", "http://127.0.0.1:1"],
        {"WAAKHOND_API_KEY": "wk.0123456789abcdef." + "A" * 43},
        1,
        "intake is niet bereikbaar op http://127.0.0.1:1",
        id="import-intake-not-running",
    ),
    pytest.param(
        lambda d: ["import", str(import_file(d, b"a\n1\n")), "--url", "http://127.0.0.1:1"],
        {"WAAKHOND_API_KEY": ""},
        2,
        "zet de API-sleutel van de organisatie in WAAKHOND_API_KEY",
        id="import-over-http-without-key",
    ),
    pytest.param(
        lambda d: ["import", str(import_file(d, b"PK\x03\x04broken", "s.xlsx")), "--org", "ab"],
        {},
        2,
        "geen leesbaar XLSX-bestand",
        id="import-broken-xlsx",
    ),
]


@pytest.mark.parametrize(("arguments", "environment", "exit_code", "message"), CASES)
def test_a_mistake_is_a_message_and_an_exit_code(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arguments: object,
    environment: dict[str, str],
    exit_code: int,
    message: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, arguments(tmp_path))  # type: ignore[operator]
    assert result.exit_code == exit_code, result.output
    # The command ended by exiting, not by an exception escaping it.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "waakhond_cli", "keys", "create", "--org", "Bad Org"],
        capture_output=True,
        text=True,
        env={"WAAKHOND_INTAKE_API_KEYS_FILE": str(tmp_path / "k.json"), "PATH": ""},
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "Invalid value for --org" in run.stderr


def test_a_fault_of_ours_keeps_its_traceback() -> None:
    assert explain(KeyError("x")) is None
    assert explain(AttributeError("x")) is None


def test_an_unreachable_broker_is_explained() -> None:
    from kafka.errors import KafkaTimeoutError

    explained = explain(KafkaTimeoutError("Unable to bootstrap from ['127.0.0.1:1']"))
    assert explained is not None
    assert explained.exit_code == EXIT_UNREACHABLE
    assert explained.message.startswith("Kafka is not reachable")

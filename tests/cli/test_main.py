"""The `waakhond` command's registry: every command resolves, tooling commands say where they
are when the tooling is missing, and keys default to the file intake reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

import waakhond_cli.main as cli
from waakhond_intake.auth.keys import KeyRegistry

runner = CliRunner()


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_registered_command_resolves_and_has_help(name: str) -> None:
    result = runner.invoke(cli.app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_root_help_lists_the_registry() -> None:
    result = runner.invoke(cli.app, ["--help"])
    assert result.exit_code == 0
    for name, entry in cli.COMMANDS.items():
        assert name in result.output
        assert entry.help.split()[0] in result.output


def test_without_the_tooling_its_commands_are_not_listed_and_explain_themselves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "tools_installed", lambda: False)
    group = get_command(cli.app)
    listed = set(group.list_commands(None))  # type: ignore[attr-defined]
    assert listed == {name for name, entry in cli.COMMANDS.items() if not entry.tool}

    result = runner.invoke(cli.app, ["bench", "pipeline", "--signals", "5"])
    assert result.exit_code == 2
    assert "development tools" in result.output
    assert "waakhond bench" in result.output
    assert runner.invoke(cli.app, ["keys", "--help"]).exit_code == 0


def test_keys_default_to_the_file_intake_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "etc" / "api-keys.json"
    monkeypatch.setenv("WAAKHOND_INTAKE_API_KEYS_FILE", str(keys))
    created = runner.invoke(cli.app, ["keys", "create", "--org", "mee-zuid"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    organisation = KeyRegistry(keys, recheck_seconds=0).authenticate(token)
    assert organisation is not None
    assert organisation.organisation_id == "mee-zuid"


def test_every_command_the_deployments_run_is_in_the_images() -> None:
    """The images, compose and Kubernetes run `waakhond ...` in the service images, which have
    no tooling."""
    import re

    root = Path(__file__).resolve().parents[2]
    files = [
        root / "Dockerfile",
        root / "docker-compose.yml",
        *sorted((root / "deploy" / "k8s").rglob("*.yaml")),
    ]
    used = {
        match
        for path in files
        for match in re.findall(r'\["waakhond",\s*"([\w-]+)"', path.read_text(encoding="utf-8"))
    }
    assert used >= {"intake", "classifier", "aggregator", "topics", "migrate"}
    for name in used:
        assert name in cli.COMMANDS, name
        assert not cli.COMMANDS[name].tool, f"{name} is a tooling command"


def test_migrate_status_says_what_is_pending_until_migrated(tmp_path: Path) -> None:
    """`waakhond migrate --status` changes nothing and exits 1 until `waakhond migrate` ran."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "WAAKHOND_CLICKHOUSE_DSN": f"chdb://{tmp_path / 'chdb'}"}

    def waakhond(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "waakhond_cli", *arguments],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    before = waakhond("migrate", "--status")
    assert before.returncode == 1, before.stderr
    assert "pending  0001_signals_and_trends" in before.stdout
    assert "lock     free" in before.stdout
    assert waakhond("migrate", "--status").returncode == 1  # still nothing applied
    assert waakhond("migrate").returncode == 0
    after = waakhond("migrate", "--status")
    assert after.returncode == 0, after.stdout + after.stderr
    assert "applied  0001_signals_and_trends" in after.stdout
    assert "pending  " not in after.stdout
    assert after.stdout.rstrip().endswith(", 0 pending")

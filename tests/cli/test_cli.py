from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from waakhond_cli.main import app
from waakhond_intake.auth.keys import KeyRegistry

runner = CliRunner()
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_keys_lifecycle_through_the_command(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    created = runner.invoke(app, ["keys", "create", "--org", "mee-noord", "--keys-file", str(keys)])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    registry = KeyRegistry(keys, recheck_seconds=0)
    organisation = registry.authenticate(token)
    assert organisation is not None
    assert organisation.organisation_id == "mee-noord"

    listed = runner.invoke(app, ["keys", "list", "--keys-file", str(keys)])
    assert organisation.key_id in listed.stdout
    assert token.split(".")[2] not in listed.stdout + keys.read_text()

    revoked = runner.invoke(app, ["keys", "revoke", organisation.key_id, "--keys-file", str(keys)])
    assert revoked.exit_code == 0
    assert registry.authenticate(token) is None
    unknown = runner.invoke(app, ["keys", "revoke", "f" * 16, "--keys-file", str(keys)])
    assert unknown.exit_code == 1


def test_schema_check_passes_on_the_committed_files_and_fails_on_drift(tmp_path: Path) -> None:
    assert runner.invoke(app, ["schemas", "check", "--folder", str(SCHEMAS)]).exit_code == 0
    for path in SCHEMAS.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text().replace("municipality", "gemeente"))
    assert runner.invoke(app, ["schemas", "check", "--folder", str(tmp_path)]).exit_code == 1

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from waakhond_intake.auth.keys import KeyRegistry, create_key, read_key_file, revoke_key


def test_only_the_hash_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    entry, token = create_key(path, "mee-noord", "test")
    text = path.read_text()
    secret = token.split(".")[2]
    assert secret not in text
    assert json.loads(text)["keys"][0]["secret_sha256"] == entry.secret_sha256
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_authenticates_its_own_organisation(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    _, north = create_key(path, "mee-noord")
    _, west = create_key(path, "zorgbelang-west")
    registry = KeyRegistry(path)
    assert registry.authenticate(north).organisation_id == "mee-noord"  # type: ignore[union-attr]
    assert registry.authenticate(west).organisation_id == "zorgbelang-west"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="wrong-secret"),
        pytest.param(lambda t: t.replace("wk.", "xx."), id="wrong-prefix"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: t + "extra", id="trailing"),
    ],
)
def test_altered_tokens_are_refused(tmp_path: Path, mangle: object) -> None:
    path = tmp_path / "keys.json"
    _, token = create_key(path, "mee-noord")
    assert KeyRegistry(path).authenticate(mangle(token)) is None  # type: ignore[operator]


def test_rotation_and_revocation_take_effect_without_restart(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    old_entry, old = create_key(path, "mee-noord")
    registry = KeyRegistry(path, recheck_seconds=0)
    assert registry.authenticate(old) is not None

    _, new = create_key(path, "mee-noord", "rotated")
    assert registry.authenticate(new) is not None  # both valid during the switch
    assert registry.authenticate(old) is not None

    revoke_key(path, old_entry.key_id)
    assert registry.authenticate(old) is None
    assert registry.authenticate(new) is not None
    assert read_key_file(path).keys[0].revoked_at is not None


def test_invalid_organisation_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="organisation id"):
        create_key(tmp_path / "keys.json", "Bad Name!")


def test_revoking_an_unknown_key_fails(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    create_key(path, "mee-noord")
    with pytest.raises(KeyError):
        revoke_key(path, "0" * 16)

"""The credential files' shared pieces: atomic private writes, files re-read when they
change, and bearer keys checked against stored hashes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from waakhond_runtime.keyfiles import BearerKeys, WatchedFile, write_private_file


def test_a_private_file_is_replaced_whole_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "keys.json"
    write_private_file(path, "first")
    write_private_file(path, "second")
    assert path.read_text() == "second"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["keys.json"]  # no temporary left


def test_a_watched_file_is_read_again_once_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "value.txt"
    path.write_text("1")
    reads: list[str] = []

    def load(p: Path) -> str:
        reads.append(p.read_text())
        return reads[-1]

    watched = WatchedFile(path, load, recheck_seconds=0)
    assert watched.current() == "1"
    assert watched.current() == "1"
    assert reads == ["1"]  # unchanged: not read again
    path.write_text("22")
    assert watched.current() == "22"
    path.unlink()
    with pytest.raises(FileNotFoundError):
        watched.current()


def test_a_failed_reload_keeps_the_last_value_when_the_handler_says_so(tmp_path: Path) -> None:
    path = tmp_path / "number.txt"
    path.write_text("7")
    errors: list[Exception] = []
    watched = WatchedFile(path, lambda p: int(p.read_text()), 0, errors.append)
    path.write_text("seven")
    assert watched.current() == 7
    assert len(errors) == 1
    assert isinstance(errors[0], ValueError)


def test_a_watched_file_is_not_checked_within_the_recheck_time(tmp_path: Path) -> None:
    path = tmp_path / "value.txt"
    path.write_text("old")
    watched = WatchedFile(path, Path.read_text, recheck_seconds=3600)
    assert watched.current() == "old"
    path.write_text("new")
    os.utime(path, ns=(1, 1))
    assert watched.current() == "old"


@pytest.mark.parametrize(
    ("token", "known", "accepted"),
    [
        pytest.param("right", True, True, id="valid"),
        pytest.param("right", False, False, id="unknown-or-revoked-id"),
        pytest.param("wrong-secret", True, False, id="wrong-secret"),
        pytest.param("other-prefix", True, False, id="other-kind-of-key"),
        pytest.param("malformed", True, False, id="malformed"),
    ],
)
def test_bearer_keys(token: str, known: bool, accepted: bool) -> None:
    keys = BearerKeys("wt")
    new = keys.new()
    tokens = {
        "right": new.token,
        "wrong-secret": new.token[:-4] + ("AAAA" if not new.token.endswith("AAAA") else "BBBB"),
        "other-prefix": "wx" + new.token[2:],
        "malformed": f"wt.{new.key_id}.short",
    }
    stored = {new.key_id: new.secret_sha256} if known else {}
    expected = new.key_id if accepted else None
    assert keys.verify(tokens[token], stored.get) == expected
    assert new.secret_sha256 not in new.token

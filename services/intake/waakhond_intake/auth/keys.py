"""API keys: ``wk.<key_id>.<secret>``, stored as SHA-256 of the secret, never in plain.

The key id finds the entry; the secret's hash is compared in constant time.
Secrets are 256 random bits, so a fast hash is the right tool (a slow password
hash would only add latency). An organisation may hold several active keys at
once, which is how keys rotate without downtime: create the new key, switch
the client, revoke the old key. The registry file is re-read when it changes,
so none of this needs a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

TOKEN_PREFIX = "wk"  # noqa: S105 - a public prefix, not a secret
_TOKEN = re.compile(r"^wk\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$")
_ORGANISATION = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


class StoredKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    organisation_id: str = Field(pattern=_ORGANISATION.pattern)
    secret_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    label: str = ""
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class KeyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    keys: list[StoredKey] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Organisation:
    organisation_id: str
    key_id: str


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def read_key_file(path: Path) -> KeyFile:
    if not path.exists():
        return KeyFile()
    return KeyFile.model_validate_json(path.read_bytes())


def write_key_file(path: Path, key_file: KeyFile) -> None:
    """Atomic replace, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(key_file.model_dump_json(indent=2))
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def create_key(path: Path, organisation_id: str, label: str = "") -> tuple[StoredKey, str]:
    """Add a key for an organisation; returns the stored entry and the token (shown once)."""
    if not _ORGANISATION.match(organisation_id):
        raise ValueError(
            "organisation id must be 2-64 characters of a-z, 0-9 and '-', starting alphanumeric"
        )
    key_file = read_key_file(path)
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    entry = StoredKey(
        key_id=key_id,
        organisation_id=organisation_id,
        secret_sha256=_hash_secret(secret),
        label=label,
        created_at=dt.datetime.now(dt.UTC),
    )
    key_file.keys.append(entry)
    write_key_file(path, key_file)
    return entry, f"{TOKEN_PREFIX}.{key_id}.{secret}"


def revoke_key(path: Path, key_id: str) -> StoredKey:
    key_file = read_key_file(path)
    for index, entry in enumerate(key_file.keys):
        if entry.key_id == key_id:
            if entry.revoked_at is None:
                entry = entry.model_copy(update={"revoked_at": dt.datetime.now(dt.UTC)})
                key_file.keys[index] = entry
                write_key_file(path, key_file)
            return entry
    raise KeyError(key_id)


class KeyRegistry:
    """Authenticates bearer tokens against the key file, re-reading it when it changes."""

    def __init__(self, path: Path, recheck_seconds: float = 2.0) -> None:
        self._path = path
        self._recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._active: dict[str, StoredKey] = {}
        self._signature: tuple[int, int] | None = None
        self._checked_at = 0.0
        self._reload(force=True)

    def _file_signature(self) -> tuple[int, int] | None:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def _reload(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked_at < self._recheck_seconds:
            return
        with self._lock:
            self._checked_at = now
            signature = self._file_signature()
            if not force and signature == self._signature:
                return
            key_file = read_key_file(self._path)
            self._active = {k.key_id: k for k in key_file.keys if k.revoked_at is None}
            self._signature = signature

    @property
    def active_key_count(self) -> int:
        return len(self._active)

    def authenticate(self, token: str) -> Organisation | None:
        self._reload()
        match = _TOKEN.match(token)
        if match is None:
            return None
        key_id, secret = match.groups()
        entry = self._active.get(key_id)
        # Hash even for unknown ids so timing does not tell whether an id exists.
        presented = _hash_secret(secret)
        expected = entry.secret_sha256 if entry else "0" * 64
        if not hmac.compare_digest(presented, expected) or entry is None:
            return None
        return Organisation(organisation_id=entry.organisation_id, key_id=key_id)

"""API keys: ``wk.<key_id>.<secret>``, stored as SHA-256 of the secret, never in plain.

The key id finds the entry; the secret's hash is compared in constant time
(``waakhond_runtime.keyfiles``). An organisation may hold several active keys at
once, which is how keys rotate without downtime: create the new key, switch
the client, revoke the old key. The registry file is re-read when it changes,
so none of this needs a restart.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from waakhond_runtime.keyfiles import BearerKeys, KeysFile, KeyStore, NewKey, StoredKeyBase

TOKEN_PREFIX = "wk"  # noqa: S105 - a public prefix, not a secret
_ORGANISATION = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


class StoredKey(StoredKeyBase):
    organisation_id: str = Field(pattern=_ORGANISATION.pattern)


STORE = KeyStore(StoredKey, BearerKeys(TOKEN_PREFIX))


@dataclass(frozen=True, slots=True)
class Organisation:
    organisation_id: str
    key_id: str


def read_key_file(path: Path) -> KeysFile[StoredKey]:
    return STORE.read(path)


def create_key(path: Path, organisation_id: str, label: str = "") -> tuple[StoredKey, str]:
    """Add a key for an organisation; returns the stored entry and the token (shown once)."""
    if not _ORGANISATION.match(organisation_id):
        raise ValueError(
            "organisation id must be 2-64 characters of a-z, 0-9 and '-', starting alphanumeric"
        )

    def entry(new: NewKey, now: dt.datetime) -> StoredKey:
        return StoredKey(
            key_id=new.key_id,
            organisation_id=organisation_id,
            secret_sha256=new.secret_sha256,
            label=label,
            created_at=now,
        )

    return STORE.add(path, entry)


def revoke_key(path: Path, key_id: str) -> StoredKey:
    return STORE.revoke(path, key_id)


class KeyRegistry:
    """Authenticates bearer tokens against the key file, re-reading it when it changes."""

    def __init__(self, path: Path, recheck_seconds: float = 2.0) -> None:
        self._keys = STORE.registry(path, recheck_seconds)

    @property
    def active_key_count(self) -> int:
        return self._keys.active_key_count

    def authenticate(self, token: str) -> Organisation | None:
        entry = self._keys.authenticate(token)
        if entry is None:
            return None
        return Organisation(organisation_id=entry.organisation_id, key_id=entry.key_id)

"""Credentials kept in small JSON files that a CLI writes and a running service reads:
intake's API keys, the trends API's read keys and the review page's accounts.

- ``write_private_file``: an atomic replace, readable by the owner only, so a service never
  reads half a file and nobody else reads hashes;
- ``WatchedFile``: the parsed file, read again when it changed (modification time and
  size), at most every ``recheck_seconds``, so creating, revoking or disabling needs no
  restart;
- bearer keys ``<prefix>.<key_id>.<secret>``: the file keeps the SHA-256 of the secret,
  never the secret. Secrets are 256 random bits, so a fast hash is the right tool (a slow
  password hash would only add latency); the comparison takes the same time whether or not
  the key id exists.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

KEY_ID_PATTERN = r"^[0-9a-f]{16}$"
SECRET_SHA256_PATTERN = r"^[0-9a-f]{64}$"  # noqa: S105 - a pattern, not a secret
_NO_KEY = "0" * 64


def write_private_file(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class WatchedFile(Generic[T]):
    """``load(path)`` of a file, loaded again once it changed; checked at most every
    ``recheck_seconds`` (0: at every ``current()``, one ``stat``). ``on_error`` decides what
    a failed reload does: by default it raises; a handler that returns keeps what was last
    loaded."""

    def __init__(
        self,
        path: Path,
        load: Callable[[Path], T],
        recheck_seconds: float = 2.0,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._path = path
        self._load = load
        self._recheck_seconds = recheck_seconds
        self._on_error = on_error
        self._lock = threading.Lock()
        self._signature: tuple[int, int] | None = None
        self._checked_at = 0.0
        self._value = load(path)
        self._signature = self._file_signature()

    def _file_signature(self) -> tuple[int, int] | None:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def current(self) -> T:
        now = time.monotonic()
        if now - self._checked_at < self._recheck_seconds:
            return self._value
        with self._lock:
            self._checked_at = now
            signature = self._file_signature()
            if signature != self._signature:
                try:
                    self._value = self._load(self._path)
                except Exception as error:
                    if self._on_error is None:
                        raise
                    self._on_error(error)
                self._signature = signature
        return self._value


@dataclass(frozen=True, slots=True)
class NewKey:
    key_id: str
    secret_sha256: str
    token: str  # shown once, never stored


class BearerKeys:
    """The token format of one kind of key: ``<prefix>.<16 hex>.<43 url-safe characters>``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._token = re.compile(rf"^{re.escape(prefix)}\.([0-9a-f]{{16}})\.([A-Za-z0-9_-]{{43}})$")

    def new(self) -> NewKey:
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        return NewKey(key_id, _sha256(secret), f"{self.prefix}.{key_id}.{secret}")

    def verify(self, token: str, stored_sha256: Callable[[str], str | None]) -> str | None:
        """The key id of ``token`` when its secret matches the hash ``stored_sha256(key_id)``
        gives (None for an unknown or revoked id); None otherwise."""
        match = self._token.match(token)
        if match is None:
            return None
        key_id, secret = match.groups()
        expected = stored_sha256(key_id)
        # Hash even for unknown ids so timing does not tell whether an id exists.
        if not hmac.compare_digest(_sha256(secret), expected or _NO_KEY) or expected is None:
            return None
        return key_id


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class StoredKeyBase(BaseModel):
    """One key in a keys file; a kind of key adds whom it belongs to."""

    model_config = ConfigDict(extra="forbid")

    key_id: str = Field(pattern=KEY_ID_PATTERN)
    secret_sha256: str = Field(pattern=SECRET_SHA256_PATTERN)
    label: str = ""
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


K = TypeVar("K", bound=StoredKeyBase)


class KeysFile(BaseModel, Generic[K]):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    keys: list[K] = Field(default_factory=list)


class KeyStore(Generic[K]):
    """A keys file of one kind of key: ``entry`` is the model of its entries, ``tokens`` the
    token format. The CLI adds and revokes; a service authenticates (``registry``)."""

    def __init__(self, entry: type[K], tokens: BearerKeys) -> None:
        self._file_type = KeysFile[entry]  # type: ignore[valid-type]
        self.tokens = tokens

    def read(self, path: Path) -> KeysFile[K]:
        if not path.exists():
            return self._file_type()
        return self._file_type.model_validate_json(path.read_bytes())

    def write(self, path: Path, keys: KeysFile[K]) -> None:
        write_private_file(path, keys.model_dump_json(indent=2))

    def add(self, path: Path, make: Callable[[NewKey, dt.datetime], K]) -> tuple[K, str]:
        """Add the entry ``make`` builds for a new key; returns it and the token (shown once)."""
        keys = self.read(path)
        new = self.tokens.new()
        entry = make(new, dt.datetime.now(dt.UTC))
        keys.keys.append(entry)
        self.write(path, keys)
        return entry, new.token

    def revoke(self, path: Path, key_id: str) -> K:
        keys = self.read(path)
        for index, entry in enumerate(keys.keys):
            if entry.key_id == key_id:
                if entry.revoked_at is None:
                    entry = entry.model_copy(update={"revoked_at": dt.datetime.now(dt.UTC)})
                    keys.keys[index] = entry
                    self.write(path, keys)
                return entry
        raise KeyError(key_id)

    def registry(self, path: Path, recheck_seconds: float = 2.0) -> KeyRegistry[K]:
        return KeyRegistry(self, path, recheck_seconds)


class KeyRegistry(Generic[K]):
    """Authenticates bearer tokens against a keys file, re-reading it when it changes."""

    def __init__(self, store: KeyStore[K], path: Path, recheck_seconds: float) -> None:
        self._tokens = store.tokens
        self._active = WatchedFile(
            path,
            lambda p: {k.key_id: k for k in store.read(p).keys if k.revoked_at is None},
            recheck_seconds,
        )

    @property
    def active_key_count(self) -> int:
        return len(self._active.current())

    def authenticate(self, token: str) -> K | None:
        """The active entry ``token`` is a key of, or None."""
        active = self._active.current()

        def stored(key_id: str) -> str | None:
            entry = active.get(key_id)
            return entry.secret_sha256 if entry else None

        key_id = self._tokens.verify(token, stored)
        return None if key_id is None else active[key_id]

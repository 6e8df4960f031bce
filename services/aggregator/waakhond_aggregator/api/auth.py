"""Read keys for the trends API: one or more per audience, hashed like intake's API keys.

A read key is ``wr.<key_id>.<secret>`` (``wr``: read, so an intake key ``wk.…`` is never
mistaken for one); the keys file stores the SHA-256 of the secret, never the secret.
Secrets are 256 random bits, so a fast hash is the right tool. The file is re-read when
it changes, so creating or revoking a key needs no restart.

Without a keys file (``WAAKHOND_AGGREGATOR_READ_KEYS_FILE`` unset) the API stays open:
that is the embedded default (``waakhond stack``), where the API listens on 127.0.0.1
only. With a keys file every ``/v1`` route asks for ``Authorization: Bearer wr.…`` and
answers 401 (problem details) without a valid key. Health, readiness and metrics stay
open; they carry no signal figures.

Token format, hashing and the re-read file are the runtime's (``waakhond_runtime.keyfiles``),
shared with intake's API keys.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from waakhond_runtime.keyfiles import BearerKeys, KeysFile, KeyStore, NewKey, StoredKeyBase

TOKEN_PREFIX = "wr"  # noqa: S105 - a public prefix, not a secret
UNAUTHORIZED_DETAIL = "A valid read key is required (Authorization: Bearer wr.<id>.<secret>)."


class Audience(StrEnum):
    """Who reads the trends; the same three as the Grafana folders."""

    NATIONAL = "national"  # the ministry (VWS)
    ASSOCIATION = "association"  # associations bundling field signals
    REGIONAL = "regional"  # regional coordinators


class ReadKeySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAAKHOND_AGGREGATOR_", frozen=True)

    read_keys_file: Path | None = Field(
        default=None,
        description="The read keys file; unset leaves the /v1 routes open (embedded default).",
    )


class StoredReadKey(StoredKeyBase):
    audience: Audience


STORE = KeyStore(StoredReadKey, BearerKeys(TOKEN_PREFIX))


@dataclass(frozen=True, slots=True)
class Reader:
    """Who a valid read key belongs to."""

    audience: Audience
    key_id: str


def read_key_file(path: Path) -> KeysFile[StoredReadKey]:
    return STORE.read(path)


def create_read_key(path: Path, audience: Audience, label: str = "") -> tuple[StoredReadKey, str]:
    """Add a key for an audience; returns the stored entry and the token (shown once)."""

    def entry(new: NewKey, now: dt.datetime) -> StoredReadKey:
        return StoredReadKey(
            key_id=new.key_id,
            audience=audience,
            secret_sha256=new.secret_sha256,
            label=label,
            created_at=now,
        )

    return STORE.add(path, entry)


def revoke_read_key(path: Path, key_id: str) -> StoredReadKey:
    return STORE.revoke(path, key_id)


class ReadKeyRegistry:
    """Authenticates bearer tokens against the keys file, re-reading it when it changes."""

    def __init__(self, path: Path, recheck_seconds: float = 2.0) -> None:
        self._keys = STORE.registry(path, recheck_seconds)

    @property
    def active_key_count(self) -> int:
        return self._keys.active_key_count

    def authenticate(self, token: str) -> Reader | None:
        entry = self._keys.authenticate(token)
        if entry is None:
            return None
        return Reader(audience=entry.audience, key_id=entry.key_id)


def read_key_registry(settings: ReadKeySettings | None = None) -> ReadKeyRegistry | None:
    """The registry the settings ask for; None (open API) when no keys file is configured."""
    settings = settings or ReadKeySettings()
    if settings.read_keys_file is None:
        return None
    return ReadKeyRegistry(settings.read_keys_file)


_bearer = HTTPBearer(auto_error=False, description="Read key per audience: `wr.<id>.<secret>`")


async def require_read_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Reader | None:
    """A router dependency: a valid read key when keys are configured, nothing otherwise."""
    registry: ReadKeyRegistry | None = getattr(request.app.state, "read_keys", None)
    if registry is None:
        return None
    reader = registry.authenticate(credentials.credentials) if credentials else None
    if reader is None:
        raise HTTPException(
            status_code=401,
            detail=UNAUTHORIZED_DETAIL,
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.reader = reader
    return reader

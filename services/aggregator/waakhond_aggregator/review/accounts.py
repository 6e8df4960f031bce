"""Local reviewer accounts: a JSON file of argon2 password hashes, written by
``waakhond reviewers`` and read by the review page.

The page re-reads the file when it changes, so an account disabled with the CLI loses
access at its next request, without a restart. A reviewer is known elsewhere only by its
pseudonymous id (``rv-`` and 16 random hex digits), never by its username.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from waakhond_contract.messages import ReviewerRole
from waakhond_runtime.keyfiles import WatchedFile, write_private_file

log = logging.getLogger(__name__)

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"
ORGANISATION_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
MIN_PASSWORD_CHARS = 12

_HASHER = PasswordHasher()
# Verified when the username is unknown, so that timing does not tell which names exist.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A mistake in what was asked of the account file; the message says which."""


class StoredAccount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str = Field(pattern=USERNAME_PATTERN)
    reviewer_id: str = Field(pattern=r"^rv-[0-9a-f]{16}$")
    role: ReviewerRole
    organisations: list[str] = Field(default_factory=list)
    password_hash: str
    disabled: bool = False
    created_at: dt.datetime
    disabled_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _reviewer_has_organisations(self) -> StoredAccount:
        if self.role is ReviewerRole.REVIEWER and not self.organisations:
            raise ValueError("a reviewer needs at least one organisation")
        for organisation in self.organisations:
            if not re.match(ORGANISATION_PATTERN, organisation):
                raise ValueError(f"invalid organisation id {organisation!r}")
        return self


class AccountFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    accounts: list[StoredAccount] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Reviewer:
    """Who is signed in, as the page needs it: never the password hash."""

    username: str
    reviewer_id: str
    role: ReviewerRole
    organisations: tuple[str, ...]

    def sees(self, organisation_id: str) -> bool:
        return self.role is ReviewerRole.COORDINATOR or organisation_id in self.organisations


def new_reviewer_id() -> str:
    return f"rv-{secrets.token_hex(8)}"


def read_account_file(path: Path) -> AccountFile:
    if not path.exists():
        return AccountFile()
    try:
        return AccountFile.model_validate_json(path.read_bytes())
    except ValidationError as error:
        raise AccountError(
            f"{path} is not a valid account file ({error.error_count()} errors)"
        ) from None


def write_account_file(path: Path, account_file: AccountFile) -> None:
    write_private_file(path, account_file.model_dump_json(indent=2))


def create_account(
    path: Path,
    username: str,
    password: str,
    role: ReviewerRole,
    organisations: list[str],
) -> StoredAccount:
    if not re.match(USERNAME_PATTERN, username):
        raise AccountError(
            "username must be 2-64 characters of a-z, 0-9, '.', '_' and '-', starting alphanumeric"
        )
    for organisation in organisations:
        if not re.match(ORGANISATION_PATTERN, organisation):
            raise AccountError(
                f"organisation id {organisation!r} must be 2-64 characters of a-z, 0-9 and "
                "'-', starting alphanumeric"
            )
    if role is ReviewerRole.REVIEWER and not organisations:
        raise AccountError("a reviewer needs at least one --org")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    account_file = read_account_file(path)
    if any(account.username == username for account in account_file.accounts):
        raise AccountError(f"an account {username!r} exists already in {path}")
    account = StoredAccount(
        username=username,
        reviewer_id=new_reviewer_id(),
        role=role,
        organisations=sorted(set(organisations)),
        password_hash=_HASHER.hash(password),
        created_at=dt.datetime.now(dt.UTC),
    )
    account_file.accounts.append(account)
    write_account_file(path, account_file)
    return account


def disable_account(path: Path, username: str) -> StoredAccount:
    account_file = read_account_file(path)
    for index, account in enumerate(account_file.accounts):
        if account.username == username:
            if not account.disabled:
                account = account.model_copy(
                    update={"disabled": True, "disabled_at": dt.datetime.now(dt.UTC)}
                )
                account_file.accounts[index] = account
                write_account_file(path, account_file)
            return account
    raise AccountError(f"no account {username!r} in {path}")


def _accounts_by_name(path: Path) -> dict[str, StoredAccount]:
    return {account.username: account for account in read_account_file(path).accounts}


def _keep_last_read(error: Exception) -> None:
    """Written atomically by the CLI, so a file that does not read is a hand edit gone wrong:
    keep the accounts last read rather than let nobody in."""
    if not isinstance(error, AccountError):
        raise error
    log.error("review accounts not reloaded: %s", error)


def as_reviewer(account: StoredAccount) -> Reviewer:
    return Reviewer(
        username=account.username,
        reviewer_id=account.reviewer_id,
        role=account.role,
        organisations=tuple(account.organisations),
    )


class AccountRegistry:
    """The account file as the page reads it, re-read when it has changed. Checked at every
    request by default (one ``stat``): a disabled account must lose access at its next one."""

    def __init__(self, path: Path, recheck_seconds: float = 0.0) -> None:
        self._file = WatchedFile(path, _accounts_by_name, recheck_seconds, _keep_last_read)

    @property
    def _accounts(self) -> dict[str, StoredAccount]:
        return self._file.current()

    def active(self, username: str) -> Reviewer | None:
        """The account as it is now, or None when it is gone or disabled."""
        account = self._accounts.get(username)
        if account is None or account.disabled:
            return None
        return as_reviewer(account)

    def authenticate(self, username: str, password: str) -> Reviewer | None:
        account = self._accounts.get(username)
        try:
            _HASHER.verify(account.password_hash if account else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if account is None or account.disabled:
            return None
        return as_reviewer(account)

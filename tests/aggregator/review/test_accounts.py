"""Local reviewer accounts: argon2 hashes in a file, checks on what is created, and a
registry that sees changes to the file at the next request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from waakhond_aggregator.review.accounts import (
    AccountError,
    AccountRegistry,
    create_account,
    disable_account,
    read_account_file,
)
from waakhond_contract.messages import ReviewerRole

PASSWORD = "een-lang-wachtwoord"


def test_an_account_stores_an_argon2_hash_and_a_random_pseudonymous_id(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    first = create_account(path, "rita", PASSWORD, ReviewerRole.REVIEWER, ["mee-noord"])
    second = create_account(path, "cora", PASSWORD, ReviewerRole.COORDINATOR, [])
    stored = path.read_text()
    assert PASSWORD not in stored
    assert json.loads(stored)["accounts"][0]["password_hash"].startswith("$argon2id$")
    assert first.reviewer_id != second.reviewer_id
    assert first.reviewer_id.startswith("rv-")
    assert len(first.reviewer_id) == 19
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    registry = AccountRegistry(path)
    rita = registry.authenticate("rita", PASSWORD)
    assert rita is not None
    assert (rita.reviewer_id, rita.role, rita.organisations) == (
        first.reviewer_id,
        ReviewerRole.REVIEWER,
        ("mee-noord",),
    )
    assert registry.authenticate("rita", PASSWORD + "x") is None
    assert registry.authenticate("nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "role", "organisations", "password", "message"),
    [
        pytest.param(
            "rita", ReviewerRole.REVIEWER, [], PASSWORD, "at least one --org", id="no-org"
        ),
        pytest.param(
            "Rita Smit", ReviewerRole.COORDINATOR, [], PASSWORD, "username", id="bad-name"
        ),
        pytest.param(
            "rita", ReviewerRole.REVIEWER, ["MEE Noord"], PASSWORD, "organisation", id="bad-org"
        ),
        pytest.param("rita", ReviewerRole.COORDINATOR, [], "kort", "at least 12", id="short"),
    ],
)
def test_mistakes_are_refused_with_a_message_saying_which(
    tmp_path: Path,
    username: str,
    role: ReviewerRole,
    organisations: list[str],
    password: str,
    message: str,
) -> None:
    path = tmp_path / "accounts.json"
    with pytest.raises(AccountError, match=message):
        create_account(path, username, password, role, organisations)
    assert not path.exists()


def test_a_username_is_taken_once(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    create_account(path, "rita", PASSWORD, ReviewerRole.COORDINATOR, [])
    with pytest.raises(AccountError, match="exists already"):
        create_account(path, "rita", PASSWORD, ReviewerRole.COORDINATOR, [])
    assert len(read_account_file(path).accounts) == 1


def test_a_disabled_account_is_refused_at_once_by_a_running_registry(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    create_account(path, "rita", PASSWORD, ReviewerRole.REVIEWER, ["mee-noord"])
    registry = AccountRegistry(path)
    assert registry.active("rita") is not None
    disabled = disable_account(path, "rita")
    assert disabled.disabled
    assert disabled.disabled_at is not None
    assert registry.active("rita") is None
    assert registry.authenticate("rita", PASSWORD) is None
    with pytest.raises(AccountError, match="no account"):
        disable_account(path, "nobody")

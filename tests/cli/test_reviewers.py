"""`waakhond reviewers create|disable|list` on an account file, as an operator uses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from waakhond_aggregator.review.accounts import AccountRegistry
from waakhond_cli.main import app

runner = CliRunner()
PASSWORD = "een-lang-wachtwoord"


def reviewers(path: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["reviewers", *args, "--accounts-file", str(path)], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_create_list_and_disable(tmp_path: Path) -> None:
    path = tmp_path / "review-accounts.json"
    code, out, _ = reviewers(
        path,
        "create",
        "--username",
        "rita",
        "--role",
        "reviewer",
        "--org",
        "mee-noord",
        "--org",
        "welzijn-oost",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0
    reviewer_id = out.strip()
    registry = AccountRegistry(path)
    rita = registry.authenticate("rita", PASSWORD)
    assert rita is not None
    assert rita.reviewer_id == reviewer_id
    assert rita.organisations == ("mee-noord", "welzijn-oost")

    code, out, _ = reviewers(
        path,
        "create",
        "--username",
        "cora",
        "--role",
        "coordinator",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # from the prompt, twice
    assert code == 0
    code, listed, _ = reviewers(path, "list")
    assert code == 0
    assert "rita" in listed
    assert reviewer_id in listed
    assert "mee-noord,welzijn-oost" in listed
    assert "cora" in listed
    assert "coordinator" in listed
    assert "$argon2" not in listed
    assert PASSWORD not in listed

    code, out, _ = reviewers(path, "disable", "--username", "rita")
    assert code == 0
    assert registry.active("rita") is None
    assert "disabled" in reviewers(path, "list")[1].splitlines()[0]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        pytest.param(
            ["create", "--username", "rita", "--role", "reviewer", "--password-stdin"],
            PASSWORD,
            "a reviewer needs at least one --org",
            id="reviewer-without-org",
        ),
        pytest.param(
            ["create", "--username", "rita", "--role", "coordinator", "--password-stdin"],
            "kort",
            "at least 12 characters",
            id="short-password",
        ),
        pytest.param(
            ["create", "--username", "Rita S", "--role", "coordinator", "--password-stdin"],
            PASSWORD,
            "username must be",
            id="bad-username",
        ),
        pytest.param(
            ["disable", "--username", "nobody"], None, "no account 'nobody'", id="unknown-account"
        ),
    ],
)
def test_mistakes_end_with_a_message_and_a_non_zero_exit(
    tmp_path: Path, args: list[str], stdin: str | None, message: str
) -> None:
    code, _, err = reviewers(tmp_path / "accounts.json", *args, stdin=stdin)
    assert code == 1
    assert message in err
    assert "Traceback" not in err


def test_an_unknown_role_is_refused_by_the_option(tmp_path: Path) -> None:
    code, _, err = reviewers(
        tmp_path / "a.json", "create", "--username", "x", "--role", "admin", "--password-stdin"
    )
    assert code == 2
    assert "reviewer" in err
    assert "coordinator" in err


def test_a_corrupt_account_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text("{not json")
    code, _, err = reviewers(path, "list")
    assert code == 1
    assert "not a valid account file" in err


def test_a_corrupt_account_file_is_reported_by_create_and_disable_too(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text('{"accounts": [{"username": 1}]}')
    for args, stdin in (
        (["create", "--username", "cora", "--role", "coordinator", "--password-stdin"], PASSWORD),
        (["disable", "--username", "cora"], None),
    ):
        code, _, err = reviewers(path, *args, stdin=stdin)
        assert code == 1
        assert "not a valid account file" in err

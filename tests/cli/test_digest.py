"""``waakhond digest``: one mail per subscriber with the new rises of their regions, sent
to a real local SMTP server; failures and bad input give their exit codes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from typer.testing import CliRunner

import waakhond_cli.main as cli
from tests.aggregator.digest.support import (
    QUIET,
    RISES,
    SIGNALS,
    WEEK,
    Mailbox,
    assert_no_hidden_count,
    bodies,
    smtp_server,
)
from tests.aggregator.reports.dataset import store_demo

runner = CliRunner()
BASE = "https://waakhond.example.nl"
SUBSCRIBERS = [
    {"email": "anna@example.nl", "name": "Anna de Vries", "regions": ["PV27"]},
    {"email": "bram@example.nl", "regions": ["JZ28"]},
    {"email": "cees@example.nl", "name": "Cees", "regions": [QUIET]},
    {"email": "dirk@example.nl", "regions": ["JZ13"]},
]


@pytest.fixture(scope="module")
def database(clickhouse_client: Client) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    store_demo(clickhouse_client, name, SIGNALS)
    yield name
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def mailbox(
    database: str, chdb_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Mailbox]:
    subscribers = tmp_path / "abonnees.json"
    subscribers.write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    received = Mailbox()
    with smtp_server(received) as port:
        for name, value in {
            "WAAKHOND_CLICKHOUSE_DSN": f"chdb://{chdb_path}",
            "WAAKHOND_CLICKHOUSE_DATABASE": database,
            "WAAKHOND_DIGEST_SUBSCRIBERS_FILE": str(subscribers),
            "WAAKHOND_DIGEST_REPORT_BASE_URL": BASE,
            "WAAKHOND_SMTP_HOST": "127.0.0.1",
            "WAAKHOND_SMTP_PORT": str(port),
            "WAAKHOND_SMTP_SECURITY": "none",
            "WAAKHOND_SMTP_SENDER": "Waakhond <waakhond@example.nl>",
        }.items():
            monkeypatch.setenv(name, value)
        yield received


def digest(*extra: str) -> Any:
    return runner.invoke(cli.app, ["digest", "--week", WEEK.isoformat(), *extra])


def test_each_subscriber_gets_one_mail_with_the_rises_of_their_regions(
    mailbox: Mailbox,
) -> None:
    result = digest()
    assert result.exit_code == 0, result.output
    assert len(mailbox.messages) == 3
    expected = {
        "anna@example.nl": ("Noord-Holland", "JZ13", "PV27"),
        "bram@example.nl": ("Centraal Gelderland", "JZ28", "JZ28"),
        "dirk@example.nl": ("Amsterdam-Amstelland", "JZ13", "JZ13"),
    }
    for address, (place, rise, scope) in expected.items():
        (message,) = mailbox.to(address)
        assert message["Subject"] == (
            f"Waakhond: nieuwe stijgingen in {place} (week van 31 augustus 2026)"
        )
        plain, html = bodies(message)
        others = [name for code, name in RISES.items() if code != rise]
        for text in (plain, html):
            assert RISES[rise] in text
            assert not any(name in text for name in others)
        assert f"{BASE}/v1/reports/2026-09?scope={scope}&format=pdf" in plain
        assert_no_hidden_count(message)
    assert "Anna de Vries" in str(mailbox.to("anna@example.nl")[0]["To"])
    # No rises in Zeeland: no mail.
    assert not mailbox.to("cees@example.nl")


def test_send_empty_also_mails_who_has_no_rises(mailbox: Mailbox) -> None:
    result = digest("--send-empty")
    assert result.exit_code == 0, result.output
    assert len(mailbox.messages) == len(SUBSCRIBERS)
    (quiet,) = mailbox.to("cees@example.nl")
    assert quiet["Subject"] == (
        "Waakhond: geen nieuwe stijgingen in Zeeland (week van 31 augustus 2026)"
    )
    assert "Beste Cees," in bodies(quiet)[0]
    for message in mailbox.messages:
        assert_no_hidden_count(message)


def test_a_refused_recipient_gives_exit_1_and_the_others_are_sent(mailbox: Mailbox) -> None:
    mailbox.refused.add("bram@example.nl")
    result = digest()
    assert result.exit_code == 1, result.output
    assert "bram@example.nl: 550" in result.output
    assert sorted(str(m["To"]).split("<")[-1].rstrip(">") for m in mailbox.messages) == [
        "anna@example.nl",
        "dirk@example.nl",
    ]


def test_dry_run_prints_and_sends_nothing(mailbox: Mailbox) -> None:
    result = digest("--dry-run")
    assert result.exit_code == 0, result.output
    assert not mailbox.messages
    assert "Subject: Waakhond: nieuwe stijgingen in Noord-Holland" in result.output
    assert "dry run: 3 mail(s)" in result.output


@pytest.mark.usefixtures("mailbox")
def test_a_bad_subscriber_file_gives_exit_2_naming_entry_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "fout.json"
    bad.write_text(
        json.dumps([SUBSCRIBERS[0], {"email": "eva@example.nl", "regions": ["PV99"]}]),
        encoding="utf-8",
    )
    result = digest("--subscribers", str(bad))
    assert result.exit_code == 2
    assert "entry 2 (eva@example.nl), field 'regions.0'" in result.output
    assert "'PV99' is no region code" in result.output


@pytest.mark.usefixtures("mailbox")
@pytest.mark.parametrize(
    ("week", "says"),
    [
        ("2026-09-01", "must be a Monday"),
        ("31-08-2026", "YYYY-MM-DD"),
        ("2999-01-07", "has not ended"),
    ],
)
def test_a_bad_week_gives_exit_2(week: str, says: str) -> None:
    result = runner.invoke(cli.app, ["digest", "--week", week])
    assert result.exit_code == 2
    assert says in result.output

"""A real local SMTP server (aiosmtpd) that keeps what it receives, and the demo week with
new rises, for the digest's tests."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

# In the report's demo data (tests/aggregator/reports/dataset.py, 4000 signals) the alerts
# view lists two rises at the end of this week and none a week earlier: Amsterdam-Amstelland
# (JZ13, in Noord-Holland PV27) and Centraal Gelderland (JZ28, in Gelderland PV25).
SIGNALS = 4000
WEEK = dt.date(2026, 8, 31)
RISES = {"JZ13": "Amsterdam-Amstelland", "JZ28": "Centraal Gelderland"}
# A region that shares no municipality with either.
QUIET = "PV29"

_COUNT = re.compile(r"(\d[\d.]*)\s+signalen")


@dataclass
class Mailbox:
    """What the server accepted, and the addresses it refuses with 550."""

    refused: set[str] = field(default_factory=set)
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(  # aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 onbekende postbus"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def bodies(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert html is not None
    return str(plain.get_content()), str(html.get_content())


def counts_in(text: str) -> list[int]:
    """Every number a mail states as a number of signals."""
    return [int(n.replace(".", "")) for n in _COUNT.findall(text)]


def assert_no_hidden_count(message: EmailMessage) -> None:
    for text in (str(message["Subject"]), *bodies(message)):
        assert all(n == 0 or n >= 10 for n in counts_in(text)), text
        # No stray digit 1-9 standing alone as a number anywhere either.
        assert not re.search(r"(?<![\w,.:/-])[1-9](?![\w,.:/-])", _without_dates(text)), text


def _without_dates(text: str) -> str:
    # "31 augustus 2026": a day of the month is a date, not a count.
    return re.sub(
        r"\b\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|"
        r"september|oktober|november|december) \d{4}\b",
        "",
        text,
    )

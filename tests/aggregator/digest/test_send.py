"""Sending over SMTP to a real local server: a refused address fails alone."""

from __future__ import annotations

from email.message import EmailMessage

from tests.aggregator.digest.support import Mailbox, free_port, smtp_server
from waakhond_aggregator.digest.send import send_all
from waakhond_aggregator.digest.settings import SmtpSecurity, SmtpSettings


def mail(to: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "Waakhond: test"
    message["From"] = "waakhond@example.nl"
    message["To"] = to
    message.set_content("Beste abonnee,\n")
    return message


def test_a_refused_recipient_fails_and_the_others_are_sent() -> None:
    mailbox = Mailbox(refused={"weg@example.nl"})
    with smtp_server(mailbox) as port:
        settings = SmtpSettings(host="127.0.0.1", port=port, security=SmtpSecurity.NONE)
        outcome = send_all(
            [mail("a@example.nl"), mail("weg@example.nl"), mail("c@example.nl")], settings
        )
    assert outcome.sent == ["a@example.nl", "c@example.nl"]
    assert [(to, reason[:3]) for to, reason in outcome.failed] == [("weg@example.nl", "550")]
    assert [str(m["To"]) for m in mailbox.messages] == ["a@example.nl", "c@example.nl"]


def test_no_server_fails_every_mail() -> None:
    settings = SmtpSettings(
        host="127.0.0.1", port=free_port(), security=SmtpSecurity.NONE, timeout_seconds=5
    )
    outcome = send_all([mail("a@example.nl"), mail("b@example.nl")], settings)
    assert not outcome.sent
    assert [to for to, _ in outcome.failed] == ["a@example.nl", "b@example.nl"]
    assert all("cannot reach" in reason for _, reason in outcome.failed)

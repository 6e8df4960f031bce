"""Sending the digest's mails over SMTP: one connection, one message per subscriber; a
refused message is listed and the others are still sent."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

from waakhond_aggregator.digest.settings import SmtpSecurity, SmtpSettings


@dataclass(slots=True)
class Outcome:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if settings.security is SmtpSecurity.SSL:
        connection = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_seconds, context=context
        )
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        if settings.security is SmtpSecurity.STARTTLS:
            connection.starttls(context=context)
    if settings.username:
        connection.login(settings.username, settings.password.get_secret_value())
    return connection


def _recipient(message: EmailMessage) -> str:
    return str(message["To"])


def send_all(messages: list[EmailMessage], settings: SmtpSettings) -> Outcome:
    outcome = Outcome()
    connection: smtplib.SMTP | None = None
    try:
        for index, message in enumerate(messages):
            if connection is None:
                try:
                    connection = _connect(settings)
                except (OSError, smtplib.SMTPException) as error:
                    # No server to send to: every message not yet sent fails for this reason.
                    reason = f"cannot reach {settings.host}:{settings.port}: {error}"
                    outcome.failed += [(_recipient(m), reason) for m in messages[index:]]
                    break
            try:
                connection.send_message(message)
            except smtplib.SMTPRecipientsRefused as error:
                reasons = "; ".join(
                    f"{code} {reply.decode(errors='replace')}"
                    for code, reply in error.recipients.values()
                )
                outcome.failed.append((_recipient(message), reasons))
            except smtplib.SMTPResponseException as error:
                reply = error.smtp_error
                text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
                outcome.failed.append((_recipient(message), f"{error.smtp_code} {text}"))
            except (OSError, smtplib.SMTPException) as error:
                outcome.failed.append((_recipient(message), str(error) or type(error).__name__))
                # The connection may be gone: the next message opens a new one.
                if connection is not None:
                    _close(connection)
                connection = None
            else:
                outcome.sent.append(_recipient(message))
    finally:
        if connection is not None:
            _close(connection)
    return outcome


def _close(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()

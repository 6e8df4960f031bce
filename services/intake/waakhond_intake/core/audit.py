"""One audit line per submission: who, which signal, when, outcome. Never content.

The routes write the line of every signal they decide on. A request refused before a route
decides (no valid key, a body over the limit, a body that is not a valid signal) gets its
line from :class:`RefusalAuditMiddleware`, with the organisation when the key was valid, so
that a broken integration at a member organisation shows in the audit log too.
"""

from __future__ import annotations

import json
import logging
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

audit_log = logging.getLogger("waakhond.audit")

SUBMISSION_PATH = "/v1/signals"


@dataclass(slots=True)
class _RequestAudit:
    """What one request has told the audit log so far; shared by reference with the route."""

    organisation_id: str = ""
    key_id: str = ""
    audited: bool = False


_current: ContextVar[_RequestAudit | None] = ContextVar("waakhond_request_audit", default=None)


def note_organisation(organisation_id: str, key_id: str) -> None:
    """Called by authentication: a refusal after it is audited under this organisation."""
    current = _current.get()
    if current is not None:
        current.organisation_id, current.key_id = organisation_id, key_id


def audit(
    organisation_id: str,
    key_id: str,
    outcome: str,
    signal_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> None:
    current = _current.get()
    if current is not None:
        current.audited = True
    audit_log.info(
        "signal %s",
        outcome,
        extra={
            "audit": True,
            "organisation_id": organisation_id,
            "key_id": key_id,
            "signal_id": str(signal_id) if signal_id else None,
            "outcome": outcome,
            "reason": reason,
        },
    )


def _problem_slug(body: bytes, status: int) -> str:
    """The problem's type (the part after '#'), or the status when the body is no problem."""
    try:
        document = json.loads(body)
    except ValueError:
        return str(status)
    kind = document.get("type") if isinstance(document, dict) else None
    return kind.rsplit("#", 1)[-1] if isinstance(kind, str) and kind else str(status)


def _identify(scope: Scope, current: _RequestAudit) -> None:
    """The organisation of a valid key, for a request refused before authentication ran (a
    body over the limit, a body that is not JSON)."""
    headers = dict(scope.get("headers") or [])
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    registry = getattr(getattr(scope.get("app"), "state", None), "key_registry", None)
    if scheme.lower() != "bearer" or not token or registry is None:
        return
    organisation = registry.authenticate(token.strip())
    if organisation is not None:
        current.organisation_id, current.key_id = organisation.organisation_id, organisation.key_id


class RefusalAuditMiddleware:
    """Audits submissions refused before a route decided on them (added after the body limit,
    so that it wraps it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope.get("method") != "POST" or not path.startswith(SUBMISSION_PATH):
            await self.app(scope, receive, send)
            return
        current = _RequestAudit()
        token = _current.set(current)
        status = 0
        body = b""

        async def send_and_keep(message: Message) -> None:
            nonlocal status, body
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status >= 400:
                # Problem bodies are small; only their type is read, never echoed.
                body += message.get("body", b"")[: 64 * 1024]
            await send(message)

        try:
            await self.app(scope, receive, send_and_keep)
        finally:
            _current.reset(token)
        if status >= 400 and not current.audited:
            if not current.organisation_id:
                _identify(scope, current)
            audit(
                current.organisation_id,
                current.key_id,
                "refused",
                reason=_problem_slug(body, status),
            )

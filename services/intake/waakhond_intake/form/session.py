"""The form's session: the organisation signed in with its API key, kept in a signed,
expiring cookie (Starlette's SessionMiddleware), and the CSRF token every POST carries.

The session holds the organisation and key id, never the key itself.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from waakhond_intake.auth.keys import Organisation

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInRequiredError(Exception):
    """No valid session: a page asks to sign in, a POST is refused."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "none" or "expired"


class CsrfRefusedError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    max_age_seconds: int
    idle_seconds: int


def csrf_token(session: MutableMapping[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf(session: MutableMapping[str, Any], presented: object) -> None:
    expected = session.get("csrf")
    if (
        not isinstance(expected, str)
        or not isinstance(presented, str)
        or not hmac.compare_digest(expected.encode(), presented.encode())
    ):
        raise CsrfRefusedError


def start_session(session: MutableMapping[str, Any], organisation: Organisation) -> None:
    now = time.time()
    session.clear()
    session.update(
        {
            "organisation_id": organisation.organisation_id,
            "key_id": organisation.key_id,
            "started": now,
            "seen": now,
            # A new token at sign-in: one read before it cannot be replayed after it.
            "csrf": secrets.token_urlsafe(32),
        }
    )


def signed_in(session: MutableMapping[str, Any], policy: SessionPolicy) -> Organisation:
    """The session's organisation once its age and idleness are checked; the session ends
    when either is over its limit."""
    if "organisation_id" not in session:
        raise SignInRequiredError(str(session.pop("ended", "none")))
    now = time.time()
    if (
        now - float(session.get("started", 0)) > policy.max_age_seconds
        or now - float(session.get("seen", 0)) > policy.idle_seconds
    ):
        session.clear()
        session["ended"] = "expired"
        raise SignInRequiredError("expired")
    session["seen"] = now
    return Organisation(
        organisation_id=str(session["organisation_id"]), key_id=str(session["key_id"])
    )

"""FastAPI dependencies: the settings, the publisher and the authenticated organisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from waakhond_intake.auth.keys import KeyRegistry, Organisation
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.core.rate_limit import SignalRateLimiter
from waakhond_intake.privacy import Redactor
from waakhond_intake.publisher import SignalPublisher

_bearer = HTTPBearer(auto_error=False, description="Per-organisation API key: `wk.<id>.<secret>`")


def get_settings(request: Request) -> IntakeSettings:
    settings: IntakeSettings = request.app.state.settings
    return settings


def get_publisher(request: Request) -> SignalPublisher:
    publisher: SignalPublisher = request.app.state.publisher
    return publisher


def get_limiter(request: Request) -> SignalRateLimiter:
    limiter: SignalRateLimiter = request.app.state.limiter
    return limiter


def get_redactor(request: Request) -> Redactor:
    redactor: Redactor = request.app.state.redactor
    return redactor


def get_organisation(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Organisation:
    registry: KeyRegistry = request.app.state.key_registry
    organisation = registry.authenticate(credentials.credentials) if credentials else None
    if organisation is None:
        raise HTTPException(
            status_code=401,
            detail="A valid API key is required (Authorization: Bearer wk.<id>.<secret>).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return organisation


SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]
PublisherDep = Annotated[SignalPublisher, Depends(get_publisher)]
OrganisationDep = Annotated[Organisation, Depends(get_organisation)]
RedactorDep = Annotated[Redactor, Depends(get_redactor)]
LimiterDep = Annotated[SignalRateLimiter, Depends(get_limiter)]

"""FastAPI dependencies: the settings, the publisher and the authenticated organisation.

All are ``async def`` although none awaits: FastAPI runs a plain ``def``
dependency in its thread pool, and five thread hops per request took about a
fifth of intake's interpreter time on single-signal requests (bench/README.md).
They only read application state; authentication hashes the token and, every
few seconds, stats the key file, which does not block the loop noticeably.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from waakhond_intake.auth.keys import KeyRegistry, Organisation
from waakhond_intake.core.audit import note_organisation
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.core.rate_limit import SignalRateLimiter
from waakhond_intake.processing.privacy import Redactor
from waakhond_intake.status.client import SignalStatusClient, StatusUnavailableError
from waakhond_intake.streaming.publisher import SignalPublisher
from waakhond_runtime.settings import TopicSettings

_bearer = HTTPBearer(auto_error=False, description="Per-organisation API key: `wk.<id>.<secret>`")


async def get_settings(request: Request) -> IntakeSettings:
    settings: IntakeSettings = request.app.state.settings
    return settings


async def get_publisher(request: Request) -> SignalPublisher:
    publisher: SignalPublisher = request.app.state.publisher
    return publisher


async def get_limiter(request: Request) -> SignalRateLimiter:
    limiter: SignalRateLimiter = request.app.state.limiter
    return limiter


async def get_redactor(request: Request) -> Redactor:
    redactor: Redactor = request.app.state.redactor
    return redactor


async def get_topics(request: Request) -> TopicSettings:
    topics: TopicSettings = request.app.state.topics
    return topics


async def get_status_client(request: Request) -> SignalStatusClient:
    client: SignalStatusClient | None = request.app.state.status_client
    if client is None:
        raise StatusUnavailableError(
            "this intake is not connected to the aggregator's status store "
            "(WAAKHOND_INTAKE_STATUS_URL and WAAKHOND_INTAKE_STATUS_TOKEN)"
        )
    return client


async def get_organisation(
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
    note_organisation(organisation.organisation_id, organisation.key_id)
    return organisation


SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]
PublisherDep = Annotated[SignalPublisher, Depends(get_publisher)]
OrganisationDep = Annotated[Organisation, Depends(get_organisation)]
RedactorDep = Annotated[Redactor, Depends(get_redactor)]
LimiterDep = Annotated[SignalRateLimiter, Depends(get_limiter)]
TopicsDep = Annotated[TopicSettings, Depends(get_topics)]
StatusClientDep = Annotated[SignalStatusClient, Depends(get_status_client)]

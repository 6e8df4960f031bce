"""``/internal/v1/organisations/{organisation_id}/signals``: signal statuses for intake.

Intake serves ``GET /v1/signals`` and ``GET /v1/signals/{signal_id}`` to organisations
(their API keys live there) and reads the answers here, where the store is. Only intake may
call these routes: a bearer token both are given (``WAAKHOND_AGGREGATOR_STATUS_TOKEN`` and
``WAAKHOND_INTAKE_STATUS_TOKEN``). The organisation is part of every query, so a signal of
another organisation is not found, exactly like one that does not exist.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AwareDatetime

from waakhond_aggregator.api.deps import ClientDep, DatabaseDep
from waakhond_aggregator.storage.status import SignalStatusStore
from waakhond_contract.messages import OrganisationId, SignalState, SignalStatus, SignalStatusPage

MAX_PAGE = 1000
_bearer = HTTPBearer(auto_error=False)


async def require_status_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    token: str | None = request.app.state.status_token
    if token is None:
        raise HTTPException(
            status_code=503,
            detail="Signal statuses are not served: WAAKHOND_AGGREGATOR_STATUS_TOKEN is not set.",
        )
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            status_code=401,
            detail="This route is for intake only.",
            headers={"WWW-Authenticate": "Bearer"},
        )


router = APIRouter(
    prefix="/internal/v1/organisations/{organisation_id}/signals",
    tags=["internal"],
    dependencies=[Depends(require_status_token)],
    include_in_schema=False,
)


def _store(client: ClientDep, database: DatabaseDep) -> SignalStatusStore:
    return SignalStatusStore(client, database)


StoreDep = Annotated[SignalStatusStore, Depends(_store)]


@router.get("/{signal_id}")
def signal_status(
    organisation_id: OrganisationId, signal_id: uuid.UUID, store: StoreDep
) -> SignalStatus:
    status = store.status(organisation_id, signal_id)
    if status is None:
        raise HTTPException(status_code=404, detail=f"No signal {signal_id} of this organisation.")
    return status


@router.get("")
def signal_statuses(
    organisation_id: OrganisationId,
    store: StoreDep,
    status: SignalState | None = None,
    since: AwareDatetime | None = None,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> SignalStatusPage:
    page = store.page(organisation_id, state=status, since=since, after=after, limit=limit)
    return SignalStatusPage(
        items=page.items,
        next_cursor=None if page.last_signal_id is None else str(page.last_signal_id),
    )

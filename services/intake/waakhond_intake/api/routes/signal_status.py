"""``GET /v1/signals/{signal_id}``, ``GET /v1/signals`` and ``DELETE /v1/signals/{signal_id}``.

An organisation sees and withdraws its own signals only: another organisation's signal id
answers 404, exactly like an id that does not exist, so ids cannot be probed. The statuses
come from the aggregator's store (``status/client.py``), so they survive restarts of every
part. A withdrawal is published on ``signals.withdrawn`` and answered 202 once Kafka
acknowledged it; the aggregator then removes the signal from every count and erases its
text, and the status becomes ``withdrawn``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from waakhond_contract.messages import (
    DUTCH_TIME,
    SignalState,
    SignalStatus,
    SignalStatusPage,
    SignalWithdrawn,
    WithdrawalRequester,
)
from waakhond_intake.api.deps import OrganisationDep, PublisherDep, StatusClientDep, TopicsDep
from waakhond_intake.core.audit import audit
from waakhond_intake.status.client import SignalStatusClient
from waakhond_intake.streaming.publisher import BrokerUnavailableError
from waakhond_runtime.codec import encode
from waakhond_runtime.problems import Problem, problem_response, refused
from waakhond_runtime.records import ProducedRecord

router = APIRouter(prefix="/v1/signals", tags=["signals"])

MAX_PAGE = 1000
_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API key.", **_PROBLEM},
    404: {"description": "No such signal of this organisation.", **_PROBLEM},
    503: {"description": "The status store or the broker is unavailable; retry.", **_PROBLEM},
}


class WithdrawalAccepted(BaseModel):
    signal_id: uuid.UUID
    withdrawal_id: uuid.UUID
    withdrawn_at: dt.datetime
    status_url: str = Field(description="GET it: the status becomes `withdrawn` once applied.")


async def status_unavailable(_: Request, error: Exception) -> JSONResponse:
    """The one answer when statuses cannot be read (not configured, the aggregator down or
    refusing intake's token): an exception handler, so every route answers it alike."""
    return problem_response(
        503,
        "status-unavailable",
        "Signal statuses are not available right now",
        detail=f"The status store could not be read ({error}); nothing changed. Retry later.",
        headers={"Retry-After": "5"},
    )


async def _own_signal(
    statuses: SignalStatusClient, organisation_id: str, signal_id: uuid.UUID
) -> SignalStatus:
    status = await statuses.status(organisation_id, signal_id)
    if status is None:
        raise HTTPException(status_code=404, detail=f"No signal {signal_id} of this organisation.")
    return status


@router.get(
    "/{signal_id}",
    response_model=SignalStatus,
    responses=_ERRORS,
    summary="What became of one of your signals",
)
async def signal_status(
    signal_id: uuid.UUID, organisation: OrganisationDep, statuses: StatusClientDep
) -> SignalStatus:
    """`status`: accepted, classified, counted, dead_lettered (with the stage and reason) or
    withdrawn; the version; for counted and withdrawn signals what is stored (the redacted
    description, the dimensions) and the labels, from the model or a review."""
    return await _own_signal(statuses, organisation.organisation_id, signal_id)


def _since(value: str | None) -> dt.datetime | None:
    """A date (from its start, Dutch time) or a date and time with a zone."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time(), DUTCH_TIME)
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise refused(
            "query",
            "since",
            "since_format",
            "must be a date (YYYY-MM-DD) or a date and time with a zone "
            "(2026-03-01T09:00:00+01:00)",
        )
    return at


def _cursor(value: str | None) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise refused(
            "query", "cursor", "cursor_invalid", "must be a next_cursor this route gave"
        ) from None


@router.get(
    "",
    response_model=SignalStatusPage,
    responses=_ERRORS,
    summary="Your signals and their status, a page at a time",
)
async def signal_statuses(
    organisation: OrganisationDep,
    statuses: StatusClientDep,
    status: Annotated[SignalState | None, Query(description="Only signals in this status.")] = None,
    since: Annotated[
        str | None,
        Query(description="Only signals whose status changed on or after this date or time."),
    ] = None,
    cursor: Annotated[
        str | None, Query(description="The `next_cursor` of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Signals per page.")] = 100,
) -> SignalStatusPage:
    """In signal_id order; follow `next_cursor` until it is null. New signals appear in
    their place in that order, so a client that wants what changed asks with `since`."""
    return await statuses.page(
        organisation.organisation_id,
        state=status,
        since=_since(since),
        after=_cursor(cursor),
        limit=limit,
    )


@router.delete(
    "/{signal_id}",
    status_code=202,
    response_model=WithdrawalAccepted,
    responses={
        **_ERRORS,
        200: {"description": "Already withdrawn: nothing to do.", "model": SignalStatus},
    },
    summary="Withdraw one of your signals",
)
async def withdraw_signal(
    signal_id: uuid.UUID,
    organisation: OrganisationDep,
    statuses: StatusClientDep,
    publisher: PublisherDep,
    topics: TopicsDep,
) -> WithdrawalAccepted | JSONResponse:
    """Removes the signal from every count, erases its text and leaves a tombstone: the
    status becomes `withdrawn`. 202 once the broker acknowledged the withdrawal; it is
    applied within seconds. Submitting the same client_ref again afterwards is a new
    version that counts again."""
    current = await _own_signal(statuses, organisation.organisation_id, signal_id)
    if current.status is SignalState.WITHDRAWN:
        return JSONResponse(current.model_dump(mode="json"), status_code=200)
    withdrawal = SignalWithdrawn(
        withdrawal_id=uuid.uuid4(),
        signal_id=signal_id,
        organisation_id=organisation.organisation_id,
        requested_by=WithdrawalRequester.ORGANISATION,
        withdrawn_at=dt.datetime.now(dt.UTC),
    )
    record = ProducedRecord(key=str(signal_id).encode(), value=encode(withdrawal))
    try:
        (outcome,) = await publisher.publish([record], topics.withdrawn)
    except BrokerUnavailableError as error:
        outcome = error
    if outcome is not None:
        return problem_response(
            503,
            "broker-unavailable",
            "The withdrawal cannot be accepted right now",
            detail="The message broker did not acknowledge in time; nothing changed. "
            "Retrying is safe.",
            headers={"Retry-After": "5"},
        )
    audit(organisation.organisation_id, organisation.key_id, "withdrawn", signal_id)
    return JSONResponse(
        WithdrawalAccepted(
            signal_id=signal_id,
            withdrawal_id=withdrawal.withdrawal_id,
            withdrawn_at=withdrawal.withdrawn_at,
            status_url=f"/v1/signals/{signal_id}",
        ).model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/v1/signals/{signal_id}"},
    )

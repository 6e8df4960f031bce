"""``POST /v1/signals`` and ``POST /v1/signals/batch``."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from waakhond_contract.messages import SignalSubmission
from waakhond_intake.api.deps import OrganisationDep, PublisherDep, SettingsDep
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.core.problems import Problem, field_errors, problem_response
from waakhond_intake.metrics import (
    PUBLISH_SECONDS,
    SIGNALS_ACCEPTED,
    SIGNALS_RECEIVED,
    SIGNALS_REJECTED,
)
from waakhond_intake.models import (
    BatchItemResult,
    BatchResult,
    BatchSubmission,
    ItemStatus,
    SignalAccepted,
)
from waakhond_intake.publisher import BrokerUnavailableError, OutgoingRecord, SignalPublisher
from waakhond_intake.submissions import to_record

router = APIRouter(prefix="/v1/signals", tags=["signals"])

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API key.", **_PROBLEM},
    413: {"description": "Body over the size limit.", **_PROBLEM},
    422: {"description": "Invalid input: every field and reason is listed.", **_PROBLEM},
    503: {"description": "Kafka unavailable: nothing was accepted, retry later.", **_PROBLEM},
}


def _unavailable(settings: IntakeSettings) -> JSONResponse:
    return problem_response(
        503,
        "broker-unavailable",
        "Signals cannot be accepted right now",
        detail="The message broker did not acknowledge in time; nothing was accepted. "
        "Retrying with the same client_ref is safe.",
        headers={"Retry-After": str(settings.retry_after_seconds)},
    )


async def _publish_timed(
    publisher: SignalPublisher, records: list[OutgoingRecord]
) -> list[BaseException | None]:
    started = time.perf_counter()
    outcomes = await publisher.publish(records)
    PUBLISH_SECONDS.observe(time.perf_counter() - started)
    return outcomes


@router.post(
    "",
    status_code=202,
    response_model=SignalAccepted,
    responses=_ERRORS,
    summary="Submit one signal",
)
async def submit_signal(
    submission: SignalSubmission,
    organisation: OrganisationDep,
    publisher: PublisherDep,
    settings: SettingsDep,
) -> SignalAccepted | JSONResponse:
    """Accepted (202) only once Kafka acknowledged the signal with acks=all."""
    SIGNALS_RECEIVED.labels("single").inc()
    signal_id, record = to_record(submission, organisation.organisation_id, dt.datetime.now(dt.UTC))
    try:
        (outcome,) = await _publish_timed(publisher, [record])
    except BrokerUnavailableError:
        outcome = BrokerUnavailableError()
    if outcome is not None:
        SIGNALS_REJECTED.labels("broker_unavailable").inc()
        return _unavailable(settings)
    SIGNALS_ACCEPTED.inc()
    return SignalAccepted(signal_id=signal_id)


@router.post(
    "/batch",
    status_code=202,
    response_model=BatchResult,
    responses={
        **_ERRORS,
        207: {
            "description": "Some items accepted, others not: see each result.",
            "model": BatchResult,
        },
    },
    summary="Submit up to 1,000 signals",
)
async def submit_batch(
    batch: BatchSubmission,
    organisation: OrganisationDep,
    publisher: PublisherDep,
    settings: SettingsDep,
) -> BatchResult | JSONResponse:
    """Each item gets its own result. 202 when all are accepted, 207 when some are not,
    422 when none is valid, 503 when the broker accepted none of the valid items."""
    SIGNALS_RECEIVED.labels("batch").inc(len(batch.signals))
    if len(batch.signals) > settings.max_batch_items:
        return problem_response(
            422,
            "validation-error",
            "The request is not valid",
            detail=f"At most {settings.max_batch_items} signals per batch.",
        )
    now = dt.datetime.now(dt.UTC)
    results: list[BatchItemResult] = []
    pending: list[tuple[int, uuid.UUID, OutgoingRecord]] = []
    for index, item in enumerate(batch.signals):
        try:
            submission = SignalSubmission.model_validate(item)
        except ValidationError as error:
            SIGNALS_REJECTED.labels("invalid").inc()
            results.append(
                BatchItemResult(
                    index=index, status=ItemStatus.REJECTED, errors=field_errors(error.errors())
                )
            )
            continue
        signal_id, record = to_record(submission, organisation.organisation_id, now)
        pending.append((index, signal_id, record))

    if pending:
        try:
            outcomes = await _publish_timed(publisher, [record for _, _, record in pending])
        except BrokerUnavailableError:
            SIGNALS_REJECTED.labels("broker_unavailable").inc(len(pending))
            return _unavailable(settings)
        for (index, signal_id, _), outcome in zip(pending, outcomes, strict=True):
            status = ItemStatus.ACCEPTED if outcome is None else ItemStatus.UNAVAILABLE
            results.append(BatchItemResult(index=index, status=status, signal_id=signal_id))
    results.sort(key=lambda result: result.index)

    accepted = sum(r.status is ItemStatus.ACCEPTED for r in results)
    unavailable = sum(r.status is ItemStatus.UNAVAILABLE for r in results)
    rejected = len(results) - accepted - unavailable
    SIGNALS_ACCEPTED.inc(accepted)
    SIGNALS_REJECTED.labels("broker_unavailable").inc(unavailable)
    if accepted == 0 and unavailable > 0:
        return _unavailable(settings)
    if accepted == 0:
        errors = [
            error.model_copy(update={"field": f"signals.{result.index}.{error.field}"})
            for result in results
            for error in result.errors or []
        ]
        return problem_response(
            422,
            "validation-error",
            "The request is not valid",
            detail=f"None of the {len(results)} signals is valid; nothing was accepted.",
            errors=errors,
        )
    body = BatchResult(
        accepted=accepted, rejected=rejected, unavailable=unavailable, results=results
    )
    if accepted == len(results):
        return body
    headers = {"Retry-After": str(settings.retry_after_seconds)} if unavailable else {}
    return JSONResponse(body.model_dump(mode="json"), status_code=207, headers=headers)

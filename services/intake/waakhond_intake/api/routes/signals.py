"""``POST /v1/signals`` and ``POST /v1/signals/batch``."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from waakhond_contract.messages import SignalSubmission
from waakhond_intake.api.deps import (
    LimiterDep,
    OrganisationDep,
    PublisherDep,
    RedactorDep,
    SettingsDep,
)
from waakhond_intake.api.models import (
    BatchItemResult,
    BatchResult,
    BatchSubmission,
    ItemStatus,
    Redaction,
    SignalAccepted,
    SignalPreview,
)
from waakhond_intake.api.submitting import prepare_all, publish_timed
from waakhond_intake.auth.keys import Organisation
from waakhond_intake.core.audit import audit
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.core.rate_limit import SignalRateLimiter
from waakhond_intake.metrics import (
    SIGNALS_ACCEPTED,
    SIGNALS_RECEIVED,
    SIGNALS_REJECTED,
)
from waakhond_intake.processing.submissions import (
    PreparedSignal,
)
from waakhond_intake.streaming.publisher import BrokerUnavailableError
from waakhond_runtime.problems import Problem, field_errors, problem_response

router = APIRouter(prefix="/v1/signals", tags=["signals"])

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API key.", **_PROBLEM},
    413: {"description": "Body over the size limit.", **_PROBLEM},
    429: {"description": "Over the organisation's rate limit; see Retry-After.", **_PROBLEM},
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


StrictQuery = Annotated[
    bool,
    Query(
        description="Refuse (422, naming kinds and character spans) instead of redacting "
        "when the description holds identifying details."
    ),
]


DryRunQuery = Annotated[
    bool,
    Query(
        description="Validate and redact only: answer 200 with what would be stored (the "
        "redacted description, the signal id); nothing is published or counted."
    ),
]


def _redactions(signal: PreparedSignal) -> list[Redaction]:
    return [Redaction(kind=str(r.kind), count=r.count) for r in signal.redactions]


def _rate_limited(
    limiter: SignalRateLimiter, organisation: Organisation, signals: int
) -> JSONResponse | None:
    wait = limiter.acquire(organisation.organisation_id, signals)
    if not wait:
        return None
    SIGNALS_REJECTED.labels("rate_limited").inc(signals)
    audit(organisation.organisation_id, organisation.key_id, "rate_limited", reason=str(signals))
    return problem_response(
        429,
        "rate-limited",
        "Too many signals",
        detail=f"Over the limit of {limiter.policy.signals_per_second:g} signals per second "
        f"(bursts up to {limiter.policy.burst}); nothing was accepted.",
        headers={"Retry-After": limiter.retry_after_header(wait)},
    )


@router.post(
    "",
    status_code=202,
    response_model=SignalAccepted,
    responses={
        **_ERRORS,
        200: {"description": "Dry run: valid, nothing stored.", "model": SignalPreview},
    },
    summary="Submit one signal",
)
async def submit_signal(
    submission: SignalSubmission,
    organisation: OrganisationDep,
    publisher: PublisherDep,
    redactor: RedactorDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    strict: StrictQuery = False,
    dry_run: DryRunQuery = False,
) -> SignalAccepted | JSONResponse:
    """Accepted (202) only once Kafka acknowledged the signal with acks=all. Identifying
    details in the description are replaced by placeholders first (or refused with
    `strict=true`). With `dry_run=true`, 200 and the signal as it would be stored."""
    SIGNALS_RECEIVED.labels("dry_run" if dry_run else "single").inc()
    if limited := _rate_limited(limiter, organisation, 1):
        return limited
    (prepared,) = await asyncio.to_thread(
        prepare_all, [submission], organisation.organisation_id, redactor, strict, dry_run
    )
    if not isinstance(prepared, PreparedSignal):
        SIGNALS_REJECTED.labels("identifying_details").inc()
        audit(organisation.organisation_id, organisation.key_id, "refused", reason=prepared[0].type)
        return problem_response(
            422,
            "identifying-details",
            "The description holds identifying details",
            detail="Nothing was accepted. Remove the details, or submit without strict mode "
            "to have them replaced by placeholders.",
            errors=prepared,
        )
    if dry_run:
        audit(organisation.organisation_id, organisation.key_id, "valid", prepared.signal_id)
        preview = SignalPreview(
            signal_id=prepared.signal_id,
            redactions=_redactions(prepared),
            description=prepared.description,
        )
        return JSONResponse(preview.model_dump(mode="json"), status_code=200)
    try:
        (outcome,) = await publish_timed(publisher, [prepared.record])
    except BrokerUnavailableError:
        outcome = BrokerUnavailableError()
    if outcome is not None:
        SIGNALS_REJECTED.labels("broker_unavailable").inc()
        audit(organisation.organisation_id, organisation.key_id, "unavailable", prepared.signal_id)
        return _unavailable(settings)
    SIGNALS_ACCEPTED.inc()
    audit(organisation.organisation_id, organisation.key_id, "accepted", prepared.signal_id)
    return SignalAccepted(signal_id=prepared.signal_id, redactions=_redactions(prepared))


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
        200: {
            "description": "Dry run: each item valid or rejected, nothing stored.",
            "model": BatchResult,
        },
    },
    summary="Submit up to 1,000 signals",
)
async def submit_batch(
    batch: BatchSubmission,
    organisation: OrganisationDep,
    publisher: PublisherDep,
    redactor: RedactorDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    strict: StrictQuery = False,
    dry_run: DryRunQuery = False,
) -> BatchResult | JSONResponse:
    """Each item gets its own result. 202 when all are accepted, 207 when some are not,
    422 when none is valid, 503 when the broker accepted none of the valid items. With
    `dry_run=true`, 200 and each item `valid` (with its redacted description) or
    `rejected`; nothing is stored."""
    SIGNALS_RECEIVED.labels("dry_run" if dry_run else "batch").inc(len(batch.signals))
    if len(batch.signals) > settings.max_batch_items:
        return problem_response(
            422,
            "validation-error",
            "The request is not valid",
            detail=f"At most {settings.max_batch_items} signals per batch.",
        )
    if limited := _rate_limited(limiter, organisation, len(batch.signals)):
        return limited
    results: list[BatchItemResult] = []
    valid: list[tuple[int, SignalSubmission]] = []
    for index, item in enumerate(batch.signals):
        try:
            valid.append((index, SignalSubmission.model_validate(item)))
        except ValidationError as error:
            SIGNALS_REJECTED.labels("invalid").inc()
            results.append(
                BatchItemResult(
                    index=index, status=ItemStatus.REJECTED, errors=field_errors(error.errors())
                )
            )
    prepared_all = await asyncio.to_thread(
        prepare_all,
        [s for _, s in valid],
        organisation.organisation_id,
        redactor,
        strict,
        dry_run,
    )
    pending: list[tuple[int, PreparedSignal]] = []
    for (index, _), prepared in zip(valid, prepared_all, strict=True):
        if isinstance(prepared, PreparedSignal):
            pending.append((index, prepared))
        else:
            SIGNALS_REJECTED.labels("identifying_details").inc()
            results.append(
                BatchItemResult(index=index, status=ItemStatus.REJECTED, errors=prepared)
            )

    if dry_run:
        return _batch_preview(organisation, results, pending)
    if pending:
        try:
            outcomes = await publish_timed(publisher, [p.record for _, p in pending])
        except BrokerUnavailableError:
            SIGNALS_REJECTED.labels("broker_unavailable").inc(len(pending))
            return _unavailable(settings)
        for (index, prepared), outcome in zip(pending, outcomes, strict=True):
            accepted_now = outcome is None
            results.append(
                BatchItemResult(
                    index=index,
                    status=ItemStatus.ACCEPTED if accepted_now else ItemStatus.UNAVAILABLE,
                    signal_id=prepared.signal_id,
                    redactions=_redactions(prepared) if accepted_now else None,
                )
            )
    results.sort(key=lambda result: result.index)
    _audit_results(organisation, results)

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


def _batch_preview(
    organisation: Organisation,
    refused: list[BatchItemResult],
    valid: list[tuple[int, PreparedSignal]],
) -> JSONResponse:
    results = refused + [
        BatchItemResult(
            index=index,
            status=ItemStatus.VALID,
            signal_id=prepared.signal_id,
            redactions=_redactions(prepared),
            description=prepared.description,
        )
        for index, prepared in valid
    ]
    results.sort(key=lambda result: result.index)
    _audit_results(organisation, results)
    body = BatchResult(
        accepted=0,
        rejected=len(refused),
        unavailable=0,
        valid=len(valid),
        results=results,
    )
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=200)


def _audit_results(organisation: Organisation, results: list[BatchItemResult]) -> None:
    for result in results:
        reason = result.errors[0].type if result.errors else None
        audit(
            organisation.organisation_id,
            organisation.key_id,
            str(result.status),
            result.signal_id,
            reason,
        )

"""An import's valid rows through the path of ``POST /v1/signals``: the same redaction, the
same record, the same publisher acknowledged with acks=all.

Re-importing a file counts nothing twice: a row's signal_id is derived from the
organisation and its client_ref, and the same row gives the same record again, which the
aggregator stores once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from waakhond_intake.api.submitting import prepare_all, publish_timed
from waakhond_intake.auth.keys import Organisation
from waakhond_intake.core.audit import audit
from waakhond_intake.imports.reasons import dutch_reason
from waakhond_intake.imports.report import ImportReport, RowError, RowResult, RowStatus
from waakhond_intake.imports.rows import RefusedRow, ValidRow
from waakhond_intake.metrics import SIGNALS_ACCEPTED, SIGNALS_RECEIVED, SIGNALS_REJECTED
from waakhond_intake.processing.privacy import Redactor
from waakhond_intake.processing.submissions import PreparedSignal
from waakhond_intake.streaming.publisher import BrokerUnavailableError, SignalPublisher
from waakhond_runtime.problems import FieldError

# Rows redacted and published together: each part waits for its own acknowledgements
# within the delivery timeout, as one batch request does.
PART_ROWS = 1000


def _refused(number: int, client_ref: str | None, errors: Sequence[RowError]) -> RowResult:
    return RowResult(row=number, status=RowStatus.REFUSED, client_ref=client_ref, errors=errors)


def _dutch(errors: list[FieldError], column: str | None) -> list[RowError]:
    return [
        RowError(
            field=e.field,
            column=column,
            reason=dutch_reason(e.field, e.type, {}, e.reason),
            type=e.type,
        )
        for e in errors
    ]


async def submit_rows(
    checked: Sequence[ValidRow | RefusedRow],
    organisation: Organisation,
    redactor: Redactor,
    publisher: SignalPublisher,
    *,
    file_format: str,
    description_column: str | None,
    dry_run: bool = False,
) -> ImportReport:
    SIGNALS_RECEIVED.labels("import_dry_run" if dry_run else "import").inc(len(checked))
    results = {
        row.number: _refused(row.number, row.client_ref, row.errors)
        for row in checked
        if isinstance(row, RefusedRow)
    }
    valid = [row for row in checked if isinstance(row, ValidRow)]
    broker_down = False
    for start in range(0, len(valid), PART_ROWS):
        part = valid[start : start + PART_ROWS]
        prepared_all = await asyncio.to_thread(
            prepare_all,
            [row.submission for row in part],
            organisation.organisation_id,
            redactor,
            False,
            dry_run,
        )
        pending: list[tuple[ValidRow, PreparedSignal]] = []
        for row, prepared in zip(part, prepared_all, strict=True):
            client_ref = row.submission.client_ref
            if isinstance(prepared, PreparedSignal):
                pending.append((row, prepared))
            else:
                errors = _dutch(prepared, description_column)
                results[row.number] = _refused(row.number, client_ref, errors)
        if dry_run:
            for row, prepared in pending:
                results[row.number] = RowResult(
                    row=row.number,
                    status=RowStatus.VALID,
                    client_ref=row.submission.client_ref,
                    signal_id=prepared.signal_id,
                )
            continue
        outcomes: list[BaseException | None]
        if broker_down:
            outcomes = [BrokerUnavailableError()] * len(pending)
        else:
            try:
                outcomes = await publish_timed(publisher, [p.record for _, p in pending])
            except BrokerUnavailableError as error:
                outcomes = [error] * len(pending)
            # A part the broker acknowledged none of: the rest would only wait out the
            # delivery timeout part after part.
            broker_down = bool(pending) and all(o is not None for o in outcomes)
        for (row, prepared), outcome in zip(pending, outcomes, strict=True):
            results[row.number] = RowResult(
                row=row.number,
                status=RowStatus.ACCEPTED if outcome is None else RowStatus.UNAVAILABLE,
                client_ref=row.submission.client_ref,
                signal_id=prepared.signal_id,
            )
    ordered = [results[number] for number in sorted(results)]
    report = ImportReport(
        format=file_format,
        rows=len(ordered),
        accepted=sum(r.status is RowStatus.ACCEPTED for r in ordered),
        refused=sum(r.status is RowStatus.REFUSED for r in ordered),
        unavailable=sum(r.status is RowStatus.UNAVAILABLE for r in ordered),
        valid=sum(r.status is RowStatus.VALID for r in ordered),
        results=ordered,
    )
    SIGNALS_ACCEPTED.inc(report.accepted)
    SIGNALS_REJECTED.labels("invalid").inc(report.refused)
    SIGNALS_REJECTED.labels("broker_unavailable").inc(report.unavailable)
    for result in ordered:
        reason = result.errors[0].type if result.errors else None
        audit(
            organisation.organisation_id,
            organisation.key_id,
            str(result.status),
            result.signal_id,
            reason,
        )
    return report

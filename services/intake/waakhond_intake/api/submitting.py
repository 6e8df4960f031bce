"""The steps every submit route shares (one signal, a batch, an import): prepare the
signals (validate, redact, count the redactions) and publish their records, timed."""

from __future__ import annotations

import datetime as dt
import time

from waakhond_contract.messages import SignalSubmission
from waakhond_intake.metrics import PUBLISH_SECONDS, REDACTIONS
from waakhond_intake.processing.privacy import Redactor
from waakhond_intake.processing.submissions import (
    IdentifyingDetailsError,
    NothingLeftError,
    PreparedSignal,
    prepare_signal,
)
from waakhond_intake.streaming.publisher import SignalPublisher
from waakhond_runtime.problems import FieldError
from waakhond_runtime.records import ProducedRecord


def _refusal(error: Exception) -> list[FieldError]:
    if isinstance(error, IdentifyingDetailsError):
        return [
            FieldError(
                field="description",
                reason=f"identifying detail ({finding.kind}) at characters "
                f"{finding.start}-{finding.end}",
                type="identifying_detail",
            )
            for finding in error.findings
        ]
    return [
        FieldError(
            field="description",
            reason="too little is left once identifying details are removed",
            type="description_only_identifying_details",
        )
    ]


def prepare_all(
    submissions: list[SignalSubmission],
    organisation_id: str,
    redactor: Redactor,
    strict: bool,
    dry_run: bool = False,
) -> list[PreparedSignal | list[FieldError]]:
    """CPU-bound (text analysis): runs in a worker thread, off the event loop.

    A dry run's redactions are not counted: the same text is counted when it is submitted.
    """
    now = dt.datetime.now(dt.UTC)
    redactions = redactor.redact_many([submission.description for submission in submissions])
    prepared: list[PreparedSignal | list[FieldError]] = []
    for submission, redaction in zip(submissions, redactions, strict=True):
        try:
            signal = prepare_signal(
                submission, organisation_id, now, redactor, strict, redaction=redaction
            )
        except (IdentifyingDetailsError, NothingLeftError) as error:
            prepared.append(_refusal(error))
            continue
        for kind_count in () if dry_run else signal.redactions:
            REDACTIONS.labels(str(kind_count.kind)).inc(kind_count.count)
        prepared.append(signal)
    return prepared


async def publish_timed(
    publisher: SignalPublisher, records: list[ProducedRecord]
) -> list[BaseException | None]:
    started = time.perf_counter()
    outcomes = await publisher.publish(records)
    PUBLISH_SECONDS.observe(time.perf_counter() - started)
    return outcomes

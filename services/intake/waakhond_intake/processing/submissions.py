"""From a validated submission to the ``signals.submitted`` record: redact, derive the id, key.

Redaction happens here, before anything is produced, so no identifying detail
in the free text reaches Kafka.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from pydantic import ValidationError

from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import SignalSubmission, SignalSubmitted
from waakhond_intake.processing.privacy import Finding, KindCount, RedactionResult, Redactor
from waakhond_runtime.codec import encode
from waakhond_runtime.records import ProducedRecord


@dataclass(frozen=True, slots=True)
class PreparedSignal:
    signal_id: uuid.UUID
    record: ProducedRecord
    redactions: tuple[KindCount, ...]
    description: str  # as stored: after redaction


class IdentifyingDetailsError(Exception):
    """Strict mode: the text holds identifying details, so the signal is refused."""

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        super().__init__(f"{len(findings)} identifying detail(s)")
        self.findings = findings


class NothingLeftError(Exception):
    """After redaction the description is too short to be a signal."""


def partition_key(organisation_id: str) -> bytes:
    """The organisation: every version of a signal shares a partition and keeps its order.

    A signal's identity is (organisation, client_ref), so a resubmission with
    another municipality still reaches the same aggregator instance after the
    first version, which then refuses it as a conflict. It also puts one
    request's signals in one producer batch: the test broker's fetch cost
    grows with the number of batches it stores (see bench/README.md).
    """
    return organisation_id.encode()


def prepare_signal(
    submission: SignalSubmission,
    organisation_id: str,
    now: dt.datetime,
    redactor: Redactor,
    strict: bool,
    redaction: RedactionResult | None = None,
) -> PreparedSignal:
    """``redaction``, when given, is ``redactor.redact(submission.description)`` done already."""
    if redaction is None:
        redaction = redactor.redact(submission.description)
    if strict and redaction.findings:
        raise IdentifyingDetailsError(redaction.findings)
    signal_id = derive_signal_id(organisation_id, submission.client_ref)
    try:
        message = SignalSubmitted(
            signal_id=signal_id,
            organisation_id=organisation_id,
            submitted_at=now,
            **submission.model_dump(exclude={"client_ref", "description"}),
            description=redaction.text,
            # A rare condition stays in the text; the classifier sends the signal to review.
            privacy_flags=list(redaction.privacy_flags),
        )
    except ValidationError as error:
        raise NothingLeftError from error
    return PreparedSignal(
        signal_id=signal_id,
        record=ProducedRecord(key=partition_key(organisation_id), value=encode(message)),
        redactions=redaction.kind_counts(),
        description=redaction.text,
    )

"""Turns a validated submission into the ``signals.submitted`` record for Kafka."""

from __future__ import annotations

import datetime as dt
import uuid

from waakhond_contract.codec import encode
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import SignalSubmission, SignalSubmitted
from waakhond_contract.regions import RegionLevel, load_region_reference
from waakhond_intake.publisher import OutgoingRecord


def partition_key(submission: SignalSubmission) -> bytes:
    """The care-office region: one region's signals share a partition and keep their order."""
    municipality = load_region_reference().resolve(
        submission.municipality_code, submission.observed_on
    )
    return municipality.region(RegionLevel.ZORGKANTOORREGIO).code.encode()


def to_record(
    submission: SignalSubmission, organisation_id: str, now: dt.datetime
) -> tuple[uuid.UUID, OutgoingRecord]:
    signal_id = derive_signal_id(organisation_id, submission.client_ref)
    message = SignalSubmitted(
        signal_id=signal_id,
        organisation_id=organisation_id,
        submitted_at=now,
        **submission.model_dump(exclude={"client_ref"}),
    )
    return signal_id, OutgoingRecord(key=partition_key(submission), value=encode(message))

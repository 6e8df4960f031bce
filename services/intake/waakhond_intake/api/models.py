"""Response shapes of the intake API."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field

from waakhond_runtime.problems import FieldError


class Redaction(BaseModel):
    kind: str = Field(description="What kind of identifying detail, e.g. `bsn` or `name`.")
    count: int = Field(ge=1, description="How many were replaced by a placeholder.")


class SignalAccepted(BaseModel):
    signal_id: uuid.UUID = Field(description="Stable id: the same for every retry of this signal.")
    status: str = "accepted"
    redactions: list[Redaction] = Field(
        default_factory=list,
        description="Identifying details replaced in the description (kinds and counts only).",
    )


class SignalPreview(BaseModel):
    """What ``dry_run=true`` answers: the signal would be accepted as shown; nothing is stored."""

    signal_id: uuid.UUID = Field(description="The id the signal gets when it is submitted.")
    status: str = "valid"
    redactions: list[Redaction] = Field(default_factory=list)
    description: str = Field(description="The description as it would be stored (redacted).")


class BatchSubmission(BaseModel):
    """Each item is validated on its own, so one bad item does not refuse the others."""

    signals: Annotated[
        list[dict[str, Any]],
        Field(
            min_length=1,
            max_length=1000,
            json_schema_extra={"items": {"$ref": "#/components/schemas/SignalSubmission"}},
        ),
    ]


class ItemStatus(StrEnum):
    ACCEPTED = "accepted"
    VALID = "valid"  # dry run: would be accepted
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"


class BatchItemResult(BaseModel):
    index: int
    status: ItemStatus
    signal_id: uuid.UUID | None = None
    redactions: list[Redaction] | None = None
    errors: list[FieldError] | None = None
    description: str | None = Field(
        default=None, description="Dry run only: the description as it would be stored."
    )


class BatchResult(BaseModel):
    accepted: int
    rejected: int
    unavailable: int
    valid: int = Field(default=0, description="Dry run only: items that would be accepted.")
    results: list[BatchItemResult]


class Term(BaseModel):
    code: str = Field(description="What the API takes and returns.")
    label: str = Field(description="What Dutch users read.")


class Vocabulary(BaseModel):
    name: str = Field(description="The list, e.g. `law_domain`.")
    fields: list[str] = Field(description="The submission fields that take these codes.")
    terms: list[Term]
    valid_from: dt.date | None = Field(
        default=None, description="For the municipality list: the first day of its region map."
    )


class Vocabularies(BaseModel):
    vocabularies: list[Vocabulary]

"""Response shapes of the intake API."""

from __future__ import annotations

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
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"


class BatchItemResult(BaseModel):
    index: int
    status: ItemStatus
    signal_id: uuid.UUID | None = None
    redactions: list[Redaction] | None = None
    errors: list[FieldError] | None = None


class BatchResult(BaseModel):
    accepted: int
    rejected: int
    unavailable: int
    results: list[BatchItemResult]

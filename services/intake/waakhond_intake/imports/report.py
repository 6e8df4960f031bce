"""The answer to an import: one result per data row, in the file's order."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import BaseModel, Field


class RowStatus(StrEnum):
    ACCEPTED = "accepted"
    VALID = "valid"  # dry run: would be accepted
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"  # valid, but the broker did not acknowledge it: retry


class RowError(BaseModel):
    field: str = Field(description="The API field, e.g. `law_domains.1`.")
    column: str | None = Field(
        default=None, description="The column as the file names it, e.g. `wetten`."
    )
    reason: str = Field(description="Why the value was refused, in Dutch.")
    type: str = Field(description="Machine-readable error type, as the API's problem details.")


class RowResult(BaseModel):
    row: int = Field(description="The row number a spreadsheet shows (the header is row 1).")
    status: RowStatus
    client_ref: str | None = None
    signal_id: uuid.UUID | None = None
    errors: list[RowError] | None = None


class ImportReport(BaseModel):
    format: str = Field(description="`csv` or `xlsx`.")
    rows: int = Field(description="Data rows read (blank rows are skipped).")
    accepted: int
    refused: int
    unavailable: int
    valid: int = Field(default=0, description="Dry run only: rows that would be accepted.")
    results: list[RowResult]

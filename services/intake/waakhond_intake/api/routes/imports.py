"""``POST /v1/imports``: signals from a spreadsheet (CSV or XLSX), with a report per row."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from waakhond_intake.api.deps import OrganisationDep, PublisherDep, RedactorDep, SettingsDep
from waakhond_intake.api.routes.signals import DryRunQuery
from waakhond_intake.core.audit import audit
from waakhond_intake.imports.load import HeaderProblemsError, check_file
from waakhond_intake.imports.reader import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    TooManyRowsError,
    UnpackedTooLargeError,
    UnreadableFileError,
)
from waakhond_intake.imports.report import ImportReport
from waakhond_intake.imports.service import submit_rows
from waakhond_runtime.problems import FieldError, Problem, problem_response

router = APIRouter(prefix="/v1/imports", tags=["imports"])

MULTIPART = "multipart/form-data"
# What the body may be: the file itself, or a form with the file in the field "file".
RAW_MEDIA_TYPES = {CSV_MEDIA_TYPE, "application/csv", XLSX_MEDIA_TYPE}

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        MULTIPART: {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
        XLSX_MEDIA_TYPE: _BINARY,
    },
}


def _refused_file(detail: str, errors: list[FieldError]) -> JSONResponse:
    return problem_response(422, "validation-error", "The file is not valid", detail, errors)


async def _upload(request: Request) -> bytes | JSONResponse:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in RAW_MEDIA_TYPES:
        return await request.body()
    if media_type != MULTIPART:
        return problem_response(
            415,
            "http-error",
            "Unsupported media type",
            detail=f"Send the file as {CSV_MEDIA_TYPE}, as {XLSX_MEDIA_TYPE}, or as "
            f"{MULTIPART} with the file in the field 'file'.",
        )
    try:
        form = await request.form(max_files=1, max_fields=16)
    except Exception:  # starlette raises its own parse errors for a damaged form
        form = None
    if form is None:
        upload = None
    else:
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        await form.close()
    if not isinstance(upload, UploadFile):
        return _refused_file(
            "Nothing was imported.",
            [
                FieldError(
                    field="file",
                    reason="geen bestand: stuur het in het formulierveld 'file'",
                    type="missing",
                )
            ],
        )
    return data


@router.post(
    "",
    response_model=ImportReport,
    summary="Import signals from a CSV or XLSX file",
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses={
        401: {"description": "No valid API key.", **_PROBLEM},
        413: {"description": "The file is over the byte or row limit.", **_PROBLEM},
        415: {"description": "Not CSV, XLSX or a form with a file.", **_PROBLEM},
        422: {
            "description": "The file as a whole is refused (unreadable; unknown, duplicate or "
            "missing columns): nothing was imported.",
            **_PROBLEM,
        },
        503: {"description": "Kafka unavailable: nothing was accepted, retry later.", **_PROBLEM},
    },
)
async def import_signals(
    request: Request,
    organisation: OrganisationDep,
    publisher: PublisherDep,
    redactor: RedactorDep,
    settings: SettingsDep,
    dry_run: DryRunQuery = False,
) -> ImportReport | JSONResponse:
    """A report per data row: `accepted` (with its signal_id), or `refused` with each field,
    its column and the reason in Dutch; `unavailable` when the broker did not acknowledge
    it (import the file again: accepted rows are not counted twice). Column names and
    values may be the API's codes or the Dutch names and labels of `GET /v1/vocabularies`.
    With `dry_run=true`, each valid row is `valid` and nothing is stored."""
    upload = await _upload(request)
    if isinstance(upload, JSONResponse):
        return upload
    try:
        checked = await asyncio.to_thread(check_file, upload, settings.max_import_rows)
    except TooManyRowsError as error:
        return problem_response(
            413,
            "body-too-large",
            "The file has too many rows",
            detail=f"At most {error.limit} rows per import; nothing was imported. Split the file.",
        )
    except UnpackedTooLargeError:
        return problem_response(
            413,
            "body-too-large",
            "The file unpacks to too much data",
            detail="The XLSX file unpacks to far more than a sheet of its size can hold; "
            "nothing was imported.",
        )
    except UnreadableFileError as error:
        audit(organisation.organisation_id, organisation.key_id, "refused", reason=error.error_type)
        return _refused_file(
            "Nothing was imported.",
            [FieldError(field="file", reason=error.reason, type=error.error_type)],
        )
    except HeaderProblemsError as error:
        audit(organisation.organisation_id, organisation.key_id, "refused", reason="columns")
        return _refused_file(
            f"{len(error.problems)} column problem(s); nothing was imported.",
            [FieldError(field=p.column, reason=p.reason, type=p.type) for p in error.problems],
        )
    report = await submit_rows(
        checked.rows,
        organisation,
        redactor,
        publisher,
        file_format=checked.format,
        description_column=checked.description_column,
        dry_run=dry_run,
    )
    if report.unavailable and not report.accepted:
        return problem_response(
            503,
            "broker-unavailable",
            "Signals cannot be accepted right now",
            detail="The message broker did not acknowledge in time; no row was accepted. "
            "Importing the file again is safe.",
            headers={"Retry-After": str(settings.retry_after_seconds)},
        )
    return report

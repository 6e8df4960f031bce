"""RFC 9457 problem details for every error intake returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://waakhond.nl/problems/"


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. `law_domains.0`.")
    reason: str = Field(description="Why the value was refused.")
    type: str = Field(description="Machine-readable error type.")


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


def field_errors(errors: Sequence[Mapping[str, Any]], *, drop_prefix: int = 0) -> list[FieldError]:
    """Pydantic/FastAPI errors as field + reason, without echoing the input values."""
    return [
        FieldError(
            field=".".join(str(part) for part in error["loc"][drop_prefix:]) or "body",
            reason=str(error["msg"]),
            type=str(error["type"]),
        )
        for error in errors
    ]


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    problem = Problem(type=PROBLEM_BASE + slug, title=title, status=status, detail=detail)
    if errors is not None:
        problem = problem.model_copy(update={"errors": errors})
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors(), drop_prefix=1)
    return problem_response(
        422,
        "validation-error",
        "The request is not valid",
        detail=f"{len(errors)} field(s) refused; nothing was accepted.",
        errors=errors,
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's answer to a body it could not parse at all: bad input like any other.
        return problem_response(
            422,
            "validation-error",
            "The request is not valid",
            errors=[FieldError(field="body", reason=str(exc.detail), type="json_invalid")],
        )
    slug = {401: "unauthorized", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, "http-error"
    )
    return problem_response(
        exc.status_code,
        slug,
        str(exc.detail),
        headers=exc.headers,
    )


async def _too_deep(_request: Request, _exc: Exception) -> JSONResponse:
    # json.loads raises RecursionError on absurdly nested bodies: that is bad input, not a fault.
    return problem_response(
        422,
        "validation-error",
        "The request is not valid",
        errors=[FieldError(field="body", reason="JSON nested too deeply", type="json_invalid")],
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RecursionError, _too_deep)

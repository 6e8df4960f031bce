"""RFC 9457 problem details: the one shape of every error the HTTP services answer.

``install_problem_handlers`` makes a FastAPI app answer every error this way (invalid input,
unknown paths and methods, faults) and states it in the app's OpenAPI document: every
operation that takes input documents its 422 as ``application/problem+json`` with the
``Problem`` schema. Each problem ``type`` is a URI whose fragment is the problem's section in
docs/problems.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
# The fragment names the problem's section (its heading) in docs/problems.md.
PROBLEM_BASE = "https://waakhond.nl/docs/problems#"
VALIDATION_ERROR = "validation-error"
INVALID_REQUEST = "The request is not valid"
# The problem types of HTTP errors raised by the framework or by ``HTTPException``.
HTTP_PROBLEM_TYPES = {401: "unauthorized", 404: "not-found", 405: "method-not-allowed"}
OTHER_HTTP_ERROR = "http-error"
INTERNAL_ERROR = "internal-error"


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


def problem_type(slug: str) -> str:
    return PROBLEM_BASE + slug


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


def input_error(location: str, field: str, error_type: str, reason: str) -> dict[str, Any]:
    """One refused field in FastAPI's error shape, ``location`` being e.g. ``query``."""
    return {"loc": (location, field), "msg": reason, "type": error_type}


def refused(location: str, field: str, error_type: str, reason: str) -> RequestValidationError:
    """A check beyond the declared types: raised, it is answered like FastAPI's own 422."""
    return RequestValidationError([input_error(location, field, error_type, reason)])


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    problem = Problem(type=problem_type(slug), title=title, status=status, detail=detail)
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
        VALIDATION_ERROR,
        INVALID_REQUEST,
        detail=f"{len(errors)} field(s) refused; nothing was accepted.",
        errors=errors,
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's answer to a body it could not parse at all: bad input like any other.
        return problem_response(
            422,
            VALIDATION_ERROR,
            INVALID_REQUEST,
            errors=[FieldError(field="body", reason=str(exc.detail), type="json_invalid")],
        )
    return problem_response(
        exc.status_code,
        HTTP_PROBLEM_TYPES.get(exc.status_code, OTHER_HTTP_ERROR),
        str(exc.detail),
        headers=exc.headers,
    )


async def _too_deep(_request: Request, _exc: Exception) -> JSONResponse:
    # json.loads raises RecursionError on absurdly nested bodies: that is bad input, not a fault.
    return problem_response(
        422,
        VALIDATION_ERROR,
        INVALID_REQUEST,
        errors=[FieldError(field="body", reason="JSON nested too deeply", type="json_invalid")],
    )


async def _internal_error(_request: Request, _exc: Exception) -> JSONResponse:
    # Starlette logs the exception after this answer; the client learns nothing of its text.
    return problem_response(
        500,
        INTERNAL_ERROR,
        "Internal error",
        detail="The request could not be answered because of a fault on our side.",
    )


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def document_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Every 422, and every response a route documents as a problem, as ``Problem`` in
    ``application/problem+json`` only (FastAPI would say ``HTTPValidationError`` in JSON)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in {**problem.pop("$defs", {}), "Problem": problem}.items():
        schemas.setdefault(name, schema)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                if status == "422" or PROBLEM_MEDIA_TYPE in response.get("content", {}):
                    response["content"] = _problem_content()
                    if status == "422" and response.get("description") == "Validation Error":
                        response["description"] = "Invalid input: every field and reason is listed."
    # FastAPI's own error schemas, once nothing refers to them any more.
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{unused}"' not in json.dumps(document):
            schemas.pop(unused, None)
    return document


def _problem_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(generate())
        return app.openapi_schema

    return openapi


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RecursionError, _too_deep)
    app.add_exception_handler(Exception, _internal_error)
    # FastAPI's documented way to change the document: replace the app's openapi method.
    app.openapi = _problem_openapi(app)  # type: ignore[method-assign]

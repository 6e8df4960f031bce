"""Problem details as both services answer them, and docs/problems.md in step with the code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient

from waakhond_runtime import problems
from waakhond_runtime.problems import (
    PROBLEM_BASE,
    PROBLEM_MEDIA_TYPE,
    install_problem_handlers,
    refused,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs/problems.md"
RUNTIME_PROBLEMS = REPO_ROOT / "services/runtime/waakhond_runtime/problems.py"
# The packages that answer HTTP: every problem they can send is looked for in their source.
PACKAGES = [
    REPO_ROOT / "services/runtime/waakhond_runtime",
    REPO_ROOT / "services/intake/waakhond_intake",
    REPO_ROOT / "services/aggregator/waakhond_aggregator",
]


def _anchor(heading: str) -> str:
    """The fragment a Markdown renderer (GitHub's rules) gives a heading."""
    kept = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return kept.replace(" ", "-")


def documented_problem_types() -> set[str]:
    """The type URI of every section of docs/problems.md."""
    text = DOCS.read_text(encoding="utf-8")
    return {
        PROBLEM_BASE + _anchor(heading) for heading in re.findall(r"^## (.+)$", text, re.MULTILINE)
    }


def _slug_of(call: ast.Call) -> ast.expr | None:
    if len(call.args) >= 2:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg == "slug"), None)


def emitted_problem_slugs() -> set[str]:
    """Every problem type the code can answer, read from the source.

    A slug is a string literal given to ``problem_response`` or ``problem_type``, or added to
    ``PROBLEM_BASE``; the generic handlers' types are the named constants of
    ``waakhond_runtime.problems``, the only module allowed to pass a slug that is not a literal.
    """
    slugs = {
        problems.VALIDATION_ERROR,
        problems.OTHER_HTTP_ERROR,
        problems.INTERNAL_ERROR,
        *problems.HTTP_PROBLEM_TYPES.values(),
    }
    for package in PACKAGES:
        for path in package.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                slug: ast.expr | None = None
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    if node.func.id == "problem_response":
                        slug = _slug_of(node)
                    elif node.func.id == "problem_type" and node.args:
                        slug = node.args[0]
                elif (
                    isinstance(node, ast.BinOp)
                    and isinstance(node.left, ast.Name)
                    and node.left.id == "PROBLEM_BASE"
                ):
                    slug = node.right
                if slug is None:
                    continue
                if isinstance(slug, ast.Constant) and isinstance(slug.value, str):
                    slugs.add(slug.value)
                else:
                    where = f"{path.relative_to(REPO_ROOT)}:{slug.lineno}"
                    assert path == RUNTIME_PROBLEMS, f"{where}: a problem type, not a literal"
    return slugs


def test_every_problem_type_the_code_answers_has_its_section_in_the_docs() -> None:
    emitted = emitted_problem_slugs()
    # Guards the scan itself: these are answered by intake, by the trends API, or by both.
    assert {
        "validation-error",
        "identifying-details",
        "body-too-large",
        "rate-limited",
        "broker-unavailable",
        "unauthorized",
        "not-found",
        "method-not-allowed",
        "internal-error",
    } <= emitted
    documented = documented_problem_types()
    assert {PROBLEM_BASE + slug for slug in emitted} <= documented
    # And no section for a problem that can no longer happen.
    assert documented <= {PROBLEM_BASE + slug for slug in emitted}


def test_a_problem_type_is_a_link_to_its_section() -> None:
    assert PROBLEM_BASE.endswith("problems#")
    assert PROBLEM_BASE + "validation-error" in documented_problem_types()


@pytest.fixture
def service() -> Iterator[TestClient]:
    """A bare app with the handlers: what they do, apart from any service."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/days")
    async def days(count: int = Query(ge=1), to: str | None = None) -> dict[str, int]:
        if to == "past":
            raise refused("query", "to", "date_range_reversed", "must not be after today")
        return {"count": count}

    @app.get("/fault")
    async def fault() -> None:
        raise RuntimeError("secret connection string")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _problem(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    return body


def test_invalid_input_is_422_naming_each_field_and_reason(service: TestClient) -> None:
    response = service.get("/days", params={"count": "0"})
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["type"] == PROBLEM_BASE + "validation-error"
    assert problem["status"] == 422
    assert problem["errors"] == [
        {
            "field": "count",
            "reason": "Input should be greater than or equal to 1",
            "type": "greater_than_equal",
        }
    ]


def test_a_refusal_of_a_route_is_the_same_422(service: TestClient) -> None:
    response = service.get("/days", params={"count": "1", "to": "past"})
    assert response.status_code == 422
    (error,) = _problem(response)["errors"]
    assert error == {
        "field": "to",
        "reason": "must not be after today",
        "type": "date_range_reversed",
    }


def test_unknown_path_and_method_are_problems(service: TestClient) -> None:
    missing = service.get("/nowhere")
    assert missing.status_code == 404
    assert _problem(missing)["type"] == PROBLEM_BASE + "not-found"
    wrong_method = service.post("/days")
    assert wrong_method.status_code == 405
    assert _problem(wrong_method)["type"] == PROBLEM_BASE + "method-not-allowed"
    assert wrong_method.headers["allow"] == "GET"


def test_a_fault_is_a_500_problem_that_tells_nothing_of_it(service: TestClient) -> None:
    response = service.get("/fault")
    assert response.status_code == 500
    problem = _problem(response)
    assert problem["type"] == PROBLEM_BASE + "internal-error"
    assert "secret" not in response.text


def test_the_document_states_422_as_a_problem(service: TestClient) -> None:
    document = service.get("/openapi.json").json()
    answer = document["paths"]["/days"]["get"]["responses"]["422"]
    assert answer["content"] == {
        PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    schemas = document["components"]["schemas"]
    assert {"Problem", "FieldError"} <= set(schemas)
    assert not {"HTTPValidationError", "ValidationError"} & set(schemas)
    assert schemas["FieldError"]["required"] == ["field", "reason", "type"]

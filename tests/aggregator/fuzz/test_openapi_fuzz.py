"""Schemathesis against the trends API's own OpenAPI document, in process, on a real chDB:
no 5xx, and every response, every problem included, matches what the document says.

The cases are schemathesis' own: the document's examples, its coverage phase (boundary and
wrong-type values, unexpected methods, duplicated parameters) and generated cases that fit
or break the document. They are sent with the in-process ASGI test client (httpx), because
schemathesis' requests transport does not work beside the urllib3 fork that the Grafana client
pulls in.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode

from tests.aggregator.storage.test_analytics_views import analytics_signals, fix_secret, store
from tests.runtime.test_problems import documented_problem_types
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_runtime.problems import PROBLEM_MEDIA_TYPE
from waakhond_runtime.settings import ClickHouseSettings

# Generated cases per operation and generation mode, beside the examples and the coverage
# phase: enough to reach every parameter's edges, few enough that the module stays quick.
CASES_PER_MODE = 25
BASE_URL = "http://testserver"
# positive_data_acceptance is left out on purpose: the API has rules JSON Schema cannot state
# (dates from 2015 on and not far ahead, `from` not after `to`, at most 1,830 days, a region
# code that exists at the level asked for), so some schema-valid requests are rightly refused
# with 422. Every other check runs.
EXCLUDED_CHECKS = [positive_data_acceptance]
API_PATHS = {
    "/v1/trends",
    "/v1/trends/monthly",
    "/v1/breakdowns",
    "/v1/breakdowns/totals",
    "/v1/trends/direction",
    "/v1/alerts",
    "/v1/hard-to-place",
    "/v1/hard-to-place/direction",
}


@pytest.fixture(scope="module")
def trends_api(clickhouse_client: Client, chdb_path: Path) -> Iterator[TestClient]:
    """The aggregator app on its own database, seeded so that the routes answer rows."""
    database = f"t_{uuid.uuid4().hex[:10]}"
    settings = ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=database)
    app = create_app(AggregatorSettings(consume=False), settings, client=clickhouse_client)
    fix_secret(clickhouse_client, database)
    store(clickhouse_client, database, analytics_signals())
    # A fault must come back as the 500 the client sees, not as an exception in the test.
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        yield client
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


class Run:
    """What the cases met: statuses per operation, problem types, and every failure."""

    def __init__(self, http: TestClient) -> None:
        self.http = http
        self.statuses: dict[str, Counter[int]] = {}
        self.problem_types: set[str] = set()
        self.failures: dict[tuple[str, str], str] = {}
        self.cases = 0

    def check(self, label: str, case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        response = self.http.request(
            kwargs["method"],
            kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            cookies=kwargs.get("cookies"),
        )
        self.cases += 1
        self.statuses.setdefault(label, Counter())[response.status_code] += 1
        if response.headers.get("content-type") == PROBLEM_MEDIA_TYPE:
            self.problem_types.add(response.json()["type"])
        try:
            case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)
        except FailureGroup as group:
            # Kept rather than raised, so that one run reports every distinct failure.
            for failure in group.exceptions:
                self.failures.setdefault((label, failure.title), str(group))

    def fuzz(self, label: str, operation: Any, mode: GenerationMode) -> None:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=CASES_PER_MODE,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def generated(case: Any) -> None:
            self.check(label, case)

        generated()

    def examples(self, label: str, operation: Any) -> None:
        strategies = operation.get_strategies_from_examples()
        if not strategies:
            return

        @given(case=st.one_of(*strategies))
        @settings(max_examples=10, deadline=None, database=None)
        def documented(case: Any) -> None:
            self.check(label, case)

        documented()

    def coverage(self, label: str, operation: Any) -> None:
        schema = operation.schema
        for case in schema.iter_coverage_cases(
            operation,
            generation_modes=list(GenerationMode),
            generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
        ):
            self.check(label, case)


def test_trends_api_conforms_to_its_openapi(trends_api: TestClient) -> None:
    schema = schemathesis.openapi.from_dict(trends_api.get("/openapi.json").json())
    operations: dict[str, Any] = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the document has an invalid operation: {result}"
        operations[result.ok().label] = result.ok()
    assert {f"GET {path}" for path in API_PATHS} <= set(operations)

    run = Run(trends_api)
    for label, operation in operations.items():
        run.examples(label, operation)
        run.coverage(label, operation)
        for mode in GenerationMode:
            # Nothing can break a document that names no parameters (the health checks).
            if mode is GenerationMode.POSITIVE or len(operation.query):
                run.fuzz(label, operation, mode)

    assert not run.failures, "\n".join(
        [f"{len(run.failures)} failure(s):", *dict.fromkeys(run.failures.values())]
    )
    # The cases reached both the answering and the refusing paths of every data route.
    for path in API_PATHS:
        assert {200, 422} <= set(run.statuses[f"GET {path}"]), (path, run.statuses)
    assert run.cases >= 1000
    # Every problem the cases met is explained in docs/problems.md.
    documented = documented_problem_types()
    assert run.problem_types <= documented, run.problem_types - documented
    assert any(re.search(r"#validation-error$", kind) for kind in run.problem_types)

"""``GET /v1/reports/{period}``: the report as a page and as a PDF, and problems for bad input."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient

from tests.aggregator.api.routes.test_trends import refused_fields
from tests.aggregator.reports.dataset import store_demo
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_runtime.settings import ClickHouseSettings


@pytest.fixture(scope="module")
def api(clickhouse_client: Client, chdb_path: Path) -> Iterator[TestClient]:
    database = f"t_{uuid.uuid4().hex[:10]}"
    settings = ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=database)
    app = create_app(AggregatorSettings(consume=False), settings, client=clickhouse_client)
    store_demo(clickhouse_client, database, 1500)
    with TestClient(app) as client:
        yield client
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


def test_the_report_is_an_html_page_by_default(api: TestClient) -> None:
    response = api.get("/v1/reports/2026-Q3")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.startswith("<!DOCTYPE html>")
    assert "Signaleringsrapport Nederland, derde kwartaal 2026" in response.text
    assert "Samenvatting" in response.text


def test_the_report_of_a_region_as_a_pdf_download(api: TestClient) -> None:
    response = api.get("/v1/reports/2026-09", params={"scope": "PV27", "format": "pdf"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="signaleringsrapport-PV27-2026-09.pdf"'
    )


def test_an_empty_period_is_a_report_that_says_so(api: TestClient) -> None:
    response = api.get("/v1/reports/2018", params={"scope": "ZK09"})
    assert response.status_code == 200
    assert "Geen gegevens" in response.text


@pytest.mark.parametrize(
    ("path", "params", "refused"),
    [
        pytest.param("/v1/reports/2026-Q5", {}, {("period", "invalid_period")}, id="quarter-5"),
        pytest.param("/v1/reports/2026-13", {}, {("period", "invalid_period")}, id="month-13"),
        pytest.param("/v1/reports/2014", {}, {("period", "invalid_period")}, id="too-early"),
        pytest.param(
            "/v1/reports/2026-Q3-extra", {}, {("period", "string_too_long")}, id="too-long"
        ),
        pytest.param(
            "/v1/reports/2026", {"scope": "ZK99"}, {("scope", "unknown_region")}, id="no-region"
        ),
        pytest.param(
            "/v1/reports/2026",
            {"scope": "pv27"},
            {("scope", "string_pattern_mismatch")},
            id="lower-case-scope",
        ),
        pytest.param(
            "/v1/reports/2026", {"format": "docx"}, {("format", "enum")}, id="unknown-format"
        ),
        pytest.param(
            "/v1/reports/2026", {"region": "PV27"}, {("region", "unknown_parameter")}, id="region"
        ),
    ],
)
def test_bad_input_is_a_problem_naming_it(
    api: TestClient, path: str, params: dict[str, str], refused: set[tuple[str, str]]
) -> None:
    assert refused_fields(api.get(path, params=params)) == refused


def test_the_route_is_documented_with_both_media_types(api: TestClient) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/v1/reports/{period}"]["get"]
    assert set(operation["responses"]["200"]["content"]) >= {"text/html", "application/pdf"}
    assert "422" in operation["responses"]

"""The analytics endpoints answer what the suppressed views hold, as JSON and as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.aggregator.api.routes.test_trends import refused_fields
from tests.aggregator.storage.test_analytics_views import (
    AS_OF,
    rows,
)
from waakhond_aggregator.api.models import Windows
from waakhond_aggregator.api.routes.analytics import analytics_router
from waakhond_runtime.problems import PROBLEM_MEDIA_TYPE


def as_json_values(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """View rows as the API serialises them (dates as ISO strings)."""
    return [
        {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}
        for record in records
    ]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def as_csv_values(records: list[dict[str, Any]]) -> list[dict[str, str]]:
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return [{k: cell(v) for k, v in record.items()} for record in records]


CASES = [
    pytest.param(
        "/v1/trends/monthly",
        {"level": "zorgkantoorregio", "category": "all", "from": "2024-12-01", "to": "2025-03-30"},
        """SELECT t.region_code AS region_code, n.region_name AS region_name,
                  t.month_start AS month_start, t.weeks AS weeks, t.signals AS signals
           FROM {db}.suppressed_trend_monthly AS t
           JOIN {db}.suppressed_region_names AS n USING (level, region_code)
           WHERE level = 'zorgkantoorregio' AND category = 'all'
             AND month_start BETWEEN '2024-12-01' AND '2025-03-30'
           ORDER BY region_code, month_start""",
        id="monthly",
    ),
    pytest.param(
        "/v1/breakdowns",
        {
            "level": "province",
            "category": "policy_gap",
            "dimension": "target_group",
            "from": "2025-01-01",
            "to": "2025-03-30",
        },
        """SELECT t.region_code AS region_code, n.region_name AS region_name,
                  t.week_start AS week_start, toString(t.value) AS value, t.signals AS signals
           FROM {db}.suppressed_breakdown_weekly AS t
           JOIN {db}.suppressed_region_names AS n USING (level, region_code)
           WHERE level = 'province' AND category = 'policy_gap' AND dimension = 'target_group'
             AND week_start BETWEEN '2024-12-30' AND '2025-03-30'
           ORDER BY region_code, week_start, value""",
        id="breakdowns",
    ),
    pytest.param(
        "/v1/breakdowns/totals",
        {"level": "national", "dimension": "law_domain", "from": "2024-12-02", "to": "2025-03-30"},
        """SELECT t.region_code AS region_code, n.region_name AS region_name,
                  toString(t.value) AS value, t.signals AS signals
           FROM {db}.suppressed_breakdown_totals(date_from = '2024-12-02', date_to = '2025-03-30')
               AS t
           JOIN {db}.suppressed_region_names AS n USING (level, region_code)
           WHERE level = 'national' AND category = 'all' AND dimension = 'law_domain'
           ORDER BY region_code, value""",
        id="breakdown-totals",
    ),
    pytest.param(
        "/v1/alerts",
        {"as_of": AS_OF.isoformat()},
        """SELECT level, category, region_code, region_name, baseline_signals, recent_signals,
                  baseline_rate, recent_rate, rate_ratio, rise_per_week, p_value, q_value
           FROM {db}.suppressed_trend_alerts(as_of = '2025-03-30')
           ORDER BY p_value, rate_ratio DESC, level, region_code, category""",
        id="alerts",
    ),
    pytest.param(
        "/v1/trends/direction",
        {"as_of": AS_OF.isoformat(), "level": "zorgkantoorregio"},
        """SELECT level, category, region_code, region_name, baseline_signals, recent_signals,
                  baseline_rate, recent_rate, rate_ratio, rise_per_week, p_rise, p_fall, q_rise,
                  direction, is_alert
           FROM {db}.suppressed_trend_direction(as_of = '2025-03-30')
           WHERE level = 'zorgkantoorregio'
           ORDER BY level, region_code, category""",
        id="direction",
    ),
    pytest.param(
        "/v1/hard-to-place",
        {"region": "ZK02", "from": "2024-12-02", "to": "2025-03-30"},
        """SELECT t.region_code AS region_code, n.region_name AS region_name,
                  toString(t.target_group) AS target_group, t.week_start AS week_start,
                  t.signals AS signals
           FROM {db}.suppressed_hard_to_place AS t
           JOIN {db}.suppressed_region_names AS n USING (level, region_code)
           WHERE level = 'zorgkantoorregio' AND region_code = 'ZK02'
           ORDER BY region_code, target_group, week_start""",
        id="hard-to-place",
    ),
    pytest.param(
        "/v1/hard-to-place/direction",
        {"as_of": AS_OF.isoformat()},
        """SELECT level, toString(target_group) AS target_group, region_code, region_name,
                  baseline_signals, recent_signals, baseline_rate, recent_rate, rate_ratio,
                  rise_per_week, p_rise, p_fall, direction
           FROM {db}.suppressed_hard_to_place_direction(as_of = '2025-03-30')
           WHERE level = 'zorgkantoorregio'
           ORDER BY region_code, target_group""",
        id="hard-to-place-direction",
    ),
]


@pytest.mark.parametrize(("path", "params", "view_sql"), CASES)
def test_json_rows_are_the_view_rows(
    api: tuple[TestClient, Client, str], path: str, params: dict[str, str], view_sql: str
) -> None:
    client, clickhouse, database = api
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = rows(clickhouse, view_sql.format(db=database))
    assert expected, "the seeded data must give rows here"
    found = [{k: row[k] for k in expected[0]} for row in body["rows"]]
    assert found == as_json_values(expected)
    assert body["disclosure"] == {"min_count": 10, "rounding_base": 5, "noise": True}


@pytest.mark.parametrize(("path", "params", "view_sql"), CASES)
def test_csv_has_the_same_rows_as_json(
    api: tuple[TestClient, Client, str], path: str, params: dict[str, str], view_sql: str
) -> None:
    client, _, _ = api
    as_json = client.get(path, params=params).json()["rows"]
    by_parameter = client.get(path, params={**params, "format": "csv"})
    by_header = client.get(path, params=params, headers={"Accept": "text/csv"})
    for response in (by_parameter, by_header):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        # The JSON's columns; the label and filter columns are tested in ../test_answer.py.
        lines = csv_rows(response.text)
        assert [{k: line[k] for k in as_json[0]} for line in lines] == as_csv_values(as_json)


def test_suppressed_cells_are_null_in_json_and_empty_in_csv(
    api: tuple[TestClient, Client, str],
) -> None:
    client, _, _ = api
    params = {
        "level": "municipality",
        "region": "GM0014",
        "dimension": "target_group",
        "from": "2025-01-13",
        "to": "2025-01-19",
    }
    (row,) = client.get("/v1/breakdowns", params=params).json()["rows"]
    assert (row["value"], row["signals"]) == ("elderly_dementia", None)
    (line,) = csv_rows(client.get("/v1/breakdowns", params={**params, "format": "csv"}).text)
    assert line["signals"] == ""


def test_alert_windows_are_reported(api: tuple[TestClient, Client, str]) -> None:
    client, _, _ = api
    body = client.get("/v1/alerts", params={"as_of": "2025-03-30"}).json()
    assert body["windows"] == {
        "as_of": "2025-03-30",
        "recent_from": "2025-02-24",
        "recent_to": "2025-03-23",
        "baseline_from": "2024-12-02",
        "baseline_to": "2025-02-23",
    }
    assert Windows.for_date(dt.date(2025, 3, 24)) == Windows.for_date(
        dt.date(2025, 3, 30)
    ).model_copy(update={"as_of": dt.date(2025, 3, 24)})
    ranked = [(r["level"], r["region_code"], r["category"]) for r in body["rows"]]
    assert ("zorgkantoorregio", "ZK02", "no_suitable_care") in ranked


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("/v1/breakdowns", {}, id="dimension-missing"),
        pytest.param("/v1/breakdowns", {"dimension": "colour"}, id="unknown-dimension"),
        pytest.param("/v1/trends/monthly", {"level": "street"}, id="unknown-level"),
        pytest.param("/v1/alerts", {"category": "everything"}, id="unknown-category"),
        pytest.param("/v1/alerts", {"as_of": "yesterday"}, id="bad-date"),
        pytest.param("/v1/hard-to-place", {"region": "'; DROP"}, id="injection-shaped-region"),
        pytest.param(
            "/v1/hard-to-place", {"from": "2025-04-01", "to": "2025-03-01"}, id="reversed"
        ),
        pytest.param("/v1/trends/monthly", {"format": "xml"}, id="unknown-format"),
    ],
)
def test_bad_parameters_are_422(
    api: tuple[TestClient, Client, str], path: str, params: dict[str, str]
) -> None:
    client, _, _ = api
    assert client.get(path, params=params).status_code == 422


RANGE_PATHS = ["/v1/trends/monthly", "/v1/hard-to-place", "/v1/trends"]
DIMENSION_PATHS = ["/v1/breakdowns", "/v1/breakdowns/totals"]
AS_OF_PATHS = ["/v1/trends/direction", "/v1/alerts", "/v1/hard-to-place/direction"]


@pytest.mark.parametrize("path", RANGE_PATHS + DIMENSION_PATHS)
def test_the_range_limit_is_a_problem_naming_from(
    api: tuple[TestClient, Client, str], path: str
) -> None:
    """Found by schemathesis: the limit used to answer a `detail` string, not the 422 shape
    the document promises."""
    client, _, _ = api
    params = {"from": "2015-01-01", "to": "2025-03-30"}
    if path in DIMENSION_PATHS:
        params["dimension"] = "law_domain"
    assert refused_fields(client.get(path, params=params)) == {("from", "date_range_too_long")}


@pytest.mark.parametrize(
    ("path", "field"),
    [(path, "as_of") for path in AS_OF_PATHS] + [(path, "to") for path in RANGE_PATHS],
)
def test_a_number_is_not_a_date(api: tuple[TestClient, Client, str], path: str, field: str) -> None:
    """Found by schemathesis: `as_of=0` was taken as 1970-01-01."""
    client, _, _ = api
    assert refused_fields(client.get(path, params={field: "0"})) == {(field, "date_format")}


@pytest.mark.parametrize("path", AS_OF_PATHS)
def test_as_of_before_2015_is_refused(api: tuple[TestClient, Client, str], path: str) -> None:
    client, _, _ = api
    response = client.get(path, params={"as_of": "2014-06-30"})
    assert refused_fields(response) == {("as_of", "date_too_early")}


@pytest.mark.parametrize(
    ("path", "params", "refused"),
    [
        pytest.param(
            "/v1/alerts", {"level": "province", "region": "ZK02"}, ("region", "unknown_region")
        ),
        pytest.param("/v1/alerts", {"region": "ZZ99"}, ("region", "unknown_region")),
        pytest.param("/v1/hard-to-place", {"region": "PV27"}, ("region", "unknown_region")),
        pytest.param(
            "/v1/breakdowns",
            {"dimension": "law_domain", "dimensoin": "age_band"},
            ("dimensoin", "unknown_parameter"),
        ),
        pytest.param("/v1/trends/direction", {"asof": "2025-03-30"}, ("asof", "unknown_parameter")),
        pytest.param("/v1/breakdowns", {}, ("dimension", "missing")),
    ],
)
def test_bad_parameters_are_problems_naming_the_field(
    api: tuple[TestClient, Client, str], path: str, params: dict[str, str], refused: tuple[str, str]
) -> None:
    client, _, _ = api
    assert refused_fields(client.get(path, params=params)) == {refused}


def test_a_region_without_a_level_may_be_of_any_level(
    api: tuple[TestClient, Client, str],
) -> None:
    client, _, _ = api
    for region in ("ZK02", "GM0014", "NL"):
        response = client.get("/v1/alerts", params={"as_of": "2025-03-30", "region": region})
        assert response.status_code == 200, region


def test_a_refusal_is_a_problem_even_when_csv_was_asked_for(
    api: tuple[TestClient, Client, str],
) -> None:
    client, _, _ = api
    response = client.get("/v1/alerts", params={"as_of": "0"}, headers={"Accept": "text/csv"})
    assert refused_fields(response) == {("as_of", "date_format")}


def test_the_document_states_every_422_as_a_problem(api: tuple[TestClient, Client, str]) -> None:
    client, _, _ = api
    document = client.get("/openapi.json").json()
    operations = [
        (path, operation)
        for path, item in document["paths"].items()
        if path.startswith("/v1/")
        for operation in item.values()
    ]
    assert len(operations) == 9  # the trends, the seven analytics routes and the report
    for path, operation in operations:
        assert operation["responses"]["422"]["content"] == {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
        }, path


def test_every_endpoint_reads_suppressed_views_only() -> None:
    """The SQL of the read API (the routes' and the queries' modules, and any other of the
    package) names no table or view outside ``suppressed_*``."""
    import re

    from waakhond_aggregator import api

    objects: dict[str, set[str]] = {}
    for path in Path(api.__file__).parent.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        named = set(re.findall(r"\{(?:answer\.)?database\}\.(\w+)|\{db\}\.(\w+)", source))
        objects[path.name] = {name for pair in named for name in pair if name}
    assert objects["analytics.py"]
    assert objects["queries.py"]
    found = set().union(*objects.values())
    assert all(name.startswith("suppressed_") for name in found), found


def test_the_router_serves_the_analytics_paths_under_v1() -> None:
    app = FastAPI()
    app.include_router(analytics_router)
    assert set(app.openapi()["paths"]) == {
        "/v1/trends/monthly",
        "/v1/trends/direction",
        "/v1/breakdowns",
        "/v1/breakdowns/totals",
        "/v1/alerts",
        "/v1/hard-to-place",
        "/v1/hard-to-place/direction",
    }

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient

from tests.aggregator.processing.test_transform import classified
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.regions import RegionLevel, load_region_reference
from waakhond_contract.vocabularies import Category
from waakhond_runtime.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from waakhond_runtime.settings import ClickHouseSettings


@pytest.fixture
def trends(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> Iterator[TestClient]:
    # No suppression here: these tests are about counting; disclosure is tested below.
    settings = AggregatorSettings(
        consume=False,
        disclosure_min_count=1,
        disclosure_rounding_base=1,
        disclosure_noise=False,
    )
    app = create_app(settings, clickhouse_settings, client=clickhouse_client)
    reference = load_region_reference()
    signals = [
        classified([Category.MISSED_RIGHTS], observed_on="2025-03-04"),
        classified([Category.MISSED_RIGHTS], observed_on="2025-03-06"),
        classified([Category.POLICY_GAP], observed_on="2025-03-18", municipality_code="GM0014"),
    ]
    rows = [to_rows(s, reference) for s in signals]
    store = TrendStore(clickhouse_client, clickhouse_settings.database)
    store.insert(rows)
    store.insert(rows[:1])  # a replay changes nothing
    with TestClient(app) as client:
        yield client


def test_weekly_series_with_empty_weeks_filled(trends: TestClient) -> None:
    response = trends.get(
        "/v1/trends",
        params={"level": "national", "category": "all", "from": "2025-03-03", "to": "2025-03-23"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == ("2025-03-03", "2025-03-23")
    (series,) = body["series"]
    assert series["region_name"] == "Nederland"
    assert [(p["week"], p["signals"]) for p in series["points"]] == [
        ("2025-W10", 2),
        ("2025-W11", 0),
        ("2025-W12", 1),
    ]


def test_per_region_and_category(trends: TestClient) -> None:
    response = trends.get(
        "/v1/trends",
        params={
            "level": "province",
            "category": "missed_rights",
            "from": "2025-03-01",
            "to": "2025-03-31",
        },
    )
    totals = {s["region_name"]: s["total"] for s in response.json()["series"]}
    assert totals == {"Noord-Holland": 2}


def test_region_filter(trends: TestClient) -> None:
    response = trends.get(
        "/v1/trends",
        params={
            "level": "municipality",
            "region": "GM0014",
            "from": "2025-03-01",
            "to": "2025-03-31",
        },
    )
    assert [s["region_name"] for s in response.json()["series"]] == ["Groningen"]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"level": "street"}, id="unknown-level"),
        pytest.param({"category": "everything"}, id="unknown-category"),
        pytest.param({"from": "2025-04-01", "to": "2025-03-01"}, id="reversed-range"),
        pytest.param({"from": "2010-01-01", "to": "2025-03-01"}, id="range-too-long"),
        pytest.param({"region": "'; DROP TABLE"}, id="injection-shaped-region"),
    ],
)
def test_bad_parameters_are_422(trends: TestClient, params: dict[str, str]) -> None:
    assert trends.get("/v1/trends", params=params).status_code == 422


def refused_fields(response: httpx.Response) -> set[tuple[str, str]]:
    """The (field, type) pairs of a 422 validation problem; every one has a reason."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem: dict[str, Any] = response.json()
    assert problem["type"] == PROBLEM_BASE + "validation-error"
    assert problem["status"] == 422
    assert all(error["reason"] for error in problem["errors"])
    return {(error["field"], error["type"]) for error in problem["errors"]}


FAR_AHEAD = (dt.date.today() + dt.timedelta(days=400)).isoformat()


@pytest.mark.parametrize(
    ("params", "refused"),
    [
        pytest.param({"from": "0"}, ("from", "date_format"), id="from-a-number"),
        pytest.param({"to": "0"}, ("to", "date_format"), id="to-a-number"),
        pytest.param({"to": "1741219200"}, ("to", "date_format"), id="to-unix-seconds"),
        pytest.param({"from": "2025-02-30"}, ("from", "date_format"), id="no-such-day"),
        pytest.param({"to": "2025-03-01T00:00"}, ("to", "date_format"), id="a-datetime"),
        pytest.param({"from": "2025-W10-1"}, ("from", "date_format"), id="a-week-date"),
        pytest.param({"from": "2014-12-31"}, ("from", "date_too_early"), id="before-2015"),
        pytest.param({"to": FAR_AHEAD}, ("to", "date_too_late"), id="far-ahead"),
        pytest.param(
            {"from": "2025-04-01", "to": "2025-03-01"},
            ("from", "date_range_reversed"),
            id="reversed-range",
        ),
        pytest.param(
            {"from": "2015-01-01", "to": "2025-03-01"},
            ("from", "date_range_too_long"),
            id="range-too-long",
        ),
        pytest.param(
            {"level": "municipality", "region": "GM9999"},
            ("region", "unknown_region"),
            id="no-such-municipality",
        ),
        pytest.param(
            {"level": "province", "region": "GM0014"},
            ("region", "unknown_region"),
            id="code-of-another-level",
        ),
        pytest.param({"region": "'; DROP"}, ("region", "string_pattern_mismatch"), id="injection"),
        pytest.param({"level": "street"}, ("level", "enum"), id="unknown-level"),
        pytest.param({"regoin": "GM0014"}, ("regoin", "unknown_parameter"), id="misspelt"),
        pytest.param(
            {"level": ["national", "province"]}, ("level", "repeated_parameter"), id="given-twice"
        ),
    ],
)
def test_bad_parameters_are_problems_naming_the_field(
    trends: TestClient, params: dict[str, Any], refused: tuple[str, str]
) -> None:
    assert refused_fields(trends.get("/v1/trends", params=params)) == {refused}


def test_dates_up_to_a_year_ahead_are_answered(trends: TestClient) -> None:
    ahead = (dt.date.today() + dt.timedelta(days=300)).isoformat()
    response = trends.get("/v1/trends", params={"to": ahead})
    assert response.status_code == 200
    assert response.json()["to"] == ahead


def test_the_default_range_starts_no_earlier_than_2015(trends: TestClient) -> None:
    response = trends.get("/v1/trends", params={"to": "2015-03-01"})
    assert response.status_code == 200
    assert (response.json()["from"], response.json()["to"]) == ("2015-01-01", "2015-03-01")


@pytest.mark.parametrize("level", list(RegionLevel))
def test_region_codes_of_the_level_are_accepted(trends: TestClient, level: RegionLevel) -> None:
    regions = load_region_reference().map_for(dt.date(2025, 3, 1)).regions(level)
    for region in (regions[0], regions[-1]):
        params = {"level": str(level), "region": region.code, "from": "2025-03-01"}
        assert trends.get("/v1/trends", params=params).status_code == 200, region


def test_unknown_paths_and_methods_are_problems(trends: TestClient) -> None:
    missing = trends.get("/v1/trend")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert missing.json()["type"] == PROBLEM_BASE + "not-found"
    wrong = trends.post("/v1/trends")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert wrong.json()["type"] == PROBLEM_BASE + "method-not-allowed"
    assert wrong.headers["allow"] == "GET"


def test_a_database_fault_is_a_500_problem_that_tells_nothing_of_it(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    app = create_app(
        AggregatorSettings(consume=False), clickhouse_settings, client=clickhouse_client
    )
    database = clickhouse_settings.database
    clickhouse_client.command(f"DROP VIEW {database}.suppressed_trend_weekly")
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/trends", params={"from": "2025-03-03", "to": "2025-03-09"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["type"] == PROBLEM_BASE + "internal-error"
    assert "suppressed_trend_weekly" not in response.text
    assert database not in response.text


def test_readyz_checks_clickhouse(trends: TestClient) -> None:
    assert trends.get("/readyz").status_code == 200


def test_small_counts_are_hidden_and_others_rounded(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    """Threshold and rounding, with the noise off to follow exact counts (the noise has its
    own tests in tests/aggregator/storage/test_disclosure.py)."""
    app = create_app(
        AggregatorSettings(consume=False, disclosure_noise=False),
        clickhouse_settings,
        client=clickhouse_client,
    )
    reference = load_region_reference()
    amsterdam = [classified([], observed_on="2025-03-04") for _ in range(12)]
    groningen = [
        classified([], observed_on="2025-03-04", municipality_code="GM0014") for _ in range(3)
    ]
    TrendStore(clickhouse_client, clickhouse_settings.database).insert(
        [to_rows(s, reference) for s in amsterdam + groningen]
    )
    with TestClient(app) as client:
        body = client.get(
            "/v1/trends",
            params={"level": "province", "from": "2025-03-03", "to": "2025-03-09"},
        ).json()
        national = client.get(
            "/v1/trends",
            params={"level": "national", "from": "2025-03-03", "to": "2025-03-09"},
        ).json()
    assert body["disclosure"] == {"min_count": 10, "rounding_base": 5, "noise": False}
    shown = {s["region_name"]: (s["total"], s["points"][0]["signals"]) for s in body["series"]}
    assert shown == {"Noord-Holland": (10, 10), "Groningen": (None, None)}
    # 15 in all is shown; 15 - 10 only bounds Groningen to 1..7, it never pins it down.
    assert national["series"][0]["total"] == 15


def test_csv_is_a_line_per_region_and_week_with_the_policy_in_a_header(
    trends: TestClient,
) -> None:
    """The header reads the policy the views apply (here threshold 1, no rounding, no noise),
    not the defaults."""
    params = {"level": "national", "from": "2025-03-03", "to": "2025-03-23", "format": "csv"}
    response = trends.get("/v1/trends", params=params)
    assert response.status_code == 200
    assert response.headers["waakhond-disclosure"] == (
        "min_count=1; rounding_base=1; noise=none; suppressed=empty"
    )
    assert response.headers["content-disposition"] == 'attachment; filename="trends.csv"'
    assert response.text.splitlines() == [
        "level,level_label,category,category_label,region_code,region_name,week,week_start,"
        "signals,total",
        "national,Nederland,all,Alle signalen,NL,Nederland,2025-W10,2025-03-03,2,3",
        "national,Nederland,all,Alle signalen,NL,Nederland,2025-W11,2025-03-10,0,3",
        "national,Nederland,all,Alle signalen,NL,Nederland,2025-W12,2025-03-17,1,3",
    ]

from __future__ import annotations

from collections.abc import Iterator

import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient

from tests.aggregator.processing.test_transform import classified
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category
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

"""Weekly cells: refreshing makes reading cheap and never changes a published number."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.processing.test_transform import classified
from tests.aggregator.storage.test_analytics_views import (
    AS_OF,
    DEFAULT,
    EXACT,
    analytics_signals,
    seed_analytics,
    store,
)
from waakhond_aggregator.storage.cells import RefreshPolicy, refresh_weekly_cells
from waakhond_aggregator.storage.disclosure import DisclosurePolicy
from waakhond_contract.vocabularies import Category

NOW = RefreshPolicy(quiet_seconds=0)
SOURCES = [
    "suppressed_trend_weekly",
    "suppressed_trend_monthly",
    "suppressed_trend_totals(date_from = '2024-12-01', date_to = '2025-03-30')",
    "suppressed_breakdown_weekly",
    "suppressed_breakdown_totals(date_from = '2025-01-06', date_to = '2025-02-28')",
    "suppressed_hard_to_place",
    f"suppressed_trend_direction(as_of = '{AS_OF}')",
    f"suppressed_hard_to_place_direction(as_of = '{AS_OF}')",
]


def published(client: Client, database: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every disclosed view, rows sorted, as a dashboard or the API would read them."""
    return {
        source: sorted(
            (tuple(row) for row in client.query(f"SELECT * FROM {database}.{source}").result_rows),
            key=repr,
        )
        for source in SOURCES
    }


def dirty(client: Client, database: str) -> set[tuple[str, Any]]:
    return {
        (row[0], row[1])
        for row in client.query(
            f"SELECT source, week_start FROM {database}.dirty_weeks"
        ).result_rows
    }


@pytest.fixture(params=[EXACT, DEFAULT], ids=["exact", "k10-b5-noise"])
def seeded(
    request: pytest.FixtureRequest, clickhouse_client: Client, chdb_path: Path
) -> Iterator[tuple[str, DisclosurePolicy]]:
    database = f"t_{uuid.uuid4().hex[:10]}"
    seed_analytics(clickhouse_client, database, request.param)
    yield database, request.param
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


def test_refresh_changes_no_published_number(
    seeded: tuple[str, DisclosurePolicy], clickhouse_client: Client
) -> None:
    database, _ = seeded
    live = published(clickhouse_client, database)
    assert dirty(clickhouse_client, database)
    refreshed = refresh_weekly_cells(clickhouse_client, database, NOW)
    assert len(refreshed["trend"]) == 16
    assert len(refreshed["breakdown"]) == 16
    # Every week now comes from the stored cells, none from the facts.
    assert dirty(clickhouse_client, database) == set()
    assert published(clickhouse_client, database) == live


def test_a_late_signal_counts_at_once_and_after_the_next_refresh(
    seeded: tuple[str, DisclosurePolicy], clickhouse_client: Client
) -> None:
    database, _ = seeded
    refresh_weekly_cells(clickhouse_client, database, NOW)
    late = [
        classified([Category.POLICY_GAP], observed_on="2025-01-14", municipality_code="GM0344")
        for _ in range(25)
    ]
    before = total(clickhouse_client, database)
    store(clickhouse_client, database, late)
    weeks = {week for source, week in dirty(clickhouse_client, database)}
    assert [str(week) for week in weeks] == ["2025-01-13"]
    after = total(clickhouse_client, database)
    assert after - before == 25
    refresh_weekly_cells(clickhouse_client, database, NOW)
    assert dirty(clickhouse_client, database) == set()
    assert total(clickhouse_client, database) == after


def total(client: Client, database: str) -> int:
    """Exact national count over everything (the cells, not a disclosed view)."""
    return int(
        client.query(
            f"SELECT sum(signals) FROM {database}.trend_week_cells "
            "WHERE level = 'national' AND category = 'all'"
        ).result_rows[0][0]
    )


def test_replays_after_a_refresh_change_nothing(
    seeded: tuple[str, DisclosurePolicy], clickhouse_client: Client
) -> None:
    database, _ = seeded
    refresh_weekly_cells(clickhouse_client, database, NOW)
    before = published(clickhouse_client, database)
    store(clickhouse_client, database, analytics_signals())  # the same signals again
    assert dirty(clickhouse_client, database)
    assert published(clickhouse_client, database) == before
    refresh_weekly_cells(clickhouse_client, database, NOW)
    assert published(clickhouse_client, database) == before


def test_weeks_written_within_the_quiet_time_stay_live(
    seeded: tuple[str, DisclosurePolicy], clickhouse_client: Client
) -> None:
    database, _ = seeded
    refreshed = refresh_weekly_cells(clickhouse_client, database, RefreshPolicy(quiet_seconds=3600))
    assert refreshed == {"trend": [], "breakdown": []}
    assert len(dirty(clickhouse_client, database)) == 32


def test_a_round_refreshes_at_most_max_weeks(
    seeded: tuple[str, DisclosurePolicy], clickhouse_client: Client
) -> None:
    database, _ = seeded
    live = published(clickhouse_client, database)
    first = refresh_weekly_cells(clickhouse_client, database, RefreshPolicy(0, max_weeks=5))
    assert [len(weeks) for weeks in first.values()] == [5, 5]
    assert len(dirty(clickhouse_client, database)) == 32 - 10
    # Half-refreshed: stored cells and live counts together still give the same numbers.
    assert published(clickhouse_client, database) == live


@pytest.mark.parametrize(
    ("quiet", "weeks"), [(-1.0, 5), (0.0, 0)], ids=["negative-quiet", "no-weeks"]
)
def test_refresh_policy_rejects_nonsense(quiet: float, weeks: int) -> None:
    with pytest.raises(ValueError, match="quiet_seconds"):
        RefreshPolicy(quiet, weeks)


def test_never_refreshed_weeks_are_dirty_whatever_join_use_nulls(
    seeded: tuple[str, DisclosurePolicy], clickhouse_client: Client
) -> None:
    """A server profile may set join_use_nulls; a week without a refresh must still count
    live, never silently from empty cells."""
    database, _ = seeded
    for setting in (0, 1):
        (count,) = clickhouse_client.query(
            f"SELECT count() FROM {database}.dirty_weeks SETTINGS join_use_nulls = {setting}"
        ).result_rows[0]
        assert count == 32, setting

"""Upgrading a database from per-level facts (0001-0009) to municipality facts (0010)
changes no published number: every disclosed view shows the same before and after."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.storage.test_analytics_views import (
    DEFAULT,
    Oracle,
    analytics_signals,
    fix_secret,
)
from tests.aggregator.storage.test_cells import published
from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage import migrate
from waakhond_aggregator.storage.cells import RefreshPolicy, refresh_weekly_cells
from waakhond_aggregator.storage.disclosure import write_disclosure_policy
from waakhond_aggregator.storage.reference import store_region_reference
from waakhond_contract.messages import SignalClassified
from waakhond_contract.regions import load_region_reference

BEFORE = 10

# How the aggregator and the refresher of 0009 wrote the per-level facts and cells.
OLD_CELLS = {
    "trend": (
        "INSERT INTO {db}.trend_cells SELECT level, category, region_code, week_start, "
        "uniqExact(signal_id), groupBitXorDistinct(cityHash64(signal_id)), now64(3, 'UTC') "
        "FROM {db}.signal_facts GROUP BY level, category, region_code, week_start"
    ),
    "breakdown": (
        "INSERT INTO {db}.breakdown_cells SELECT level, dimension, category, region_code, "
        "week_start, value, uniqExact(signal_id), groupBitXorDistinct(cityHash64(signal_id)), "
        "now64(3, 'UTC') FROM {db}.signal_breakdown_facts "
        "GROUP BY level, dimension, category, region_code, week_start, value"
    ),
}


def store_before_revisions(client: Client, database: str, signals: list[SignalClassified]) -> None:
    """Insert as the aggregator did before migration 0012 added the revision columns."""
    reference = load_region_reference()
    old = SIGNAL_COLUMNS[: SIGNAL_COLUMNS.index("content_fingerprint") + 1]
    keep = [SIGNAL_COLUMNS.index(c) for c in old if c != "revision"]
    client.insert(
        f"{database}.signals",
        [[to_rows(s, reference).signal[i] for i in keep] for s in signals],
        column_names=[SIGNAL_COLUMNS[i] for i in keep],
    )


def tables(client: Client, database: str) -> set[str]:
    return {
        row[0]
        for row in client.query(
            "SELECT name FROM system.tables WHERE database = {db:String}",
            parameters={"db": database},
        ).result_rows
    }


@pytest.mark.parametrize("refreshed", [False, True], ids=["cells-live", "cells-stored"])
def test_upgrading_to_municipality_facts_changes_no_published_number(
    refreshed: bool, clickhouse_client: Client, chdb_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"t_{uuid.uuid4().hex[:10]}"
    every = migrate.discover_migrations()
    monkeypatch.setattr(
        migrate, "discover_migrations", lambda: [m for m in every if m.version < BEFORE]
    )
    migrate.apply_migrations(clickhouse_client, database)
    store_region_reference(clickhouse_client, database, load_region_reference())
    write_disclosure_policy(clickhouse_client, database, DEFAULT)
    fix_secret(clickhouse_client, database)

    signals = analytics_signals()
    # Before 0010 the aggregator wrote signal_facts itself; the view of 0004 wrote the
    # breakdown facts. TrendStore now writes signals only, so the old facts come from the
    # oracle, which builds them from the signals as the old transform did.
    store_before_revisions(clickhouse_client, database, signals)
    clickhouse_client.insert(
        f"{database}.signal_facts",
        [
            [level, category, region, week, signal_id]
            for (level, region, category, week), ids in Oracle.of(signals).facts.items()
            for signal_id in ids
        ],
        column_names=["level", "category", "region_code", "week_start", "signal_id"],
    )
    if refreshed:
        for source, statement in OLD_CELLS.items():
            clickhouse_client.command(statement.format(db=database))
            clickhouse_client.command(
                f"INSERT INTO {database}.cells_refreshed SELECT {{source:String}}, week_start, "
                f"now64(3, 'UTC') FROM {database}.touched_weeks WHERE source = {{source:String}}",
                parameters={"source": source},
            )
        assert not clickhouse_client.query(f"SELECT * FROM {database}.dirty_weeks").result_rows
    before = published(clickhouse_client, database)
    assert all(before.values())

    monkeypatch.undo()
    assert migrate.apply_migrations(clickhouse_client, database) == [
        m.version for m in every if m.version >= BEFORE and not m.server_only
    ]
    after_upgrade = published(clickhouse_client, database)
    refresh_weekly_cells(clickhouse_client, database, RefreshPolicy(quiet_seconds=0))
    after_refresh = published(clickhouse_client, database)
    found = tables(clickhouse_client, database)
    clickhouse_client.command(f"DROP DATABASE {database}")

    assert after_upgrade == before
    assert after_refresh == before
    assert {"signal_facts", "signal_breakdown_facts"}.isdisjoint(found)
    assert {"trend_municipality_facts", "breakdown_municipality_facts"} <= found

from __future__ import annotations

import dataclasses

import pytest
from clickhouse_connect.driver.client import Client

from waakhond_aggregator.storage import migrate
from waakhond_aggregator.storage.migrate import (
    MigrationError,
    apply_migrations,
    discover_migrations,
)
from waakhond_runtime.settings import ClickHouseSettings


def test_migrations_apply_once_and_are_idempotent(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    database = clickhouse_settings.database
    first = apply_migrations(clickhouse_client, database)
    assert first == [m.version for m in discover_migrations() if not m.server_only]
    assert apply_migrations(clickhouse_client, database) == []
    tables = {
        row[0]
        for row in clickhouse_client.query(
            "SELECT name FROM system.tables WHERE database = {db:String}",
            parameters={"db": database},
        ).result_rows
    }
    assert {"signals", "trend_municipality_facts", "region_reference", "trend_weekly"} <= tables


def test_an_edited_applied_migration_is_refused(
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apply_migrations(clickhouse_client, clickhouse_settings.database)
    original = discover_migrations()
    edited = [dataclasses.replace(original[0], sql=original[0].sql + "\n-- edited")]
    monkeypatch.setattr(migrate, "discover_migrations", lambda: edited + original[1:])
    with pytest.raises(MigrationError, match="changed after it was applied"):
        apply_migrations(clickhouse_client, clickhouse_settings.database)

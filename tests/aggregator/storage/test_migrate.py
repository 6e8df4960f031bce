from __future__ import annotations

import dataclasses
import threading

import pytest
from clickhouse_connect.driver.client import Client

from waakhond_aggregator.storage import migrate
from waakhond_aggregator.storage.migrate import (
    LOCK_TABLE,
    LockPolicy,
    MigrationError,
    apply_migrations,
    discover_migrations,
    latest_functions,
    migration_lock,
    migration_status,
    replace_functions,
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


def applied_rows(client: Client, database: str) -> int:
    """Rows in schema_migrations before any merge: one per version that was applied once."""
    return int(client.query(f"SELECT count() FROM {database}.schema_migrations").result_rows[0][0])


def test_replicas_starting_at_once_migrate_once(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    database = clickhouse_settings.database
    results: dict[str, list[int]] = {}

    def replica(name: str) -> None:
        results[name] = apply_migrations(clickhouse_client, database, holder=name)

    threads = [threading.Thread(target=replica, args=(f"replica-{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    expected = [m.version for m in discover_migrations() if not m.server_only]
    assert sorted(map(len, results.values())) == [0, 0, len(expected)]
    assert applied_rows(clickhouse_client, database) == len(expected)
    assert migration_status(clickhouse_client, database).lock is None


def test_a_replica_waits_for_the_lock_and_says_who_holds_it(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    database = clickhouse_settings.database
    clickhouse_client.command(f"CREATE DATABASE IF NOT EXISTS {database}")
    impatient = LockPolicy(wait_seconds=0.3, poll_seconds=0.05)
    with migration_lock(clickhouse_client, database, "replica-a"):
        status = migration_status(clickhouse_client, database)
        assert status.lock is not None
        assert status.lock.holder == "replica-a"
        with pytest.raises(MigrationError, match="locked by replica-a"):
            apply_migrations(clickhouse_client, database, impatient, holder="replica-b")
    assert apply_migrations(clickhouse_client, database, impatient, holder="replica-b")


def test_a_lock_left_by_a_dead_replica_is_broken(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    database = clickhouse_settings.database
    clickhouse_client.command(f"CREATE DATABASE IF NOT EXISTS {database}")
    clickhouse_client.command(
        f"CREATE TABLE {database}.{LOCK_TABLE} (held UInt8) ENGINE = Memory COMMENT 'gone pid 1'"
    )
    fresh = LockPolicy(wait_seconds=0.3, poll_seconds=0.05)
    with pytest.raises(MigrationError, match="gone pid 1"):
        apply_migrations(clickhouse_client, database, fresh, holder="replica-b")
    stale = LockPolicy(wait_seconds=5, stale_seconds=-1, poll_seconds=0.05)
    assert apply_migrations(clickhouse_client, database, stale, holder="replica-b")
    assert migration_status(clickhouse_client, database).lock is None


def test_a_function_changed_on_the_server_is_set_back_to_its_latest_definition(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    """`CREATE FUNCTION IF NOT EXISTS` keeps what is there; migrating replaces it."""
    database = clickhouse_settings.database
    apply_migrations(clickhouse_client, database)
    counted = "SELECT waakhond_counted_categories(['policy_gap'])"
    try:
        clickhouse_client.command(
            "CREATE OR REPLACE FUNCTION waakhond_counted_categories AS (categories) -> ['stale']"
        )
        assert clickhouse_client.query(counted).result_rows[0][0] == ["stale"]
        assert apply_migrations(clickhouse_client, database) == []
    finally:
        # Functions are global: never leave the broken one for other tests.
        replace_functions(clickhouse_client, discover_migrations())
    assert clickhouse_client.query(counted).result_rows[0][0] == ["all", "policy_gap"]


def test_every_function_is_taken_from_the_last_migration_that_defines_it() -> None:
    bodies = latest_functions(discover_migrations())
    assert "waakhond_publish" in bodies
    # 0011 redefined noise and publish after 0008 created them.
    redefined = next(m for m in discover_migrations() if m.version == 11)
    assert bodies["waakhond_noise"] in redefined.sql


def test_status_lists_pending_and_applied(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    database = clickhouse_settings.database
    before = migration_status(clickhouse_client, database)
    assert before.applied == []
    assert not before.up_to_date
    apply_migrations(clickhouse_client, database)
    after = migration_status(clickhouse_client, database)
    assert after.up_to_date
    assert [v for v, _, _ in after.applied] == [
        m.version for m in discover_migrations() if not m.server_only
    ]

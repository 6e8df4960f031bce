"""Versioned SQL migrations, applied at start-up, idempotently.

Files are ``migrations/NNNN_name.sql``; ``NNNN_name.server.sql`` files hold
statements that exist only on a ClickHouse server (users, roles, grants) and
are skipped on chDB. ``{db}`` in a file is the configured database. Every
statement is written to be re-runnable (IF NOT EXISTS), so a migration that
stopped half-way is completed by the next start. An applied migration whose
file changed afterwards is an error: migrations are append-only.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from importlib import resources

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.storage.client import is_server

log = logging.getLogger(__name__)
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+?)(\.server)?\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    server_only: bool
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    def statements(self, database: str) -> list[str]:
        text = "\n".join(
            line for line in self.sql.splitlines() if not line.strip().startswith("--")
        )
        return [s.strip() for s in text.replace("{db}", database).split(";") if s.strip()]


def discover_migrations() -> list[Migration]:
    folder = resources.files(__package__).joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(
                Migration(
                    version=int(match.group(1)),
                    name=match.group(2),
                    server_only=match.group(3) is not None,
                    sql=entry.read_text(encoding="utf-8"),
                )
            )
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration versions in {versions}")
    return found


def apply_migrations(client: Client, database: str) -> list[int]:
    """Apply what is missing; returns the versions applied now."""
    client.command(f"CREATE DATABASE IF NOT EXISTS {database}")
    client.command(
        f"CREATE TABLE IF NOT EXISTS {database}.schema_migrations "
        "(version UInt32, name String, checksum String, "
        "applied_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC')) "
        "ENGINE = ReplacingMergeTree ORDER BY version"
    )
    applied = {
        int(version): checksum
        for version, checksum in client.query(
            f"SELECT version, checksum FROM {database}.schema_migrations FINAL"
        ).result_rows
    }
    server = is_server(client)
    done = []
    for migration in discover_migrations():
        if migration.version in applied:
            if applied[migration.version] != migration.checksum:
                raise MigrationError(
                    f"migration {migration.version} ({migration.name}) changed after it was "
                    "applied; add a new migration instead"
                )
            continue
        if migration.server_only and not server:
            log.info("skipping server-only migration %04d on chDB", migration.version)
            continue
        for statement in migration.statements(database):
            client.command(statement)
        client.insert(
            f"{database}.schema_migrations",
            [[migration.version, migration.name, migration.checksum]],
            column_names=["version", "name", "checksum"],
        )
        log.info("applied migration %04d_%s", migration.version, migration.name)
        done.append(migration.version)
    return done

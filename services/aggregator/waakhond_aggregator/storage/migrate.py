"""Versioned SQL migrations, applied at start-up, idempotently.

Files are ``migrations/NNNN_name.sql``; ``NNNN_name.server.sql`` files hold
statements that exist only on a ClickHouse server (users, roles, grants) and
are skipped on chDB. ``{db}`` in a file is the configured database. Every
statement is written to be re-runnable (IF NOT EXISTS), so a migration that
stopped half-way is completed by the next start. An applied migration whose
file changed afterwards is an error: migrations are append-only.

Several aggregator replicas may start at once: one migrates while the others wait on a
lock, then find nothing left to do. The lock is a table whose creation is atomic
(``CREATE TABLE`` without ``IF NOT EXISTS``); its comment names the holder and its
metadata time says since when, so a lock left by a process that died is broken once it
is older than ``LockPolicy.stale_seconds``.

SQL functions are global to the server, not to a database, and ``CREATE FUNCTION IF NOT
EXISTS`` keeps whatever definition is there. After the migrations every function is set
to the last definition the migration files give it, so the server runs the functions of
the code that migrated it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.storage.client import is_server

log = logging.getLogger(__name__)
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+?)(\.server)?\.sql$")
_FUNCTION = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+AS\s+(.+)$",
    re.IGNORECASE | re.DOTALL,
)
LOCK_TABLE = "schema_migrations_lock"


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


@dataclass(frozen=True, slots=True)
class LockPolicy:
    """How long to wait for another migrating replica, and when its lock counts as left
    behind by a process that died."""

    wait_seconds: float = 600.0
    stale_seconds: float = 900.0
    poll_seconds: float = 0.5


def lock_holder() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


@dataclass(frozen=True, slots=True)
class LockState:
    holder: str
    since: dt.datetime


def read_lock(client: Client, database: str) -> LockState | None:
    rows = client.query(
        "SELECT comment, metadata_modification_time FROM system.tables "
        "WHERE database = {database:String} AND name = {name:String}",
        parameters={"database": database, "name": LOCK_TABLE},
    ).result_rows
    if not rows:
        return None
    holder, since = rows[0]
    return LockState(str(holder), since)


def _lock_age_seconds(client: Client, lock: LockState) -> float:
    # The server's clock, the one that stamped the lock.
    now = client.query("SELECT now()").result_rows[0][0]
    return float((now - lock.since).total_seconds())


@contextmanager
def migration_lock(
    client: Client, database: str, holder: str, policy: LockPolicy = LockPolicy()
) -> Iterator[None]:
    """Holds the database's migration lock for the ``with`` block."""
    deadline = time.monotonic() + policy.wait_seconds
    quoted = holder.replace("\\", "\\\\").replace("'", "\\'")
    while True:
        try:
            client.command(
                f"CREATE TABLE {database}.{LOCK_TABLE} (held UInt8) ENGINE = Memory "
                f"COMMENT '{quoted}'"
            )
            break
        except Exception as error:
            if "TABLE_ALREADY_EXISTS" not in str(error):
                raise
        lock = read_lock(client, database)
        if lock is None:
            continue  # released between our attempt and the look
        if _lock_age_seconds(client, lock) > policy.stale_seconds:
            log.warning("breaking the migration lock of %s, held since %s", lock.holder, lock.since)
            client.command(f"DROP TABLE IF EXISTS {database}.{LOCK_TABLE}")
            continue
        if time.monotonic() > deadline:
            raise MigrationError(
                f"migrations of {database} are locked by {lock.holder} since {lock.since}"
            )
        log.info("waiting for %s, who is migrating %s", lock.holder, database)
        time.sleep(policy.poll_seconds)
    try:
        yield
    finally:
        client.command(f"DROP TABLE IF EXISTS {database}.{LOCK_TABLE}")


def latest_functions(migrations: list[Migration]) -> dict[str, str]:
    """Each SQL function's body as the last migration that defines it gives it."""
    bodies: dict[str, str] = {}
    for migration in migrations:
        for statement in migration.statements("{db}"):
            match = _FUNCTION.match(statement)
            if match:
                bodies[match.group(1)] = match.group(2).strip()
    return bodies


def replace_functions(client: Client, migrations: list[Migration]) -> list[str]:
    """Sets every function to its latest definition; returns their names."""
    bodies = latest_functions(migrations)
    for name, body in bodies.items():
        client.command(f"CREATE OR REPLACE FUNCTION {name} AS {body}")
    return sorted(bodies)


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    applied: list[tuple[int, str, dt.datetime]]
    pending: list[Migration]
    changed: list[Migration]
    lock: LockState | None

    @property
    def up_to_date(self) -> bool:
        return not self.pending and not self.changed


def _applied(client: Client, database: str) -> dict[int, tuple[str, str, dt.datetime]]:
    exists = client.query(
        "SELECT count() FROM system.tables WHERE database = {database:String} "
        "AND name = 'schema_migrations'",
        parameters={"database": database},
    ).result_rows[0][0]
    if not exists:
        return {}
    return {
        int(version): (str(name), str(checksum), applied_at)
        for version, name, checksum, applied_at in client.query(
            f"SELECT version, name, checksum, applied_at FROM {database}.schema_migrations FINAL"
        ).result_rows
    }


def migration_status(client: Client, database: str) -> MigrationStatus:
    """What is applied, what is missing, what changed after it was applied, who migrates."""
    applied = _applied(client, database)
    server = is_server(client)
    migrations = [m for m in discover_migrations() if server or not m.server_only]
    return MigrationStatus(
        applied=[(v, name, at) for v, (name, _, at) in sorted(applied.items())],
        pending=[m for m in migrations if m.version not in applied],
        changed=[
            m for m in migrations if m.version in applied and applied[m.version][1] != m.checksum
        ],
        lock=read_lock(client, database),
    )


def apply_migrations(
    client: Client, database: str, lock: LockPolicy = LockPolicy(), holder: str | None = None
) -> list[int]:
    """Apply what is missing, under the database's migration lock, and set every SQL
    function to its latest definition; returns the versions applied now."""
    client.command(f"CREATE DATABASE IF NOT EXISTS {database}")
    with migration_lock(client, database, holder or lock_holder(), lock):
        return _apply_locked(client, database)


def _apply_locked(client: Client, database: str) -> list[int]:
    client.command(
        f"CREATE TABLE IF NOT EXISTS {database}.schema_migrations "
        "(version UInt32, name String, checksum String, "
        "applied_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC')) "
        "ENGINE = ReplacingMergeTree ORDER BY version"
    )
    applied = {
        version: checksum for version, (_, checksum, _) in _applied(client, database).items()
    }
    server = is_server(client)
    migrations = discover_migrations()
    done = []
    for migration in migrations:
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
    replace_functions(client, migrations)
    return done

"""Benchmark: the write plan's lookup of stored signals as the store grows.

Before every insert the aggregator asks ClickHouse which of the batch's signal
ids are stored already, and with which content (``TrendStore.stored_versions``):
that is how a replayed signal is stored once and a conflicting resubmission is
refused. ``signals`` is ordered by signal_id, but signal ids are hashes, so a
batch of ids is spread over the whole table: a large batch touches every
granule and the lookup reads the signal_id column of the whole table.

This fills ``signals`` (synthetic rows, generated inside ClickHouse) to each
size and times the lookup for fresh batches of ids, none of them stored (new
signals, the normal case) and all of them stored (a batch redelivered after a
crash). The ids differ in every run, so no query cache answers for an earlier
one. Wall time and the process's CPU time (chDB runs in this process) are
both recorded. The materialized views that write facts from ``signals`` are
dropped in the benchmark's database: the lookup does not read them, and
filling ten million rows through them would take most of the run.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS
from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_aggregator.storage.sink import TrendStore


@dataclass(frozen=True, slots=True)
class LookupParameters:
    sizes: tuple[int, ...] = (100_000, 1_000_000, 10_000_000)
    batch_sizes: tuple[int, ...] = (100, 5000)
    runs: int = 5


@dataclass(frozen=True, slots=True)
class LookupTiming:
    stored_signals: int
    batch: int
    stored_share: float
    found: int
    wall_p50_ms: float
    wall_max_ms: float
    cpu_p50_ms: float
    runs: int


_FILL = """
    INSERT INTO {db}.signals ({columns})
    SELECT
        generateUUIDv4(number),
        bitShiftLeft(toUInt128(1000000 + number), 64),
        'org-' || toString(number % 40),
        now64(3),
        today() - number % 700,
        toMonday(today() - number % 700),
        'GM0363',
        2025,
        ['wmo'],
        ['housing'],
        ['older_people'],
        '67-75',
        'formal',
        'Synthetic description of a signal for the lookup benchmark, number ' || toString(number),
        [],
        ['missed_rights'],
        map('missed_rights', 0.5),
        false,
        'bench',
        now64(3),
        toFixedString(lower(hex(MD5(toString(number)))), 32),
        'model',
        ['missed_rights'],
        [],
        map(),
        false,
        1,
        toMonday(today() - number % 700)
    FROM numbers({{first:UInt64}}, {{count:UInt64}})
"""


def _prepare(client: Client, database: str) -> None:
    apply_migrations(client, database)
    views = client.query(
        "SELECT name FROM system.tables WHERE database = {db:String} "
        "AND engine = 'MaterializedView'",
        parameters={"db": database},
    ).result_rows
    for (name,) in views:
        client.command(f"DROP VIEW {database}.{name}")
    client.command(f"TRUNCATE TABLE {database}.signals")


def _stored_sample(client: Client, database: str, count: int) -> list[uuid.UUID]:
    rows = client.query(
        f"SELECT signal_id FROM {database}.signals ORDER BY rand() LIMIT {{n:UInt32}}",
        parameters={"n": count},
    ).result_rows
    return [row[0] for row in rows]


def _time_lookups(
    store: TrendStore, batches: list[list[uuid.UUID]]
) -> tuple[list[float], list[float], int]:
    walls, cpus, found = [], [], 0
    for ids in batches:
        wall, cpu = time.perf_counter(), time.process_time()
        found = len(store.stored_versions(ids))
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus, found


def measure_lookups(
    client: Client, database: str, parameters: LookupParameters
) -> list[LookupTiming]:
    smallest, largest_batch = min(parameters.sizes), max(parameters.batch_sizes)
    if smallest < largest_batch * parameters.runs:
        # Each run of the "all stored" case needs ids of its own.
        raise ValueError(
            f"{smallest} stored signals are too few for {parameters.runs} runs of "
            f"{largest_batch} distinct stored ids"
        )
    _prepare(client, database)
    store = TrendStore(client, database)
    timings: list[LookupTiming] = []
    fill = _FILL.format(db=database, columns=", ".join(SIGNAL_COLUMNS))
    filled = 0
    for size in sorted(parameters.sizes):
        client.command(fill, parameters={"first": filled, "count": size - filled})
        filled = size
        # Merged, as a table this size is after a while in production.
        client.command(f"OPTIMIZE TABLE {database}.signals FINAL")
        for batch in parameters.batch_sizes:
            for share in (0.0, 1.0):
                stored = round(batch * share)
                sample = _stored_sample(client, database, stored * parameters.runs)
                batches = [
                    sample[run * stored : (run + 1) * stored]
                    + [uuid.uuid4() for _ in range(batch - stored)]
                    for run in range(parameters.runs)
                ]
                walls, cpus, found = _time_lookups(store, batches)
                timings.append(
                    LookupTiming(
                        stored_signals=size,
                        batch=batch,
                        stored_share=share,
                        found=found,
                        wall_p50_ms=round(statistics.median(walls), 1),
                        wall_max_ms=round(max(walls), 1),
                        cpu_p50_ms=round(statistics.median(cpus), 1),
                        runs=parameters.runs,
                    )
                )
    return timings


def write_lookup_results(timings: list[LookupTiming], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps([asdict(t) for t in timings], indent=2) + "\n")


def lookup_table(timings: list[LookupTiming]) -> str:
    lines = [
        f"{'stored':>11} {'batch':>6} {'stored share':>12} {'found':>6} "
        f"{'wall p50 ms':>11} {'wall max ms':>11} {'cpu p50 ms':>10}"
    ]
    lines += [
        f"{t.stored_signals:>11} {t.batch:>6} {t.stored_share:>12} {t.found:>6} "
        f"{t.wall_p50_ms:>11} {t.wall_max_ms:>11} {t.cpu_p50_ms:>10}"
        for t in timings
    ]
    return "\n".join(lines)

"""Benchmark: reading trends from ``signal_facts`` as the signal count grows.

Generates synthetic signals inside ClickHouse (so the data, not Python, is
what is measured), adds a share of replayed rows as redelivery would, and
times the two exact ways of counting: ``uniqExact(signal_id)`` (what
``trend_weekly`` uses) and ``count()`` over ``FINAL``. Results go to a JSON
file.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_aggregator.storage.reference import load_region_reference as store_reference
from waakhond_contract.regions import load_region_reference

QUERIES = {
    "uniqExact": (
        "SELECT region_code, week_start, uniqExact(signal_id) FROM {db}.signal_facts "
        "WHERE level = 'zorgkantoorregio' AND category = 'missed_rights' "
        "AND week_start BETWEEN '2024-01-01' AND '2025-12-31' GROUP BY region_code, week_start"
    ),
    "final_count": (
        "SELECT region_code, week_start, count() FROM {db}.signal_facts FINAL "
        "WHERE level = 'zorgkantoorregio' AND category = 'missed_rights' "
        "AND week_start BETWEEN '2024-01-01' AND '2025-12-31' GROUP BY region_code, week_start"
    ),
    "trend_weekly_view": (
        "SELECT region_code, week_start, signals FROM {db}.trend_weekly "
        "WHERE level = 'zorgkantoorregio' AND category = 'missed_rights' "
        "AND week_start BETWEEN '2024-01-01' AND '2025-12-31'"
    ),
}


@dataclass(frozen=True, slots=True)
class QueryTiming:
    signals: int
    fact_rows: int
    query: str
    p50_ms: float
    p95_ms: float
    runs: int


def _generate(client: Client, database: str, signals: int, replay_share: float) -> None:
    insert = f"""
        INSERT INTO {database}.signal_facts
        WITH
            (SELECT groupArray(municipality_code) FROM
                (SELECT DISTINCT municipality_code FROM {database}.region_reference
                 WHERE year = 2025 ORDER BY municipality_code)) AS codes,
            synthetic AS (
                SELECT
                    reinterpretAsUUID(reverse(unhex(hex(cityHash64(number, 1)) ||
                                      hex(cityHash64(number, 2))))) AS signal_id,
                    toMonday(toDate('2024-01-01') + toUInt32(cityHash64(number, 3) % 728))
                        AS week_start,
                    codes[1 + cityHash64(number, 4) % length(codes)] AS municipality_code,
                    arrayFilter(
                        c -> cityHash64(number, c) % 3 = 0,
                        ['policy_gap', 'missed_rights', 'unreachable_groups', 'no_suitable_care']
                    ) AS labels
                FROM numbers({{first:UInt64}}, {{count:UInt64}})
            )
        SELECT r.level, arrayJoin(arrayConcat(['all'], s.labels)), r.region_code, s.week_start,
               s.signal_id
        FROM synthetic AS s
        INNER JOIN (SELECT level, region_code, municipality_code FROM {database}.region_reference
                    WHERE year = 2025) AS r
            ON r.municipality_code = s.municipality_code
    """
    client.command(insert, parameters={"first": 0, "count": signals})
    replayed = int(signals * replay_share)
    if replayed:
        client.command(insert, parameters={"first": 0, "count": replayed})


def measure_trend_queries(
    client: Client, database: str, sizes: list[int], runs: int = 20, replay_share: float = 0.05
) -> list[QueryTiming]:
    apply_migrations(client, database)
    store_reference(client, database, load_region_reference())
    timings: list[QueryTiming] = []
    generated = 0
    for size in sorted(sizes):
        client.command(f"TRUNCATE TABLE {database}.signal_facts")
        _generate(client, database, size, replay_share)
        generated = size
        fact_rows = int(
            client.query(f"SELECT count() FROM {database}.signal_facts").result_rows[0][0]
        )
        for name, sql in QUERIES.items():
            statement = sql.format(db=database)
            client.query(statement)  # warm caches, as a dashboard refresh would find them
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                client.query(statement)
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            timings.append(
                QueryTiming(
                    signals=generated,
                    fact_rows=fact_rows,
                    query=name,
                    p50_ms=round(statistics.median(samples), 1),
                    p95_ms=round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1),
                    runs=runs,
                )
            )
    return timings


def write_results(timings: list[QueryTiming], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps([asdict(t) for t in timings], indent=2) + "\n")

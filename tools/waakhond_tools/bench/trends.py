"""Benchmark: reading trends as the signal count grows.

Generates synthetic signals inside ClickHouse (so the data, not Python, is
what is measured), adds a share of replayed rows as redelivery would, and
times, for one level and category over two years:

- ``live_cells``: ``trend_live_cells``, counting distinct signal ids over the
  municipality facts and summing them into regions (what the views do for a
  week written since its last refresh, here for every week);
- ``disclosed_view_refreshed``: ``suppressed_trend_weekly``, what dashboards
  and the API read, after the cell refresher ran (every week from stored cells);
- ``disclosed_view_one_week_live``: the same with one week written just now,
  as under a live stream (that week counted from its facts).

It also times the refresh itself and checks that the view shows the same
numbers before and after it. Results go to a JSON file.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.storage.cells import RefreshPolicy, refresh_weekly_cells
from waakhond_aggregator.storage.disclosure import DisclosurePolicy, write_disclosure_policy
from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_aggregator.storage.reference import store_region_reference
from waakhond_contract.regions import load_region_reference

QUERIES = {
    "live_cells": (
        "SELECT region_code, week_start, signals FROM {db}.trend_live_cells "
        "WHERE level = 'zorgkantoorregio' AND category = 'missed_rights' "
        "AND week_start BETWEEN '2024-01-01' AND '2025-12-31'"
    ),
    "disclosed_view": (
        "SELECT region_code, week_start, signals FROM {db}.suppressed_trend_weekly "
        "WHERE level = 'zorgkantoorregio' AND category = 'missed_rights' "
        "AND week_start BETWEEN '2024-01-01' AND '2025-12-31'"
    ),
}
LIVE_WEEK = "2025-12-29"
FACTS = "trend_municipality_facts"


@dataclass(frozen=True, slots=True)
class QueryTiming:
    signals: int
    fact_rows: int
    query: str
    p50_ms: float
    p95_ms: float
    runs: int
    refresh_seconds: float | None = None


def _generate(
    client: Client, database: str, signals: int, replay_share: float, first: int = 0
) -> None:
    insert = f"""
        INSERT INTO {database}.trend_municipality_facts
        WITH
            (SELECT groupArray(municipality_code) FROM
                (SELECT DISTINCT municipality_code FROM {database}.region_reference
                 WHERE year = 2025 ORDER BY municipality_code)) AS codes
        SELECT
            toMonday(toDate('2024-01-01') + toUInt32(cityHash64(number, 3) % 728)) AS week_start,
            arrayJoin(arrayConcat(['all'], arrayFilter(
                c -> cityHash64(number, c) % 3 = 0,
                ['policy_gap', 'missed_rights', 'unreachable_groups', 'no_suitable_care']
            ))) AS category,
            2025 AS region_year,
            codes[1 + cityHash64(number, 4) % length(codes)] AS municipality_code,
            reinterpretAsUUID(reverse(unhex(hex(cityHash64(number, 1)) ||
                              hex(cityHash64(number, 2))))) AS signal_id
        FROM numbers({{first:UInt64}}, {{count:UInt64}})
    """
    client.command(insert, parameters={"first": first, "count": signals})
    replayed = int(signals * replay_share)
    if replayed:
        client.command(insert, parameters={"first": first, "count": replayed})


def _timing(
    client: Client,
    statement: str,
    runs: int,
    label: tuple[int, int, str],
    refresh_seconds: float | None = None,
) -> QueryTiming:
    client.query(statement)  # warm caches, as a dashboard refresh would find them
    p50, p95 = time_query(client, statement, runs)
    signals, fact_rows, name = label
    return QueryTiming(signals, fact_rows, name, p50, p95, runs, refresh_seconds)


def time_query(client: Client, statement: str, runs: int) -> tuple[float, float]:
    """Median and p95 (nearest rank) in milliseconds of ``runs`` executions of ``statement``."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        client.query(statement)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return (
        round(statistics.median(samples), 1),
        round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1),
    )


class BenchmarkError(RuntimeError):
    pass


def measure_trend_queries(
    client: Client, database: str, sizes: list[int], runs: int = 20, replay_share: float = 0.05
) -> list[QueryTiming]:
    apply_migrations(client, database)
    store_region_reference(client, database, load_region_reference())
    write_disclosure_policy(client, database, DisclosurePolicy())
    timings: list[QueryTiming] = []
    for size in sorted(sizes):
        for table in (FACTS, "trend_cells", "touched_weeks", "cells_refreshed"):
            client.command(f"TRUNCATE TABLE {database}.{table}")
        _generate(client, database, size, replay_share)
        fact_rows = int(client.query(f"SELECT count() FROM {database}.{FACTS}").result_rows[0][0])
        view = QUERIES["disclosed_view"].format(db=database)
        live = sorted(map(tuple, client.query(view).result_rows))

        cells = QUERIES["live_cells"].format(db=database)
        timings.append(_timing(client, cells, runs, (size, fact_rows, "live_cells")))
        timings.append(
            _timing(client, view, runs, (size, fact_rows, "disclosed_view_all_weeks_live"))
        )
        started = time.perf_counter()
        refresh_weekly_cells(client, database, RefreshPolicy(quiet_seconds=0, max_weeks=1000))
        refresh_seconds = round(time.perf_counter() - started, 2)
        if sorted(map(tuple, client.query(view).result_rows)) != live:
            raise BenchmarkError("the refreshed cells publish other numbers than the facts")
        timings.append(
            _timing(
                client, view, runs, (size, fact_rows, "disclosed_view_refreshed"), refresh_seconds
            )
        )
        # One more signal in the last week: that week is now counted live from its facts.
        client.command(
            f"INSERT INTO {database}.trend_municipality_facts SELECT week_start, category, "
            f"region_year, municipality_code, generateUUIDv4() "
            f"FROM {database}.trend_municipality_facts WHERE week_start = '{LIVE_WEEK}' LIMIT 1"
        )
        timings.append(
            _timing(client, view, runs, (size, fact_rows, "disclosed_view_one_week_live"))
        )
    return timings


def write_results(timings: list[QueryTiming], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps([asdict(t) for t in timings], indent=2) + "\n")

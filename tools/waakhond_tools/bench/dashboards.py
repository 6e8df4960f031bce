"""Benchmark: every dashboard query, macros expanded, on a generated data set in chDB.

Signals are generated inside ClickHouse into ``signals`` (so the views of
migration 0010 write the facts as in production), with a share replayed as
redelivery would, and the weekly cells are refreshed as the aggregator's
refresher would. Each panel's SQL then runs as Grafana would send it for the
last year of data, and the median and 95th percentile are reported per panel.

    python -m waakhond_tools.bench.dashboards --signals 100000 --runs 5
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import typer
from clickhouse_connect.driver.client import Client

from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS
from waakhond_aggregator.storage.cells import RefreshPolicy, refresh_weekly_cells
from waakhond_aggregator.storage.client import connect
from waakhond_aggregator.storage.disclosure import DisclosurePolicy, write_disclosure_policy
from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_aggregator.storage.reference import store_region_reference
from waakhond_contract.regions import load_region_reference
from waakhond_runtime.settings import ClickHouseSettings
from waakhond_tools.bench.trends import time_query
from waakhond_tools.dashboards.build import generate
from waakhond_tools.dashboards.macros import QueryContext, expand

DATABASE = "bench"
LAST_DAY = dt.date(2025, 12, 28)
WEEKS = 104

_SIGNALS = """
INSERT INTO {db}.signals ({columns})
WITH
    (SELECT groupArray(municipality_code) FROM
        (SELECT DISTINCT municipality_code FROM {db}.region_reference
         WHERE year = 2025 ORDER BY municipality_code)) AS codes,
    ['wmo', 'wlz', 'jeugdwet', 'zvw', 'participatiewet', 'other'] AS laws,
    ['housing', 'care', 'work_daytime_activities', 'education', 'transport', 'finances',
     'social_contacts', 'safety', 'other'] AS lives,
    ['intellectual_disability', 'mental_health', 'acquired_brain_injury',
     'physical_disability', 'sensory_impairment', 'autism', 'elderly_dementia', 'youth',
     'informal_carers', 'other'] AS groups,
    ['0-17', '18-26', '27-64', '65-79', '80+', 'unknown'] AS ages
SELECT
    reinterpretAsUUID(reverse(unhex(hex(cityHash64(number, 1)) || hex(cityHash64(number, 2)))))
        AS signal_id,
    'bench' AS organisation_id,
    now64(3) AS submitted_at,
    toDate({{last:Date}}) - toUInt32(cityHash64(number, 3) % (7 * {weeks})) AS observed_on,
    toMonday(observed_on) AS week_start,
    codes[1 + cityHash64(number, 4) % length(codes)] AS municipality_code,
    toUInt16(2025) AS region_year,
    arrayResize(arrayFilter(v -> cityHash64(number, v) % 3 = 0, laws), 3, 'wmo') AS law_domains,
    arrayResize(arrayFilter(v -> cityHash64(number, v) % 5 = 0, lives), 2, 'care')
        AS life_domains,
    arrayResize(arrayFilter(v -> cityHash64(number, v) % 6 = 0, groups), 1, 'other')
        AS target_groups,
    ages[1 + cityHash64(number, 5) % 6] AS age_band,
    if(cityHash64(number, 6) % 10 < 7, 'formal', 'informal') AS supporter_type,
    '' AS description,
    [] AS suggested_categories,
    arrayFilter(c -> cityHash64(number, c) % 3 = 0,
        ['policy_gap', 'missed_rights', 'unreachable_groups', 'no_suitable_care']) AS categories,
    map() AS scores,
    false AS needs_review,
    'bench' AS model_version,
    now64(3) AS classified_at,
    toFixedString(substring(hex(cityHash64(number, 7)) || hex(cityHash64(number, 8)), 1, 32), 32)
        AS content_fingerprint
FROM numbers({{first:UInt64}}, {{count:UInt64}})
"""


@dataclass(frozen=True, slots=True)
class PanelTiming:
    dashboard: str
    panel: str
    p50_ms: float
    p95_ms: float
    rows: int


def seed(client: Client, signals: int, replay_share: float = 0.05) -> dict[str, int]:
    """Generate ``signals`` signals (and replay a share of them); returns table sizes."""
    apply_migrations(client, DATABASE)
    store_region_reference(client, DATABASE, load_region_reference())
    write_disclosure_policy(client, DATABASE, DisclosurePolicy())
    insert = _SIGNALS.format(db=DATABASE, weeks=WEEKS, columns=", ".join(SIGNAL_COLUMNS))
    batch = 50_000
    for first in range(0, signals, batch):
        parameters = {"first": first, "count": min(batch, signals - first), "last": LAST_DAY}
        client.command(insert, parameters=parameters)
    replayed = int(signals * replay_share)
    if replayed:
        client.command(insert, parameters={"first": 0, "count": replayed, "last": LAST_DAY})
    refresh_weekly_cells(client, DATABASE, RefreshPolicy(quiet_seconds=0, max_weeks=10_000))
    return {
        table: int(client.query(f"SELECT count() FROM {DATABASE}.{table}").result_rows[0][0])
        for table in ("signals", "trend_municipality_facts", "breakdown_municipality_facts")
    }


def measure(client: Client, runs: int) -> list[PanelTiming]:
    context = QueryContext(
        time_from=dt.datetime.combine(LAST_DAY - dt.timedelta(weeks=52), dt.time(), tzinfo=dt.UTC),
        time_to=dt.datetime.combine(LAST_DAY, dt.time(23, 59, 59), tzinfo=dt.UTC),
        variables={"categorie": "all", "niveau": "zorgkantoorregio", "regio": "ZK02"},
    )
    timings = []
    for generated in generate():
        model = generated.model_dict()
        titles = {panel["id"]: panel["title"] for panel in model["panels"]}
        queries = [(titles[key], q) for key, q in generated.panel_queries.items()]
        queries += [(f"variable {name}", q) for name, q in generated.variable_queries.items()]
        for title, query in queries:
            sql = expand(query.sql, context).replace("waakhond.", f"{DATABASE}.")
            result = client.query(sql)  # warm, as a dashboard refresh finds it
            p50_ms, p95_ms = time_query(client, sql, runs)
            timings.append(
                PanelTiming(
                    dashboard=generated.uid,
                    panel=title,
                    p50_ms=p50_ms,
                    p95_ms=p95_ms,
                    rows=len(result.result_rows),
                )
            )
    return timings


def null_check(client: Client) -> dict[str, int]:
    """The generated data has no real change, so every rise found is a false alarm."""
    result = client.query(
        f"SELECT direction, count(), countIf(is_alert) FROM {DATABASE}.suppressed_trend_direction"
        "(as_of = {as_of:Date}) GROUP BY direction ORDER BY direction",
        parameters={"as_of": LAST_DAY},
    )
    counts = {str(direction): int(cells) for direction, cells, _ in result.result_rows}
    counts["alerts"] = sum(int(alerts) for _, _, alerts in result.result_rows)
    return counts


def bench_command(
    signals: Annotated[int, typer.Option(help="Signals to generate.")] = 100_000,
    runs: Annotated[int, typer.Option(help="Timed runs per query.")] = 5,
    data_dir: Annotated[Path, typer.Option(help="A fresh chDB folder (deleted first).")] = Path(
        "data/bench-dashboards"
    ),
    output: Annotated[Path | None, typer.Option(help="Write the results as JSON here.")] = None,
) -> None:
    """Latency of every dashboard query on a generated data set."""
    shutil.rmtree(data_dir, ignore_errors=True)
    client = connect(ClickHouseSettings(dsn=f"chdb://{data_dir.resolve()}"))
    started = time.perf_counter()
    sizes = seed(client, signals)
    typer.echo(f"generated in {time.perf_counter() - started:.1f} s: {sizes}")
    typer.echo(f"direction of every region x category on data without change: {null_check(client)}")
    timings = measure(client, runs)
    typer.echo(f"{'dashboard':<22} {'panel':<48} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for t in timings:
        typer.echo(f"{t.dashboard:<22} {t.panel[:48]:<48} {t.rows:>6} {t.p50_ms:>8} {t.p95_ms:>8}")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps({"sizes": sizes, "timings": [asdict(t) for t in timings]}, indent=2) + "\n"
        )
        typer.echo(f"written to {output}")


if __name__ == "__main__":
    typer.run(bench_command)

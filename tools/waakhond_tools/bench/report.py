"""Benchmark: the national quarterly signal report over a million stored signals.

Generates the signals inside ClickHouse (``INSERT ... SELECT`` from ``numbers()``) straight
into the fact tables the disclosed views read, trend and breakdown facts of the same
signals, spread over the weeks of 2025-01-06 to 2026-09-27, lets the cell refresher store
the quiet weeks (as in steady state), and then times ``waakhond report`` for 2026-Q3 and NL:
reading the views, rendering the HTML (charts and maps) and printing the PDF.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.reports.data import read_report_data, resolve_scope
from waakhond_aggregator.reports.pdf import render_pdf
from waakhond_aggregator.reports.period import parse_period
from waakhond_aggregator.reports.render import render_html
from waakhond_aggregator.storage.cells import RefreshPolicy, refresh_weekly_cells
from waakhond_aggregator.storage.disclosure import DisclosurePolicy, write_disclosure_policy
from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_aggregator.storage.reference import store_region_reference
from waakhond_contract.regions import load_region_reference

FIRST_WEEK = "2025-01-06"
WEEKS = 91  # up to the week of 2026-09-21, the last of 2026-Q3
CHUNK = 250_000

# One signal per number: its week, municipality, categories and breakdown values all come
# from hashes of the number, so both fact tables describe the same signals.
_SIGNAL = """
    WITH
        (SELECT groupArray(municipality_code) FROM
            (SELECT DISTINCT municipality_code FROM {db}.region_reference
             WHERE year = 2025 ORDER BY municipality_code)) AS codes,
        toMonday(toDate('{first}') + toUInt32(cityHash64(number, 3) % ({weeks} * 7)))
            AS week,
        codes[1 + cityHash64(number, 4) % length(codes)] AS municipality,
        reinterpretAsUUID(reverse(unhex(hex(cityHash64(number, 1)) ||
                          hex(cityHash64(number, 2))))) AS id,
        arrayConcat(['all'], arrayFilter(
            c -> cityHash64(number, c) % 3 = 0,
            ['policy_gap', 'missed_rights', 'unreachable_groups', 'no_suitable_care']))
            AS categories
"""
TREND_INSERT = (
    "INSERT INTO {db}.trend_municipality_facts "
    + _SIGNAL
    + """
    SELECT week, arrayJoin(categories), 2025, municipality, id
    FROM numbers({start:UInt64}, {count:UInt64})
"""
)
BREAKDOWN_INSERT = (
    "INSERT INTO {db}.breakdown_municipality_facts "
    + _SIGNAL
    + """,
        ['wmo', 'wmo', 'wmo', 'wlz', 'wlz', 'jeugdwet', 'zvw', 'participatiewet'] AS laws,
        ['housing', 'care', 'work_daytime_activities', 'education', 'transport', 'finances',
         'social_contacts', 'safety', 'other'] AS lives,
        ['intellectual_disability', 'mental_health', 'acquired_brain_injury',
         'physical_disability', 'sensory_impairment', 'autism', 'elderly_dementia', 'youth',
         'informal_carers', 'other'] AS groups,
        ['0-17', '18-26', '27-64', '65-79', '80+'] AS ages,
        arrayDistinct([laws[1 + cityHash64(number, 5) % 8],
                       laws[1 + cityHash64(number, 6) % (if(cityHash64(number, 7) % 4 = 0, 8, 1))]])
            AS law_domains,
        arrayConcat(
            arrayMap(v -> ('law_domain', v), law_domains),
            if(has(law_domains, 'wmo') AND has(law_domains, 'wlz'),
               [('law_domain', 'wmo+wlz')], []),
            arrayMap(v -> ('life_domain', v), arrayDistinct(
                [lives[1 + cityHash64(number, 8) % 9], lives[1 + cityHash64(number, 9) % 9]])),
            arrayMap(v -> ('target_group', v), arrayDistinct(
                [groups[1 + cityHash64(number, 10) % 10],
                 groups[1 + cityHash64(number, 11)
                     % (if(cityHash64(number, 12) % 3 = 0, 10, 1))]])),
            [('supporter_type', if(cityHash64(number, 13) % 5 = 0, 'informal', 'formal')),
             ('age_band', ages[1 + cityHash64(number, 14) % 5])]) AS values
    SELECT week, pair.1, category, pair.2, 2025, municipality, id
    FROM numbers({start:UInt64}, {count:UInt64})
    ARRAY JOIN categories AS category
    ARRAY JOIN values AS pair
"""
)


@dataclass(frozen=True, slots=True)
class ReportTiming:
    signals: int
    trend_fact_rows: int
    breakdown_fact_rows: int
    period: str
    scope: str
    runs: int
    read_seconds_median: float
    html_seconds_median: float
    pdf_seconds_median: float
    total_seconds_median: float
    total_seconds_max: float
    pdf_pages_bytes: int
    generate_seconds: float
    refresh_seconds: float
    cpu_count: int | None
    python: str


def generate(client: Client, database: str, signals: int) -> None:
    for start in range(0, signals, CHUNK):
        parameters = {"start": start, "count": min(CHUNK, signals - start)}
        for insert in (TREND_INSERT, BREAKDOWN_INSERT):
            statement = insert.replace("{db}", database).replace("{first}", FIRST_WEEK)
            client.command(statement.replace("{weeks}", str(WEEKS)), parameters=parameters)


def measure_report(
    client: Client, database: str, signals: int, runs: int, period: str = "2026-Q3"
) -> ReportTiming:
    import os

    client.command(f"DROP DATABASE IF EXISTS {database}")
    client.command(f"CREATE DATABASE {database}")
    apply_migrations(client, database)
    store_region_reference(client, database, load_region_reference())
    write_disclosure_policy(client, database, DisclosurePolicy())
    started = time.perf_counter()
    generate(client, database, signals)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    refresh_weekly_cells(client, database, RefreshPolicy(quiet_seconds=0, max_weeks=1000))
    refreshed = time.perf_counter() - started

    parsed = parse_period(period)
    scope = resolve_scope("NL", parsed.last_day)
    reads, htmls, pdfs, totals = [], [], [], []
    size = 0
    for _ in range(runs):
        began = time.perf_counter()
        data = read_report_data(client, database, parsed, scope)
        read = time.perf_counter()
        html = render_html(data)
        rendered = time.perf_counter()
        size = len(render_pdf(html))
        printed = time.perf_counter()
        reads.append(read - began)
        htmls.append(rendered - read)
        pdfs.append(printed - rendered)
        totals.append(printed - began)
    if data.total.signals is None or data.total.signals < signals // 20:
        raise RuntimeError(f"the report counted {data.total.signals} signals: data missing")

    def count(table: str) -> int:
        return int(client.query(f"SELECT count() FROM {database}.{table}").result_rows[0][0])

    return ReportTiming(
        signals=signals,
        trend_fact_rows=count("trend_municipality_facts"),
        breakdown_fact_rows=count("breakdown_municipality_facts"),
        period=period,
        scope="NL",
        runs=runs,
        read_seconds_median=round(statistics.median(reads), 2),
        html_seconds_median=round(statistics.median(htmls), 2),
        pdf_seconds_median=round(statistics.median(pdfs), 2),
        total_seconds_median=round(statistics.median(totals), 2),
        total_seconds_max=round(max(totals), 2),
        pdf_pages_bytes=size,
        generate_seconds=round(generated, 1),
        refresh_seconds=round(refreshed, 1),
        cpu_count=os.cpu_count(),
        python=platform.python_version(),
    )


def write_result(timing: ReportTiming, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(asdict(timing), indent=2) + "\n")

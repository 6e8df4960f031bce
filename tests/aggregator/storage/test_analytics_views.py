"""The analytics views (migrations 0004-0006) against an oracle computed in Python.

Signals go in through the pipeline's own path (``to_rows`` + ``TrendStore.insert``),
some of them twice, as a redelivery would. The oracle counts distinct signals per
cell from the signals themselves; every view cell must equal the oracle's count
passed through the disclosure rule, for a policy that shows everything (exact
counts) and for the default one (cell-key noise, suppression and rounding). For
the noise the oracle takes the cell's set of signals from the signals themselves
and only borrows ClickHouse's hash functions, so a view that keyed a cell on the
wrong signals, counted a replay twice or mixed up two cells would differ.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import operator
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.processing.test_transform import classified
from waakhond_aggregator.core.calendar import week_start
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage.disclosure import (
    DisclosurePolicy,
    disclose,
    write_disclosure_policy,
)
from waakhond_aggregator.storage.migrate import apply_migrations, discover_migrations
from waakhond_aggregator.storage.reference import store_region_reference
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import SignalClassified
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category

FIRST_WEEK = dt.date(2024, 12, 2)
AS_OF = dt.date(2025, 3, 30)  # recent window: the 4 weeks from 2025-02-24
EXACT = DisclosurePolicy(min_count=1, rounding_base=1, noise=False)
DEFAULT = DisclosurePolicy()
POLICIES = [pytest.param(EXACT, id="exact"), pytest.param(DEFAULT, id="k10-b5-noise")]
# A fixed secret makes the noise, and so these tests, the same on every run.
SECRET = 0x5EC2E7_0F_CE11_0001


def _day(week: int, index: int) -> str:
    return (FIRST_WEEK + dt.timedelta(weeks=week, days=index % 5)).isoformat()


def analytics_signals() -> list[SignalClassified]:
    """Three regions over the 16 weeks up to AS_OF:

    - Amsterdam: no suitable care for one target group, 1 a week for 12 weeks, then 6 a
      week (a clear rise), naming both Wmo and Wlz;
    - Utrecht: 2 or 3 a week throughout with two categories (steady);
    - Groningen: 3 signals in one week (always below the minimum count), hard to place.
    """
    signals = []
    for week in range(16):
        for index in range(1 if week < 12 else 6):
            signals.append(
                classified(
                    [Category.NO_SUITABLE_CARE],
                    observed_on=_day(week, index),
                    municipality_code="GM0363",
                    law_domains=["wmo", "wlz"],
                    life_domains=["housing", "care"],
                    target_groups=["intellectual_disability"],
                    supporter_type="formal",
                    age_band="18-26",
                )
            )
        for index in range(2 if week % 2 == 0 else 3):
            signals.append(
                classified(
                    [Category.POLICY_GAP, Category.MISSED_RIGHTS],
                    observed_on=_day(week, index),
                    municipality_code="GM0344",
                    law_domains=["jeugdwet", "wmo"],
                    life_domains=["education"],
                    target_groups=["youth", "autism"],
                    supporter_type="informal",
                    age_band="18-26",
                )
            )
    for index in range(3):
        signals.append(
            classified(
                [Category.MISSED_RIGHTS, Category.NO_SUITABLE_CARE],
                observed_on=_day(6, index),
                municipality_code="GM0014",
                law_domains=["zvw"],
                life_domains=["finances"],
                target_groups=["elderly_dementia"],
                supporter_type="informal",
                age_band="80+",
            )
        )
    # Fixed ids (with the fixed SECRET) give every cell the same noise on every run.
    return [
        signal.model_copy(update={"signal_id": uuid.uuid5(uuid.NAMESPACE_OID, f"analytics-{i}")})
        for i, signal in enumerate(signals)
    ]


def prepare(client: Client, database: str, policy: DisclosurePolicy) -> None:
    apply_migrations(client, database)
    store_region_reference(client, database, load_region_reference())
    write_disclosure_policy(client, database, policy)
    fix_secret(client, database)


def fix_secret(client: Client, database: str) -> None:
    client.command(f"TRUNCATE TABLE {database}.disclosure_secret")
    client.insert(f"{database}.disclosure_secret", [[1, SECRET]], column_names=["id", "secret"])


K = TypeVar("K")
Cell = tuple[str, ...]
"""A cell's coordinates as the views key it: (level, region, category) for trends,
(level, region, category, dimension, value) for breakdowns; time is not part of it."""


def published(
    client: Client,
    database: str,
    policy: DisclosurePolicy,
    cells: Mapping[K, tuple[Cell, set[uuid.UUID]]],
) -> dict[K, int | None]:
    """What the disclosure rule shows for each cell, from the oracle's own signal sets."""
    if not policy.noise:
        return {key: disclose(len(ids), policy) for key, (_, ids) in cells.items()}
    ids = sorted({str(i) for _, group in cells.values() for i in group})
    record_key = {
        uuid.UUID(str(signal_id)): int(key)
        for signal_id, key in client.query(
            "SELECT id, cityHash64(toUUID(id)) FROM (SELECT arrayJoin({ids:Array(String)}) AS id)",
            parameters={"ids": ids},
        ).result_rows
    }
    items = list(cells.items())
    coordinates = [list(cell) + [""] * (5 - len(cell)) for _, (cell, _) in items]
    records = [
        functools.reduce(operator.xor, (record_key[i] for i in group), 0) for _, (_, group) in items
    ]
    arity = [len(cell) for _, (cell, _) in items]
    noise = client.query(
        f"""
        SELECT waakhond_cell_noise(
            (SELECT min(secret) FROM {database}.disclosure_secret),
            if(c.3 = 3, cityHash64(c.1[1], c.1[2], c.1[3]),
                cityHash64(c.1[1], c.1[2], c.1[3], c.1[4], c.1[5])),
            c.2)
        FROM (SELECT arrayJoin(arrayZip({{cells:Array(Array(String))}},
            {{records:Array(UInt64)}}, {{arity:Array(UInt8)}})) AS c)
        """,
        parameters={"cells": coordinates, "records": records, "arity": arity},
    ).result_rows
    return {
        key: disclose(len(ids), policy, int(drawn))
        for (key, (_, ids)), (drawn,) in zip(items, noise, strict=True)
    }


def store(client: Client, database: str, signals: list[SignalClassified]) -> None:
    """Insert as the aggregator does, then replay every third signal (redelivery)."""
    reference = load_region_reference()
    rows = [to_rows(signal, reference) for signal in signals]
    sink = TrendStore(client, database)
    sink.insert(rows)
    sink.insert(rows[::3])


def seed_analytics(
    client: Client, database: str, policy: DisclosurePolicy
) -> list[SignalClassified]:
    prepare(client, database, policy)
    signals = analytics_signals()
    store(client, database, signals)
    return signals


@dataclass(frozen=True)
class Oracle:
    """Distinct signal ids per cell, from the signals alone."""

    facts: dict[tuple[str, str, str, dt.date], set[uuid.UUID]]
    breakdowns: dict[tuple[str, str, str, dt.date, str, str], set[uuid.UUID]]

    @classmethod
    def of(cls, signals: list[SignalClassified]) -> Oracle:
        reference = load_region_reference()
        facts: dict[tuple[str, str, str, dt.date], set[uuid.UUID]] = defaultdict(set)
        breakdowns: dict[tuple[str, str, str, dt.date, str, str], set[uuid.UUID]] = defaultdict(set)
        for signal in signals:
            week = week_start(signal.observed_on)
            municipality = reference.resolve(signal.municipality_code, signal.observed_on)
            categories = ["all", *(str(label) for label in signal.classification.labels)]
            laws = [str(v) for v in signal.law_domains]
            values = [
                *(("law_domain", law) for law in laws),
                *([("law_domain", "wmo+wlz")] if {"wmo", "wlz"} <= set(laws) else []),
                *(("life_domain", str(v)) for v in signal.life_domains),
                *(("target_group", str(v)) for v in signal.target_groups),
                ("supporter_type", str(signal.supporter_type)),
                ("age_band", str(signal.age_band)),
            ]
            for region in municipality.regions:
                for category in categories:
                    facts[(str(region.level), region.code, category, week)].add(signal.signal_id)
                    for dimension, value in values:
                        key = (str(region.level), region.code, category, week, dimension, value)
                        breakdowns[key].add(signal.signal_id)
        return cls(dict(facts), dict(breakdowns))

    def months(self) -> dict[tuple[str, str, str, dt.date], set[uuid.UUID]]:
        monthly: dict[tuple[str, str, str, dt.date], set[uuid.UUID]] = defaultdict(set)
        for (level, region, category, week), ids in self.facts.items():
            thursday = week + dt.timedelta(days=3)
            monthly[(level, region, category, thursday.replace(day=1))] |= ids
        return dict(monthly)


def thursdays(month_start: dt.date) -> int:
    days = calendar.monthrange(month_start.year, month_start.month)[1]
    return sum(1 for day in range(days) if (month_start + dt.timedelta(days=day)).isoweekday() == 4)


def rows(client: Client, sql: str, **parameters: Any) -> list[dict[str, Any]]:
    result = client.query(sql, parameters=parameters)
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def weekly_breakdowns(client: Client, database: str) -> dict[tuple[Any, ...], int | None]:
    """The published weekly breakdowns, by (level, region, category, week, dimension, value)."""
    return {
        (
            r["level"],
            r["region_code"],
            r["category"],
            r["week_start"],
            r["dimension"],
            r["value"],
        ): r["signals"]
        for r in rows(client, f"SELECT * FROM {database}.suppressed_breakdown_weekly")
    }


@pytest.fixture(scope="module", params=POLICIES)
def seeded(
    request: pytest.FixtureRequest, clickhouse_client: Client, chdb_path: Path
) -> Iterator[tuple[str, DisclosurePolicy, Oracle]]:
    """One database per policy for the read-only tests of this module."""
    policy: DisclosurePolicy = request.param
    database = f"t_{uuid.uuid4().hex[:10]}"
    signals = seed_analytics(clickhouse_client, database, policy)
    yield database, policy, Oracle.of(signals)
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


def test_replays_are_really_in_the_fact_tables(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    """Otherwise the exactness tests below would prove nothing about replays."""
    database, _, _ = seeded
    for table in ("trend_municipality_facts", "breakdown_municipality_facts"):
        (total, distinct), *_ = clickhouse_client.query(
            f"SELECT count(), uniqExact(tuple(*)) FROM {database}.{table}"
        ).result_rows
        assert total > distinct, table


def test_weekly_breakdowns_count_exactly_then_disclose(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    database, policy, oracle = seeded
    found = weekly_breakdowns(clickhouse_client, database)
    expected = published(
        clickhouse_client,
        database,
        policy,
        {key: ((*key[:3], *key[4:]), ids) for key, ids in oracle.breakdowns.items()},
    )
    assert found == expected


def test_monthly_series_count_exactly_then_disclose(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    database, policy, oracle = seeded
    found = {
        (r["level"], r["region_code"], r["category"], r["month_start"]): (r["weeks"], r["signals"])
        for r in rows(clickhouse_client, f"SELECT * FROM {database}.suppressed_trend_monthly")
    }
    shown = published(
        clickhouse_client, database, policy, {k: (k[:3], ids) for k, ids in oracle.months().items()}
    )
    assert found == {key: (thursdays(key[3]), signals) for key, signals in shown.items()}


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        pytest.param(dt.date(2024, 12, 4), dt.date(2025, 3, 30), id="whole-range-mid-week"),
        pytest.param(dt.date(2025, 2, 24), dt.date(2025, 3, 23), id="recent-window"),
        pytest.param(dt.date(2025, 1, 13), dt.date(2025, 1, 13), id="one-day"),
    ],
)
def test_breakdown_totals_count_the_range_once(
    seeded: tuple[str, DisclosurePolicy, Oracle],
    clickhouse_client: Client,
    date_from: dt.date,
    date_to: dt.date,
) -> None:
    database, policy, oracle = seeded
    found = {
        (r["level"], r["region_code"], r["category"], r["dimension"], r["value"]): r["signals"]
        for r in rows(
            clickhouse_client,
            f"SELECT * FROM {database}.suppressed_breakdown_totals("
            "date_from = {f:Date}, date_to = {t:Date})",
            f=date_from,
            t=date_to,
        )
    }
    totals: dict[tuple[str, str, str, str, str], set[uuid.UUID]] = defaultdict(set)
    for (level, region, category, week, dimension, value), ids in oracle.breakdowns.items():
        if week_start(date_from) <= week <= date_to:
            totals[(level, region, category, dimension, value)] |= ids
    assert found == published(
        clickhouse_client, database, policy, {key: (key, ids) for key, ids in totals.items()}
    )


def test_hard_to_place_is_no_suitable_care_by_target_group(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    database, policy, oracle = seeded
    found = {
        (r["level"], r["region_code"], r["target_group"], r["week_start"]): r["signals"]
        for r in rows(clickhouse_client, f"SELECT * FROM {database}.suppressed_hard_to_place")
    }
    expected = published(
        clickhouse_client,
        database,
        policy,
        {
            (level, region, value, week): ((level, region, category, dimension, value), ids)
            for (level, region, category, week, dimension, value), ids in oracle.breakdowns.items()
            if category == "no_suitable_care" and dimension == "target_group"
        },
    )
    assert found == expected
    assert ("zorgkantoorregio", "ZK02", "intellectual_disability", dt.date(2025, 3, 17)) in found


def test_law_domain_has_the_derived_wmo_and_wlz_value(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    database, policy, oracle = seeded
    found = {
        r["value"]: r["signals"]
        for r in rows(
            clickhouse_client,
            f"SELECT value, signals FROM {database}.suppressed_breakdown_totals("
            "date_from = '2024-12-02', date_to = '2025-03-30') "
            "WHERE level = 'national' AND category = 'all' AND dimension = 'law_domain'",
        )
    }
    national: dict[str, set[uuid.UUID]] = defaultdict(set)
    for (level, _, category, _, dimension, value), ids in oracle.breakdowns.items():
        if (level, category, dimension) == ("national", "all", "law_domain"):
            national[value] |= ids
    # Amsterdam's 36 name Wmo and Wlz, Utrecht's 40 Jeugdwet and Wmo, Groningen's 3 Zvw.
    assert {value: len(ids) for value, ids in national.items()} == {
        "wmo": 76,
        "wlz": 36,
        "wmo+wlz": 36,
        "jeugdwet": 40,
        "zvw": 3,
    }
    assert found == published(
        clickhouse_client,
        database,
        policy,
        {v: (("national", "NL", "all", "law_domain", v), ids) for v, ids in national.items()},
    )


def test_region_names_view_has_every_region_and_no_counts(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    database, _, _ = seeded
    names = rows(clickhouse_client, f"SELECT * FROM {database}.suppressed_region_names")
    assert set(names[0]) == {"level", "region_code", "region_name"}
    care_offices = {r["region_code"] for r in names if r["level"] == "zorgkantoorregio"}
    assert len(care_offices) == 31
    assert {"level": "zorgkantoorregio", "region_code": "ZK02", "region_name": "Amsterdam"} in names


def test_dashboard_views_run_as_definer_and_show_no_signal_ids(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    database, _, _ = seeded
    views = rows(
        clickhouse_client,
        "SELECT name, create_table_query FROM system.tables "
        "WHERE database = {db:String} AND name LIKE 'suppressed\\_%'",
        db=database,
    )
    assert {v["name"] for v in views} >= {
        "suppressed_region_names",
        "suppressed_trend_monthly",
        "suppressed_breakdown_weekly",
        "suppressed_breakdown_totals",
        "suppressed_hard_to_place",
        "suppressed_trend_direction",
        "suppressed_trend_alerts",
        "suppressed_hard_to_place_direction",
    }
    for found in views:
        assert "SQL SECURITY DEFINER" in found["create_table_query"], found["name"]
    columns = rows(
        clickhouse_client,
        "SELECT table, name, type FROM system.columns "
        "WHERE database = {db:String} AND table LIKE 'suppressed\\_%'",
        db=database,
    )
    assert columns
    assert not [c for c in columns if c["name"] == "signal_id" or "UUID" in c["type"]]


def test_no_count_in_any_view_is_small_or_unrounded(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    database, policy, _ = seeded
    counts = {
        "suppressed_trend_monthly": ["signals"],
        "suppressed_breakdown_weekly": ["signals"],
        "suppressed_hard_to_place": ["signals"],
        f"suppressed_breakdown_totals(date_from = '2024-12-01', date_to = '{AS_OF}')": ["signals"],
        f"suppressed_trend_direction(as_of = '{AS_OF}')": ["recent_signals", "baseline_signals"],
        f"suppressed_hard_to_place_direction(as_of = '{AS_OF}')": [
            "recent_signals",
            "baseline_signals",
        ],
    }
    for source, columns in counts.items():
        values = [
            value
            for row in clickhouse_client.query(
                f"SELECT {', '.join(columns)} FROM {database}.{source}"
            ).result_rows
            for value in row
        ]
        assert values, source
        shown = [v for v in values if v is not None]
        assert all(v == 0 or v >= policy.min_count for v in shown), source
        assert all(v % policy.rounding_base == 0 for v in shown), source
        # Groningen's 3 signals are in every source and hidden by the default policy.
        assert (None in values) is (policy == DEFAULT), source


def test_direction_windows_follow_as_of(
    seeded: tuple[str, DisclosurePolicy, Oracle], clickhouse_client: Client
) -> None:
    database, policy, oracle = seeded
    (found,) = rows(
        clickhouse_client,
        f"SELECT * FROM {database}.suppressed_trend_direction(as_of = {{as_of:Date}}) "
        "WHERE level = 'zorgkantoorregio' AND region_code = 'ZK02' AND category = 'all'",
        as_of=AS_OF,
    )
    assert (found["recent_from"], found["recent_to"]) == (
        dt.date(2025, 2, 24),
        dt.date(2025, 3, 23),
    )
    assert (found["baseline_from"], found["baseline_to"]) == (
        dt.date(2024, 12, 2),
        dt.date(2025, 2, 23),
    )
    cell = {
        week: ids
        for (level, region, category, week), ids in oracle.facts.items()
        if (level, region, category) == ("zorgkantoorregio", "ZK02", "all")
    }
    recent = set().union(*(ids for week, ids in cell.items() if week >= found["recent_from"]))
    baseline = set().union(*(ids for week, ids in cell.items() if week < found["recent_from"]))
    assert (len(recent), len(baseline)) == (24, 12)
    shown = published(
        clickhouse_client,
        database,
        policy,
        {
            window: (("zorgkantoorregio", "ZK02", "all"), ids)
            for window, ids in (("recent", recent), ("baseline", baseline))
        },
    )
    shown_recent, shown_baseline = shown["recent"], shown["baseline"]
    assert (found["recent_signals"], found["baseline_signals"]) == (shown_recent, shown_baseline)
    if shown_recent is None or shown_baseline is None:
        # 12 signals plus noise can fall below the minimum count; a hidden window is not tested.
        assert policy.noise
        assert found["direction"] == "insufficient_data"
        return
    assert found["recent_rate"] == pytest.approx(shown_recent / 4)
    assert found["baseline_rate"] == pytest.approx(shown_baseline / 12)
    assert found["direction"] == "rising"


def test_a_doubling_of_small_counts_is_not_a_rise(
    clickhouse_client: Client, chdb_path: Path
) -> None:
    """6 signals in 12 weeks, then 4 in 4 weeks: twice the rate, but p = 0.22."""
    database = f"t_{uuid.uuid4().hex[:10]}"
    prepare(clickhouse_client, database, EXACT)
    weeks = [0, 2, 4, 6, 8, 10, 12, 13, 14, 15]
    store(
        clickhouse_client,
        database,
        [
            classified([Category.POLICY_GAP], observed_on=_day(w, 0), municipality_code="GM0014")
            for w in weeks
        ],
    )
    (found,) = rows(
        clickhouse_client,
        f"SELECT * FROM {database}.suppressed_trend_direction(as_of = {{as_of:Date}}) "
        "WHERE level = 'municipality' AND category = 'policy_gap'",
        as_of=AS_OF,
    )
    clickhouse_client.command(f"DROP DATABASE {database}")
    assert (found["baseline_signals"], found["recent_signals"]) == (6, 4)
    assert found["rate_ratio"] == pytest.approx(2.0)
    assert found["p_rise"] == pytest.approx(0.2241, abs=1e-4)
    assert found["direction"] == "stable"
    assert found["is_alert"] is False


def test_backfill_writes_the_facts_of_signals_stored_before_the_views(
    clickhouse_client: Client, chdb_path: Path
) -> None:
    """Migration 0010 also fills the municipality facts from signals already stored."""
    database = f"t_{uuid.uuid4().hex[:10]}"
    signals = seed_analytics(clickhouse_client, database, EXACT)
    for table in ("trend_municipality_facts", "breakdown_municipality_facts"):
        clickhouse_client.command(f"TRUNCATE TABLE {database}.{table}")
    (migration,) = [m for m in discover_migrations() if m.version == 10]
    backfills = [s for s in migration.statements(database) if s.startswith("INSERT INTO")]
    assert len(backfills) == 2
    # 0010's statements name no columns, and 0012 appended the revision to the facts: name
    # the columns they fill; the revision keeps its default, 0, which every signal stored
    # before 0012 has.
    columns = {
        "trend_municipality_facts": "week_start, category, region_year, municipality_code, "
        "signal_id",
        "breakdown_municipality_facts": "week_start, dimension, category, value, region_year, "
        "municipality_code, signal_id",
    }
    backfills = [
        next(
            backfill.replace(f"{table}\n", f"{table} ({names})\n", 1)
            for table, names in columns.items()
            if f"{table}\n" in backfill
        )
        for backfill in backfills
    ]
    for _ in range(2):  # re-running them changes no count
        for backfill in backfills:
            clickhouse_client.command(backfill)
    trends = {
        (r["level"], r["region_code"], r["category"], r["week_start"]): r["signals"]
        for r in rows(clickhouse_client, f"SELECT * FROM {database}.suppressed_trend_weekly")
    }
    breakdowns = weekly_breakdowns(clickhouse_client, database)
    clickhouse_client.command(f"DROP DATABASE {database}")
    oracle = Oracle.of(signals)
    assert trends == {key: len(ids) for key, ids in oracle.facts.items()}
    assert breakdowns == {key: len(ids) for key, ids in oracle.breakdowns.items()}


def test_the_dashboard_role_is_granted_every_analytics_view() -> None:
    """Migration 0007 (server only) grants exactly the suppressed views of 0005 and 0006."""
    by_version = {m.version: m for m in discover_migrations()}
    created = {
        statement.split()[5].removeprefix("db.")
        for version in (5, 6)
        for statement in by_version[version].statements("db")
        if statement.startswith("CREATE VIEW")
    }
    assert all(name.startswith("suppressed_") for name in created)
    assert len(created) == 9
    grants = by_version[7]
    assert grants.server_only
    granted = {statement.split()[3].removeprefix("db.") for statement in grants.statements("db")}
    assert granted == created


def test_the_dashboard_role_reads_no_secret_policy_or_raw_table() -> None:
    """Every grant of every server-only migration is on a disclosed view or the region names:
    never on the noise secret, the policy, the parameters view, the signals or the facts."""
    granted = {
        statement.split()[3].removeprefix("db.")
        for migration in discover_migrations()
        if migration.server_only
        for statement in migration.statements("db")
        if statement.startswith("GRANT")
    }
    assert "suppressed_trend_weekly" in granted
    assert {name for name in granted if not name.startswith("suppressed_")} == {"region_names"}

"""What a report shows, read from the disclosed views only.

Every number comes from a ``suppressed_*`` view as it stands: totals over the period
(``suppressed_trend_totals``, counted once over the range, never summed from weeks), the
weekly series (``suppressed_trend_weekly``), breakdowns (``suppressed_breakdown_totals``;
hard-to-place clients are its ``no_suitable_care`` x ``target_group`` cells, the cells of
``suppressed_hard_to_place`` over the whole period), the alerts
(``suppressed_trend_alerts``) and the policy the views apply
(``suppressed_disclosure_policy``). Nothing here computes a count from counts: what changed
since the previous period is said in words, not as a difference, since a difference of two
noisy, rounded numbers is a number no view publishes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.labels import ALL_SIGNALS as ALL
from waakhond_aggregator.labels import (
    CATEGORY_LABELS_WITH_ALL,
    DIMENSION_VALUE_LABELS,
    WMO_AND_WLZ,
)
from waakhond_aggregator.reports.period import ReportPeriod
from waakhond_contract.regions import (
    NATIONAL_CODE,
    NATIONAL_NAME,
    RegionLevel,
    load_region_reference,
)
from waakhond_contract.vocabularies import Category, LawDomain, LifeDomain, TargetGroup

CATEGORIES: tuple[Category, ...] = (
    Category.MISSED_RIGHTS,
    Category.NO_SUITABLE_CARE,
    Category.UNREACHABLE_GROUPS,
    Category.POLICY_GAP,
)
MAP_LEVELS = (RegionLevel.ZORGKANTOORREGIO, RegionLevel.PROVINCE)
LEVEL_LABELS = {
    RegionLevel.MUNICIPALITY: "gemeente",
    RegionLevel.JEUGDREGIO: "jeugdregio",
    RegionLevel.GGDREGIO: "GGD-regio",
    RegionLevel.ZORGKANTOORREGIO: "zorgkantoorregio",
    RegionLevel.PROVINCE: "provincie",
    RegionLevel.NATIONAL: "landelijk",
}
MAX_ALERTS = 10
# The keys the report counts by: the categories ("all" among them), and the values of the
# breakdowns it shows.
_KEY_LABELS = {
    **DIMENSION_VALUE_LABELS["target_group"],
    **DIMENSION_VALUE_LABELS["life_domain"],
    **DIMENSION_VALUE_LABELS["law_domain"],
    **CATEGORY_LABELS_WITH_ALL,
}


class ScopeError(ValueError):
    """Not a region code at any level."""


@dataclass(frozen=True, slots=True)
class Scope:
    level: RegionLevel
    code: str
    name: str
    # (level, code) of every region that shares a municipality with the scope.
    overlapping: frozenset[tuple[str, str]]

    @property
    def national(self) -> bool:
        return self.level is RegionLevel.NATIONAL

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


def resolve_scope(code: str, on: dt.date | None = None) -> Scope:
    """``NL`` or a region code of any level, with the regions it overlaps on the map of
    ``on`` (default: the newest map)."""
    reference = load_region_reference()
    region_map = reference.map_for(on) if on else reference.maps[reference.years[-1]]
    if code == NATIONAL_CODE:
        level, name = RegionLevel.NATIONAL, NATIONAL_NAME
    else:
        found = [
            region
            for each in reference.years
            for lvl in RegionLevel
            for region in reference.maps[each].regions(lvl)
            if region.code == code
        ]
        if not found:
            raise ScopeError("no region has this code at any level")
        level, name = found[-1].level, found[-1].name
    inside = [m for m in region_map.municipalities.values() if m.region(level).code == code]
    overlapping = frozenset(
        (str(lvl), m.region(lvl).code) for m in inside for lvl in RegionLevel
    ) | {(str(level), code)}
    return Scope(level, code, name, overlapping)


@dataclass(frozen=True, slots=True)
class Policy:
    min_count: int
    rounding_base: int
    noise: bool


@dataclass(frozen=True, slots=True)
class Count:
    """A disclosed count in this period and the period before (``None``: not shown)."""

    key: str
    label: str
    signals: int | None
    previous: int | None

    @property
    def change(self) -> str:
        """What changed, in words: only comparing two published numbers, never subtracting."""
        if self.signals is None or self.previous is None:
            return "niet te vergelijken"
        if self.signals > self.previous:
            return "hoger"
        if self.signals < self.previous:
            return "lager"
        return "gelijk"


@dataclass(frozen=True, slots=True)
class WeekPoint:
    week_start: dt.date
    signals: int | None


@dataclass(frozen=True, slots=True)
class Alert:
    level: str
    region_code: str
    region_name: str
    category: str
    baseline_signals: int
    recent_signals: int
    rate_ratio: float

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[RegionLevel(self.level)]

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS_WITH_ALL[self.category]


@dataclass(frozen=True, slots=True)
class RegionCount:
    code: str
    name: str
    signals: int | None
    in_scope: bool


@dataclass(slots=True)
class ReportData:
    period: ReportPeriod
    scope: Scope
    policy: Policy
    totals: list[Count]  # ``all`` first, then the four categories
    weekly: dict[str, list[WeekPoint]]
    previous_weekly: dict[str, list[WeekPoint]]
    law_domains: list[Count]
    life_domains: list[Count]
    hard_to_place: list[Count]
    alerts: list[Alert]
    alerts_as_of: dt.date
    regions: dict[str, list[RegionCount]] = field(default_factory=dict)

    @property
    def total(self) -> Count:
        return self.totals[0]

    @property
    def has_data(self) -> bool:
        """Anything counted in the scope this period (a hidden total is something)."""
        return self.total.signals != 0

    @property
    def categories(self) -> list[Count]:
        return self.totals[1:]


def _label(value: str) -> str:
    return _KEY_LABELS.get(value, value)


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def read_policy(client: Client, database: str) -> Policy:
    min_count, rounding_base, noise = client.query(
        f"SELECT min_count, rounding_base, noise FROM {database}.suppressed_disclosure_policy"
    ).result_rows[0]
    return Policy(int(min_count), int(rounding_base), bool(noise))


def _totals(
    client: Client, database: str, period: ReportPeriod, scope: Scope
) -> dict[tuple[str, str, str], int | None]:
    rows = client.query(
        f"""
        SELECT level, region_code, category, signals
        FROM {database}.suppressed_trend_totals(
            date_from = {{first:Date}}, date_to = {{last:Date}})
        WHERE (level = {{level:String}} AND region_code = {{code:String}})
           OR (level IN ('zorgkantoorregio', 'province') AND category = 'all')
        """,
        parameters={
            "first": period.first_week,
            "last": period.last_week,
            "level": str(scope.level),
            "code": scope.code,
        },
    ).result_rows
    return {(str(lvl), str(code), str(cat)): _count(n) for lvl, code, cat, n in rows}


def _weekly(
    client: Client, database: str, period: ReportPeriod, scope: Scope
) -> dict[str, list[WeekPoint]]:
    rows = client.query(
        f"""
        SELECT category, week_start, signals
        FROM {database}.suppressed_trend_weekly
        WHERE level = {{level:String}} AND region_code = {{code:String}}
          AND week_start BETWEEN {{first:Date}} AND {{last:Date}}
        """,
        parameters={
            "first": period.first_week,
            "last": period.last_week,
            "level": str(scope.level),
            "code": scope.code,
        },
    ).result_rows
    found = {(str(cat), week): _count(n) for cat, week, n in rows}
    # A week without facts is a true zero, which may be shown (as the trends API does).
    return {
        key: [WeekPoint(week, found.get((key, week), 0)) for week in period.weeks]
        for key in [ALL, *map(str, CATEGORIES)]
    }


def _breakdowns(
    client: Client, database: str, period: ReportPeriod, scope: Scope
) -> dict[tuple[str, str, str], int | None]:
    rows = client.query(
        f"""
        SELECT category, dimension, toString(value), signals
        FROM {database}.suppressed_breakdown_totals(
            date_from = {{first:Date}}, date_to = {{last:Date}})
        WHERE level = {{level:String}} AND region_code = {{code:String}}
          AND ((category = 'all' AND dimension IN ('law_domain', 'life_domain'))
            OR (category = 'no_suitable_care' AND dimension = 'target_group'))
        """,
        parameters={
            "first": period.first_week,
            "last": period.last_week,
            "level": str(scope.level),
            "code": scope.code,
        },
    ).result_rows
    return {(str(cat), str(dim), str(value)): _count(n) for cat, dim, value, n in rows}


def read_alerts(
    client: Client, database: str, as_of: dt.date, scope: Scope, limit: int | None = MAX_ALERTS
) -> list[Alert]:
    """The significant rises as of ``as_of`` in the scope and the regions it overlaps,
    strongest evidence first (the report's summary; the weekly digest)."""
    rows = client.query(
        f"""
        SELECT level, region_code, if(empty(region_name), region_code, region_name), category,
               baseline_signals, recent_signals, rate_ratio
        FROM {database}.suppressed_trend_alerts(as_of = {{as_of:Date}})
        ORDER BY p_value ASC, rate_ratio DESC, level, region_code, category
        """,
        parameters={"as_of": as_of},
    ).result_rows
    alerts = [
        Alert(str(lvl), str(code), str(name), str(cat), int(base), int(recent), float(ratio))
        for lvl, code, name, cat, base, recent, ratio in rows
        if scope.national or (str(lvl), str(code)) in scope.overlapping
    ]
    return alerts if limit is None else alerts[:limit]


def _region_names(client: Client, database: str) -> dict[tuple[str, str], str]:
    rows = client.query(
        f"SELECT level, region_code, region_name FROM {database}.suppressed_region_names "
        "WHERE level IN ('zorgkantoorregio', 'province')"
    ).result_rows
    return {(str(lvl), str(code)): str(name) for lvl, code, name in rows}


def _counts(
    keys: list[str],
    now: dict[tuple[str, str, str], int | None],
    before: dict[tuple[str, str, str], int | None],
    prefix: tuple[str, str],
) -> list[Count]:
    # A value without a row has no signals: a true zero.
    return [
        Count(key, _label(key), now.get((*prefix, key), 0), before.get((*prefix, key), 0))
        for key in keys
    ]


def read_report_data(
    client: Client, database: str, period: ReportPeriod, scope: Scope
) -> ReportData:
    previous = period.previous()
    policy = read_policy(client, database)
    totals = _totals(client, database, period, scope)
    previous_totals = _totals(client, database, previous, scope)
    breakdowns = _breakdowns(client, database, period, scope)
    previous_breakdowns = _breakdowns(client, database, previous, scope)
    # The recent window of the alerts is the period's last four weeks.
    as_of = period.last_week + dt.timedelta(weeks=1)
    names = _region_names(client, database)
    reference = load_region_reference().map_for(period.first_day)

    place = (str(scope.level), scope.code)
    total_keys = [ALL, *map(str, CATEGORIES)]
    regions = {
        str(level): [
            RegionCount(
                region.code,
                names.get((str(level), region.code), region.name),
                totals.get((str(level), region.code, ALL), 0),
                scope.national or (str(level), region.code) in scope.overlapping,
            )
            for region in reference.regions(level)
        ]
        for level in MAP_LEVELS
    }
    law = [str(v) for v in LawDomain] + [WMO_AND_WLZ]
    return ReportData(
        period=period,
        scope=scope,
        policy=policy,
        totals=[
            Count(key, _label(key), *pair)
            for key in total_keys
            for pair in [(totals.get((*place, key), 0), previous_totals.get((*place, key), 0))]
        ],
        weekly=_weekly(client, database, period, scope),
        previous_weekly=_weekly(client, database, previous, scope),
        law_domains=_counts(law, breakdowns, previous_breakdowns, (ALL, "law_domain")),
        life_domains=_counts(
            [str(v) for v in LifeDomain], breakdowns, previous_breakdowns, (ALL, "life_domain")
        ),
        hard_to_place=_counts(
            [str(v) for v in TargetGroup],
            breakdowns,
            previous_breakdowns,
            (str(Category.NO_SUITABLE_CARE), "target_group"),
        ),
        alerts=read_alerts(client, database, as_of, scope),
        alerts_as_of=as_of,
        regions=regions,
    )

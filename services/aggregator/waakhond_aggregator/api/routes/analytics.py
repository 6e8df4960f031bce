"""Trend analytics over HTTP: monthly series, breakdowns, direction, alerts, hard to place.

Every endpoint reads ``suppressed_*`` views only, so the API shows exactly what
the dashboards show: every count carries its cell's disclosure noise, counts
below the minimum are ``null``, the rest rounded, and rates and p-values are
computed from those disclosed counts (ANALYTICS.md).
Each answers JSON, or CSV with ``format=csv`` or ``Accept: text/csv`` (the same
rows and columns; an empty cell is a suppressed value).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from clickhouse_connect.driver.client import Client
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from waakhond_aggregator.api.models import DisclosureInfo
from waakhond_aggregator.api.routes.trends import (
    MAX_RANGE_DAYS,
    ClientDep,
    DatabaseDep,
    TrendCategory,
)
from waakhond_aggregator.core.calendar import week_start
from waakhond_contract.regions import RegionLevel

analytics_router = APIRouter(tags=["analytics"])

RECENT_WEEKS = 4
BASELINE_WEEKS = 12
RegionCode = Annotated[
    str | None,
    Query(max_length=16, pattern=r"^[A-Z]{2}[0-9]{0,6}$", description="One region's code."),
]
DateFrom = Annotated[dt.date | None, Query(alias="from", description="First day (inclusive).")]
DateTo = Annotated[dt.date | None, Query(alias="to", description="Last day (inclusive).")]
AsOf = Annotated[
    dt.date | None,
    Query(
        description="Compare the 4 complete ISO weeks before this date's week with the 12 "
        "before those. Default: today."
    ),
]
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="`csv` for CSV; default JSON unless `Accept: text/csv`."),
]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


class Dimension(StrEnum):
    """What a breakdown splits signals by; multi-label, so values overlap."""

    LAW_DOMAIN = "law_domain"
    LIFE_DOMAIN = "life_domain"
    TARGET_GROUP = "target_group"
    SUPPORTER_TYPE = "supporter_type"
    AGE_BAND = "age_band"


class Direction(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STABLE = "stable"
    INSUFFICIENT_DATA = "insufficient_data"


Count = Annotated[int | None, Field(ge=0, description="Disclosed count; null when suppressed.")]
Rate = Annotated[float | None, Field(description="Disclosed count per week.")]


class MonthlyRow(BaseModel):
    region_code: str
    region_name: str
    month_start: dt.date = Field(description="First day of the month.")
    weeks: int = Field(description="ISO weeks in the month (a week counts in its Thursday's).")
    signals: Count


class BreakdownRow(BaseModel):
    region_code: str
    region_name: str
    week_start: dt.date
    value: str
    signals: Count


class BreakdownTotalRow(BaseModel):
    region_code: str
    region_name: str
    value: str
    signals: Count


class HardToPlaceRow(BaseModel):
    region_code: str
    region_name: str
    target_group: str
    week_start: dt.date
    signals: Count


BaselineCount = Annotated[
    int | None, Field(ge=0, description="Disclosed count over the 12 baseline weeks.")
]
RecentCount = Annotated[
    int | None, Field(ge=0, description="Disclosed count over the 4 recent weeks.")
]
RateRatio = Annotated[float | None, Field(description="recent_rate / baseline_rate.")]
PValue = Annotated[float | None, Field(description="Exact one-sided p-value.")]


class DirectionRow(BaseModel):
    level: RegionLevel
    region_code: str
    region_name: str
    category: str
    baseline_signals: BaselineCount
    recent_signals: RecentCount
    baseline_rate: Rate
    recent_rate: Rate
    rate_ratio: RateRatio
    rise_per_week: Rate
    p_rise: PValue
    p_fall: PValue
    q_rise: float | None = Field(description="Benjamini-Hochberg q of the rise within the level.")
    direction: Direction
    is_alert: bool


class AlertRow(BaseModel):
    level: RegionLevel
    region_code: str
    region_name: str
    category: str
    baseline_signals: BaselineCount
    recent_signals: RecentCount
    baseline_rate: Rate
    recent_rate: Rate
    rate_ratio: RateRatio
    rise_per_week: Rate
    p_value: float = Field(description="Exact one-sided p-value of the rise.")
    q_value: float = Field(description="Benjamini-Hochberg q within the level.")


class HardToPlaceDirectionRow(BaseModel):
    level: RegionLevel
    region_code: str
    region_name: str
    target_group: str
    baseline_signals: BaselineCount
    recent_signals: RecentCount
    baseline_rate: Rate
    recent_rate: Rate
    rate_ratio: RateRatio
    rise_per_week: Rate
    p_rise: PValue
    p_fall: PValue
    direction: Direction


class Windows(BaseModel):
    as_of: dt.date
    recent_from: dt.date
    recent_to: dt.date
    baseline_from: dt.date
    baseline_to: dt.date

    @classmethod
    def for_date(cls, as_of: dt.date) -> Windows:
        recent_from = week_start(as_of) - dt.timedelta(weeks=RECENT_WEEKS)
        return cls(
            as_of=as_of,
            recent_from=recent_from,
            recent_to=week_start(as_of) - dt.timedelta(days=1),
            baseline_from=recent_from - dt.timedelta(weeks=BASELINE_WEEKS),
            baseline_to=recent_from - dt.timedelta(days=1),
        )


class _RangeResponse(BaseModel):
    level: RegionLevel
    date_from: dt.date = Field(serialization_alias="from")
    date_to: dt.date = Field(serialization_alias="to")
    disclosure: DisclosureInfo


class MonthlyResponse(_RangeResponse):
    category: str
    rows: list[MonthlyRow]


class BreakdownResponse(_RangeResponse):
    category: str
    dimension: Dimension
    rows: list[BreakdownRow]


class BreakdownTotalResponse(_RangeResponse):
    category: str
    dimension: Dimension
    rows: list[BreakdownTotalRow]


class HardToPlaceResponse(_RangeResponse):
    rows: list[HardToPlaceRow]


class DirectionResponse(BaseModel):
    windows: Windows
    disclosure: DisclosureInfo
    rows: list[DirectionRow]


class AlertResponse(BaseModel):
    windows: Windows
    disclosure: DisclosureInfo
    rows: list[AlertRow]


class HardToPlaceDirectionResponse(BaseModel):
    windows: Windows
    disclosure: DisclosureInfo
    rows: list[HardToPlaceDirectionRow]


Row = TypeVar("Row", bound=BaseModel)


def _date_range(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    date_to = date_to or dt.date.today()
    date_from = date_from or date_to - dt.timedelta(weeks=52)
    if date_from > date_to:
        raise HTTPException(422, "`from` must not be after `to`")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise HTTPException(422, f"at most {MAX_RANGE_DAYS} days per request")
    return date_from, date_to


def _query(
    client: Client, database: str, sql: str, parameters: dict[str, Any], row_model: type[Row]
) -> tuple[list[Row], DisclosureInfo]:
    result = client.query(sql, parameters=parameters)
    rows = [
        row_model.model_validate(dict(zip(result.column_names, row, strict=True)))
        for row in result.result_rows
    ]
    return rows, _policy(client, database)


def _policy(client: Client, database: str) -> DisclosureInfo:
    min_count, rounding_base, noise = client.query(
        f"SELECT min_count, rounding_base, noise FROM {database}.suppressed_disclosure_policy"
    ).result_rows[0]
    return DisclosureInfo(
        min_count=int(min_count), rounding_base=int(rounding_base), noise=bool(noise)
    )


def _wants_csv(request: Request, format_: str | None) -> bool:
    if format_ is not None:
        return format_ == "csv"
    return "text/csv" in request.headers.get("accept", "")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(rows: Sequence[BaseModel], row_model: type[BaseModel]) -> str:
    """The rows as CSV with a header; a suppressed (null) value is an empty cell."""
    columns = list(row_model.model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(getattr(row, column)) for column in columns])
    return buffer.getvalue()


def _answer(
    request: Request,
    format_: str | None,
    response: BaseModel,
    rows: Sequence[BaseModel],
    row_model: type[BaseModel],
    name: str,
) -> BaseModel | Response:
    if not _wants_csv(request, format_):
        return response
    return Response(
        to_csv(rows, row_model),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


NAMES_JOIN = (
    "LEFT JOIN {db}.suppressed_region_names AS n "
    "ON n.level = t.level AND n.region_code = t.region_code"
)


@analytics_router.get(
    "/v1/trends/monthly",
    response_model=MonthlyResponse,
    response_model_by_alias=True,
    responses=CSV_RESPONSE,
    summary="Monthly signal counts per region",
)
async def monthly(
    request: Request,
    client: ClientDep,
    database: DatabaseDep,
    level: Annotated[RegionLevel, Query()] = RegionLevel.NATIONAL,
    category: Annotated[TrendCategory, Query()] = "all",
    date_from: DateFrom = None,
    date_to: DateTo = None,
    region: RegionCode = None,
    format_: Annotated[Format, Query(alias="format")] = None,
) -> BaseModel | Response:
    """Distinct signals per month for every region of a level. A month is made of the ISO
    weeks whose Thursday falls in it; months overlapping the range are included."""
    first, last = _date_range(date_from, date_to)
    sql = f"""
        SELECT t.region_code AS region_code,
               if(empty(n.region_name), t.region_code, n.region_name) AS region_name,
               t.month_start AS month_start, t.weeks AS weeks, t.signals AS signals
        FROM {database}.suppressed_trend_monthly AS t
        {NAMES_JOIN.format(db=database)}
        WHERE t.level = {{level:String}} AND t.category = {{category:String}}
          AND t.month_start BETWEEN toStartOfMonth({{first:Date}}) AND {{last:Date}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, t.month_start
    """
    parameters = {
        "level": str(level),
        "category": str(category),
        "first": first,
        "last": last,
        "region": region or "",
    }
    rows, policy = await asyncio.to_thread(_query, client, database, sql, parameters, MonthlyRow)
    body = MonthlyResponse(
        level=level,
        category=str(category),
        date_from=first,
        date_to=last,
        disclosure=policy,
        rows=rows,
    )
    return _answer(request, format_, body, rows, MonthlyRow, "trends-monthly")


@analytics_router.get(
    "/v1/breakdowns",
    response_model=BreakdownResponse,
    response_model_by_alias=True,
    responses=CSV_RESPONSE,
    summary="Weekly signal counts per region by one dimension",
)
async def breakdowns(
    request: Request,
    client: ClientDep,
    database: DatabaseDep,
    dimension: Annotated[Dimension, Query(description="What to split by.")],
    level: Annotated[RegionLevel, Query()] = RegionLevel.NATIONAL,
    category: Annotated[TrendCategory, Query()] = "all",
    date_from: DateFrom = None,
    date_to: DateTo = None,
    region: RegionCode = None,
    format_: Annotated[Format, Query(alias="format")] = None,
) -> BaseModel | Response:
    """Distinct signals per ISO week and value of ``dimension``. ``law_domain`` has the extra
    value ``wmo+wlz`` for signals naming both laws (also counted under each)."""
    first, last = _date_range(date_from, date_to)
    sql = f"""
        SELECT t.region_code AS region_code,
               if(empty(n.region_name), t.region_code, n.region_name) AS region_name,
               t.week_start AS week_start, toString(t.value) AS value, t.signals AS signals
        FROM {database}.suppressed_breakdown_weekly AS t
        {NAMES_JOIN.format(db=database)}
        WHERE t.level = {{level:String}} AND t.category = {{category:String}}
          AND t.dimension = {{dimension:String}}
          AND t.week_start BETWEEN toMonday({{first:Date}}) AND {{last:Date}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, t.week_start, value
    """
    parameters = {
        "level": str(level),
        "category": str(category),
        "dimension": str(dimension),
        "first": first,
        "last": last,
        "region": region or "",
    }
    rows, policy = await asyncio.to_thread(_query, client, database, sql, parameters, BreakdownRow)
    body = BreakdownResponse(
        level=level,
        category=str(category),
        dimension=dimension,
        date_from=first,
        date_to=last,
        disclosure=policy,
        rows=rows,
    )
    return _answer(request, format_, body, rows, BreakdownRow, "breakdowns")


@analytics_router.get(
    "/v1/breakdowns/totals",
    response_model=BreakdownTotalResponse,
    response_model_by_alias=True,
    responses=CSV_RESPONSE,
    summary="Signal counts over a date range per region by one dimension",
)
async def breakdown_totals(
    request: Request,
    client: ClientDep,
    database: DatabaseDep,
    dimension: Annotated[Dimension, Query(description="What to split by.")],
    level: Annotated[RegionLevel, Query()] = RegionLevel.NATIONAL,
    category: Annotated[TrendCategory, Query()] = "all",
    date_from: DateFrom = None,
    date_to: DateTo = None,
    region: RegionCode = None,
    format_: Annotated[Format, Query(alias="format")] = None,
) -> BaseModel | Response:
    """Distinct signals over the whole range (counted once, not summed from weeks)."""
    first, last = _date_range(date_from, date_to)
    sql = f"""
        SELECT t.region_code AS region_code,
               if(empty(n.region_name), t.region_code, n.region_name) AS region_name,
               toString(t.value) AS value, t.signals AS signals
        FROM {database}.suppressed_breakdown_totals(
            date_from = {{first:Date}}, date_to = {{last:Date}}) AS t
        {NAMES_JOIN.format(db=database)}
        WHERE t.level = {{level:String}} AND t.category = {{category:String}}
          AND t.dimension = {{dimension:String}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, value
    """
    parameters = {
        "level": str(level),
        "category": str(category),
        "dimension": str(dimension),
        "first": first,
        "last": last,
        "region": region or "",
    }
    rows, policy = await asyncio.to_thread(
        _query, client, database, sql, parameters, BreakdownTotalRow
    )
    body = BreakdownTotalResponse(
        level=level,
        category=str(category),
        dimension=dimension,
        date_from=first,
        date_to=last,
        disclosure=policy,
        rows=rows,
    )
    return _answer(request, format_, body, rows, BreakdownTotalRow, "breakdown-totals")


_COMPARISON_COLUMNS = """region_code,
               if(empty(region_name), region_code, region_name) AS region_name,
               baseline_signals, recent_signals, baseline_rate, recent_rate, rate_ratio,
               rise_per_week"""


@analytics_router.get(
    "/v1/trends/direction",
    response_model=DirectionResponse,
    responses=CSV_RESPONSE,
    summary="Direction of every region x category: last 4 weeks against the 12 before",
)
async def direction(
    request: Request,
    client: ClientDep,
    database: DatabaseDep,
    level: Annotated[RegionLevel | None, Query()] = None,
    category: Annotated[TrendCategory | None, Query()] = None,
    region: RegionCode = None,
    as_of: AsOf = None,
    format_: Annotated[Format, Query(alias="format")] = None,
) -> BaseModel | Response:
    windows = Windows.for_date(as_of or dt.date.today())
    sql = f"""
        SELECT level, category, {_COMPARISON_COLUMNS},
               p_rise, p_fall, q_rise, direction, is_alert
        FROM {database}.suppressed_trend_direction(as_of = {{as_of:Date}})
        WHERE ({{level:String}} = '' OR level = {{level:String}})
          AND ({{category:String}} = '' OR category = {{category:String}})
          AND ({{region:String}} = '' OR region_code = {{region:String}})
        ORDER BY level, region_code, category
    """
    parameters = {
        "as_of": windows.as_of,
        "level": str(level or ""),
        "category": str(category or ""),
        "region": region or "",
    }
    rows, policy = await asyncio.to_thread(_query, client, database, sql, parameters, DirectionRow)
    body = DirectionResponse(windows=windows, disclosure=policy, rows=rows)
    return _answer(request, format_, body, rows, DirectionRow, "trend-direction")


@analytics_router.get(
    "/v1/alerts",
    response_model=AlertResponse,
    responses=CSV_RESPONSE,
    summary="Significant rises per region x category",
)
async def alerts(
    request: Request,
    client: ClientDep,
    database: DatabaseDep,
    level: Annotated[RegionLevel | None, Query()] = None,
    category: Annotated[TrendCategory | None, Query()] = None,
    region: RegionCode = None,
    as_of: AsOf = None,
    format_: Annotated[Format, Query(alias="format")] = None,
) -> BaseModel | Response:
    """Rises with p < 0.01 (exact conditional binomial test on the disclosed counts), a
    Benjamini-Hochberg q < 0.05 within the level, at least 1.5 times the baseline rate, and
    both windows at or above the minimum count. Strongest evidence first."""
    windows = Windows.for_date(as_of or dt.date.today())
    sql = f"""
        SELECT level, category, {_COMPARISON_COLUMNS}, p_value, q_value
        FROM {database}.suppressed_trend_alerts(as_of = {{as_of:Date}})
        WHERE ({{level:String}} = '' OR level = {{level:String}})
          AND ({{category:String}} = '' OR category = {{category:String}})
          AND ({{region:String}} = '' OR region_code = {{region:String}})
        ORDER BY p_value ASC, rate_ratio DESC, level, region_code, category
    """
    parameters = {
        "as_of": windows.as_of,
        "level": str(level or ""),
        "category": str(category or ""),
        "region": region or "",
    }
    rows, policy = await asyncio.to_thread(_query, client, database, sql, parameters, AlertRow)
    body = AlertResponse(windows=windows, disclosure=policy, rows=rows)
    return _answer(request, format_, body, rows, AlertRow, "alerts")


@analytics_router.get(
    "/v1/hard-to-place",
    response_model=HardToPlaceResponse,
    response_model_by_alias=True,
    responses=CSV_RESPONSE,
    summary="No suitable care per region and target group, weekly",
)
async def hard_to_place(
    request: Request,
    client: ClientDep,
    database: DatabaseDep,
    level: Annotated[RegionLevel, Query()] = RegionLevel.ZORGKANTOORREGIO,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    region: RegionCode = None,
    format_: Annotated[Format, Query(alias="format")] = None,
) -> BaseModel | Response:
    """Signals of no suitable care (hard-to-place clients) per ISO week, region and target
    group; by care-office region unless another level is asked for."""
    first, last = _date_range(date_from, date_to)
    sql = f"""
        SELECT t.region_code AS region_code,
               if(empty(n.region_name), t.region_code, n.region_name) AS region_name,
               toString(t.target_group) AS target_group, t.week_start AS week_start,
               t.signals AS signals
        FROM {database}.suppressed_hard_to_place AS t
        {NAMES_JOIN.format(db=database)}
        WHERE t.level = {{level:String}}
          AND t.week_start BETWEEN toMonday({{first:Date}}) AND {{last:Date}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, target_group, t.week_start
    """
    parameters = {
        "level": str(level),
        "first": first,
        "last": last,
        "region": region or "",
    }
    rows, policy = await asyncio.to_thread(
        _query, client, database, sql, parameters, HardToPlaceRow
    )
    body = HardToPlaceResponse(
        level=level, date_from=first, date_to=last, disclosure=policy, rows=rows
    )
    return _answer(request, format_, body, rows, HardToPlaceRow, "hard-to-place")


@analytics_router.get(
    "/v1/hard-to-place/direction",
    response_model=HardToPlaceDirectionResponse,
    responses=CSV_RESPONSE,
    summary="Direction of no suitable care per region and target group",
)
async def hard_to_place_direction(
    request: Request,
    client: ClientDep,
    database: DatabaseDep,
    level: Annotated[RegionLevel, Query()] = RegionLevel.ZORGKANTOORREGIO,
    region: RegionCode = None,
    as_of: AsOf = None,
    format_: Annotated[Format, Query(alias="format")] = None,
) -> BaseModel | Response:
    windows = Windows.for_date(as_of or dt.date.today())
    sql = f"""
        SELECT level, toString(target_group) AS target_group, {_COMPARISON_COLUMNS},
               p_rise, p_fall, direction
        FROM {database}.suppressed_hard_to_place_direction(as_of = {{as_of:Date}})
        WHERE level = {{level:String}}
          AND ({{region:String}} = '' OR region_code = {{region:String}})
        ORDER BY region_code, target_group
    """
    parameters = {
        "as_of": windows.as_of,
        "level": str(level),
        "region": region or "",
    }
    rows, policy = await asyncio.to_thread(
        _query, client, database, sql, parameters, HardToPlaceDirectionRow
    )
    body = HardToPlaceDirectionResponse(windows=windows, disclosure=policy, rows=rows)
    return _answer(request, format_, body, rows, HardToPlaceDirectionRow, "hard-to-place-direction")

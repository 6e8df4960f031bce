"""Trend analytics over HTTP: monthly series, breakdowns, direction, alerts, hard to place.

Every endpoint reads ``suppressed_*`` views only, so the API shows exactly what
the dashboards show: every count carries its cell's disclosure noise, counts
below the minimum are ``null``, the rest rounded, and rates and p-values are
computed from those disclosed counts (ANALYTICS.md).
Each answers JSON, or CSV with ``format=csv`` or ``Accept: text/csv`` (the same
rows, a Dutch label beside each code and the filters' codes first; an empty cell is a
suppressed value), or ``format=csv-excel`` for Dutch Excel. What a route filters on
comes from ``api/deps.py``, its answer from ``api/answer.py``; each route here is its
view (the SQL) and its response model, whose ``rows`` name the row model.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import APIRouter, Depends

from waakhond_aggregator.api.answer import CSV_RESPONSE, AnswerDep, Answered
from waakhond_aggregator.api.deps import (
    BreakdownFilters,
    ComparisonFilters,
    HardToPlaceComparisonFilters,
    HardToPlaceFilters,
    RangeFilters,
    refuse_unknown_parameters,
)
from waakhond_aggregator.api.models import (
    AlertResponse,
    BreakdownResponse,
    BreakdownTotalResponse,
    DirectionResponse,
    HardToPlaceDirectionResponse,
    HardToPlaceResponse,
    MonthlyResponse,
    RowsResponse,
)

analytics_router = APIRouter(
    tags=["analytics"],
    responses=CSV_RESPONSE,
    dependencies=[Depends(refuse_unknown_parameters)],
)

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Answered]])


def endpoint(path: str, response: type[RowsResponse]) -> Callable[[Endpoint], Endpoint]:
    """``GET path``, answering ``response`` or its rows as CSV. The docstring's first
    paragraph is the summary in the OpenAPI document, the rest its description."""

    def route(function: Endpoint) -> Endpoint:
        summary, _, description = inspect.cleandoc(function.__doc__ or "").partition("\n\n")
        register = analytics_router.get(
            path, response_model=response, summary=summary, description=description
        )
        return register(function)

    return route


def names_join(database: str) -> str:
    """Region names for ``t``; a region without one is shown by its code."""
    return (
        f"LEFT JOIN {database}.suppressed_region_names AS n "
        "ON n.level = t.level AND n.region_code = t.region_code"
    )


REGION_NAME = "if(empty(n.region_name), t.region_code, n.region_name) AS region_name"
COMPARISON_COLUMNS = """region_code,
               if(empty(region_name), region_code, region_name) AS region_name,
               baseline_signals, recent_signals, baseline_rate, recent_rate, rate_ratio,
               rise_per_week"""
# ComparisonFilters in SQL: an empty level, category or region stands for all.
COMPARISON_FILTERS = """({level:String} = '' OR level = {level:String})
          AND ({category:String} = '' OR category = {category:String})
          AND ({region:String} = '' OR region_code = {region:String})"""


@endpoint("/v1/trends/monthly", MonthlyResponse)
async def monthly(filters: RangeFilters, answer: AnswerDep) -> Answered:
    """Monthly signal counts per region

    Distinct signals per month for every region of a level. A month is made of the ISO
    weeks whose Thursday falls in it; months overlapping the range are included."""
    sql = f"""
        SELECT t.region_code AS region_code, {REGION_NAME},
               t.month_start AS month_start, t.weeks AS weeks, t.signals AS signals
        FROM {answer.database}.suppressed_trend_monthly AS t
        {names_join(answer.database)}
        WHERE t.level = {{level:String}} AND t.category = {{category:String}}
          AND t.month_start BETWEEN toStartOfMonth({{first:Date}}) AND {{last:Date}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, t.month_start
    """
    return await answer(sql, filters)


@endpoint("/v1/breakdowns", BreakdownResponse)
async def breakdowns(filters: BreakdownFilters, answer: AnswerDep) -> Answered:
    """Weekly signal counts per region by one dimension

    Distinct signals per ISO week and value of ``dimension``. ``law_domain`` has the extra
    value ``wmo+wlz`` for signals naming both laws (also counted under each)."""
    sql = f"""
        SELECT t.region_code AS region_code, {REGION_NAME},
               t.week_start AS week_start, toString(t.value) AS value, t.signals AS signals
        FROM {answer.database}.suppressed_breakdown_weekly AS t
        {names_join(answer.database)}
        WHERE t.level = {{level:String}} AND t.category = {{category:String}}
          AND t.dimension = {{dimension:String}}
          AND t.week_start BETWEEN toMonday({{first:Date}}) AND {{last:Date}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, t.week_start, value
    """
    return await answer(sql, filters)


@endpoint("/v1/breakdowns/totals", BreakdownTotalResponse)
async def breakdown_totals(filters: BreakdownFilters, answer: AnswerDep) -> Answered:
    """Signal counts over a date range per region by one dimension

    Distinct signals over the whole range (counted once, not summed from weeks)."""
    sql = f"""
        SELECT t.region_code AS region_code, {REGION_NAME},
               toString(t.value) AS value, t.signals AS signals
        FROM {answer.database}.suppressed_breakdown_totals(
            date_from = {{first:Date}}, date_to = {{last:Date}}) AS t
        {names_join(answer.database)}
        WHERE t.level = {{level:String}} AND t.category = {{category:String}}
          AND t.dimension = {{dimension:String}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, value
    """
    return await answer(sql, filters)


@endpoint("/v1/trends/direction", DirectionResponse)
async def direction(filters: ComparisonFilters, answer: AnswerDep) -> Answered:
    """Direction of every region x category: last 4 weeks against the 12 before

    The 4 complete ISO weeks before the week of ``as_of`` against the 12 before those, per
    region and category: disclosed counts and rates, the exact one-sided p-values of a rise
    and of a fall, and the direction they give."""
    sql = f"""
        SELECT level, category, {COMPARISON_COLUMNS},
               p_rise, p_fall, q_rise, direction, is_alert
        FROM {answer.database}.suppressed_trend_direction(as_of = {{as_of:Date}})
        WHERE {COMPARISON_FILTERS}
        ORDER BY level, region_code, category
    """
    return await answer(sql, filters)


@endpoint("/v1/alerts", AlertResponse)
async def alerts(filters: ComparisonFilters, answer: AnswerDep) -> Answered:
    """Significant rises per region x category

    Rises with p < 0.01 (exact conditional binomial test on the disclosed counts), a
    Benjamini-Hochberg q < 0.05 within the level, at least 1.5 times the baseline rate, and
    both windows at or above the minimum count. Strongest evidence first."""
    sql = f"""
        SELECT level, category, {COMPARISON_COLUMNS}, p_value, q_value
        FROM {answer.database}.suppressed_trend_alerts(as_of = {{as_of:Date}})
        WHERE {COMPARISON_FILTERS}
        ORDER BY p_value ASC, rate_ratio DESC, level, region_code, category
    """
    return await answer(sql, filters)


@endpoint("/v1/hard-to-place", HardToPlaceResponse)
async def hard_to_place(filters: HardToPlaceFilters, answer: AnswerDep) -> Answered:
    """No suitable care per region and target group, weekly

    Signals of no suitable care (hard-to-place clients) per ISO week, region and target
    group; by care-office region unless another level is asked for."""
    sql = f"""
        SELECT t.region_code AS region_code, {REGION_NAME},
               toString(t.target_group) AS target_group, t.week_start AS week_start,
               t.signals AS signals
        FROM {answer.database}.suppressed_hard_to_place AS t
        {names_join(answer.database)}
        WHERE t.level = {{level:String}}
          AND t.week_start BETWEEN toMonday({{first:Date}}) AND {{last:Date}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, target_group, t.week_start
    """
    return await answer(sql, filters)


@endpoint("/v1/hard-to-place/direction", HardToPlaceDirectionResponse)
async def hard_to_place_direction(
    filters: HardToPlaceComparisonFilters, answer: AnswerDep
) -> Answered:
    """Direction of no suitable care per region and target group

    The comparison of ``/v1/trends/direction`` for no suitable care, per region and target
    group; by care-office region unless another level is asked for."""
    sql = f"""
        SELECT level, toString(target_group) AS target_group, {COMPARISON_COLUMNS},
               p_rise, p_fall, direction
        FROM {answer.database}.suppressed_hard_to_place_direction(as_of = {{as_of:Date}})
        WHERE level = {{level:String}}
          AND ({{region:String}} = '' OR region_code = {{region:String}})
        ORDER BY region_code, target_group
    """
    return await answer(sql, filters)

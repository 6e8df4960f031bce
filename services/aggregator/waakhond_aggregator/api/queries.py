"""Reading what the trends API answers, from the disclosed (``suppressed_*``) views only."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from clickhouse_connect.driver.client import Client
from pydantic import BaseModel

from waakhond_aggregator.api.deps import CategoryFilter, Period, Place
from waakhond_aggregator.api.models import DisclosureInfo, RegionSeries, TrendPoint, TrendResponse
from waakhond_aggregator.core.calendar import week_start

Row = TypeVar("Row", bound=BaseModel)


def iso_week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def read_policy(client: Client, database: str) -> DisclosureInfo:
    min_count, rounding_base, noise = client.query(
        f"SELECT min_count, rounding_base, noise FROM {database}.suppressed_disclosure_policy"
    ).result_rows[0]
    return DisclosureInfo(
        min_count=int(min_count), rounding_base=int(rounding_base), noise=bool(noise)
    )


def read_rows(
    client: Client, database: str, sql: str, parameters: dict[str, Any], row_model: type[Row]
) -> tuple[list[Row], DisclosureInfo]:
    """The query's rows as ``row_model`` (by column name), and the policy they were shown by."""
    result = client.query(sql, parameters=parameters)
    rows = [
        row_model.model_validate(dict(zip(result.column_names, row, strict=True)))
        for row in result.result_rows
    ]
    return rows, read_policy(client, database)


def read_trends(
    client: Client, database: str, place: Place, category: CategoryFilter, period: Period
) -> TrendResponse:
    first_week = week_start(period.first)
    last_week = week_start(period.last)
    parameters = {
        **place.parameters(),
        **category.parameters(),
        "first_week": first_week,
        "last_week": last_week,
        "date_to": period.last,
    }
    totals = client.query(
        f"""
        SELECT t.region_code, n.region_name, t.signals
        FROM {database}.suppressed_trend_totals(
            date_from = {{first_week:Date}}, date_to = {{date_to:Date}}) AS t
        LEFT JOIN {database}.suppressed_region_names AS n
            ON n.level = t.level AND n.region_code = t.region_code
        WHERE t.level = {{level:String}} AND t.category = {{category:String}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code
        """,
        parameters=parameters,
    ).result_rows
    weekly = client.query(
        f"""
        SELECT region_code, week_start, signals
        FROM {database}.suppressed_trend_weekly
        WHERE level = {{level:String}} AND category = {{category:String}}
          AND ({{region:String}} = '' OR region_code = {{region:String}})
          AND week_start BETWEEN {{first_week:Date}} AND {{last_week:Date}}
        """,
        parameters=parameters,
    ).result_rows
    policy = read_policy(client, database)

    by_region: dict[str, dict[dt.date, int | None]] = {}
    for code, week, signals in weekly:
        by_region.setdefault(code, {})[week] = None if signals is None else int(signals)
    weeks = [
        first_week + dt.timedelta(weeks=i) for i in range((last_week - first_week).days // 7 + 1)
    ]
    series = [
        RegionSeries(
            region_code=code,
            region_name=name or code,
            total=None if total is None else int(total),
            # A week without facts is a true zero, which may be shown.
            points=[
                TrendPoint(
                    week=iso_week_label(week),
                    week_start=week,
                    signals=by_region.get(code, {}).get(week, 0),
                )
                for week in weeks
            ],
        )
        for code, name, total in totals
    ]
    return TrendResponse.model_validate(
        {**place.fields(), **category.fields(), **period.fields()}
        | {"disclosure": policy, "series": series}
    )

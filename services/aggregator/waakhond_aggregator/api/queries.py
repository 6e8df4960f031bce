"""Reading weekly trend series from the disclosed (``suppressed_*``) views only."""

from __future__ import annotations

import datetime as dt

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.api.models import DisclosureInfo, RegionSeries, TrendPoint, TrendResponse
from waakhond_aggregator.core.calendar import week_start
from waakhond_contract.regions import RegionLevel


def iso_week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def read_trends(
    client: Client,
    database: str,
    level: RegionLevel,
    category: str,
    date_from: dt.date,
    date_to: dt.date,
    region_code: str | None = None,
) -> TrendResponse:
    first_week = week_start(date_from)
    last_week = week_start(date_to)
    parameters = {
        "level": str(level),
        "category": category,
        "first_week": first_week,
        "last_week": last_week,
        "date_to": date_to,
        "region": region_code or "",
    }
    totals = client.query(
        f"""
        SELECT t.region_code, n.region_name, t.signals
        FROM {database}.suppressed_trend_totals(
            date_from = {{first_week:Date}}, date_to = {{date_to:Date}}) AS t
        LEFT JOIN {database}.region_names AS n
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
    policy = client.query(
        f"SELECT min_count, rounding_base, noise FROM {database}.current_disclosure_policy"
    ).result_rows[0]

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
    return TrendResponse(
        level=level,
        category=category,
        date_from=date_from,
        date_to=date_to,
        disclosure=DisclosureInfo(
            min_count=int(policy[0]), rounding_base=int(policy[1]), noise=bool(policy[2])
        ),
        series=series,
    )

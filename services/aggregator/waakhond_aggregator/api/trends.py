"""Reading weekly trend series from ClickHouse."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.api.models import RegionSeries, TrendPoint, TrendResponse
from waakhond_aggregator.pipeline.transform import week_start
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
    result = client.query(
        f"""
        SELECT t.region_code, n.region_name, t.week_start, t.signals
        FROM {database}.trend_weekly AS t
        LEFT JOIN {database}.region_names AS n
            ON n.level = t.level AND n.region_code = t.region_code
        WHERE t.level = {{level:String}}
          AND t.category = {{category:String}}
          AND t.week_start BETWEEN {{first_week:Date}} AND {{last_week:Date}}
          AND ({{region:String}} = '' OR t.region_code = {{region:String}})
        ORDER BY t.region_code, t.week_start
        """,
        parameters={
            "level": str(level),
            "category": category,
            "first_week": first_week,
            "last_week": last_week,
            "region": region_code or "",
        },
    )
    weeks = []
    cursor = first_week
    while cursor <= last_week:
        weeks.append(cursor)
        cursor += dt.timedelta(days=7)
    counts: dict[str, dict[dt.date, int]] = defaultdict(dict)
    names: dict[str, str] = {}
    for code, name, week, signals in result.result_rows:
        counts[code][week] = int(signals)
        names[code] = name or code
    series = [
        RegionSeries(
            region_code=code,
            region_name=names[code],
            total=sum(by_week.values()),
            points=[
                TrendPoint(week=iso_week_label(week), week_start=week, signals=by_week.get(week, 0))
                for week in weeks
            ],
        )
        for code, by_week in sorted(counts.items())
    ]
    return TrendResponse(
        level=level, category=category, date_from=date_from, date_to=date_to, series=series
    )

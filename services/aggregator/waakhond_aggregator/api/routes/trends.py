"""``GET /v1/trends``: weekly series per region, as JSON or as CSV (``api/answer.py``)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends

from waakhond_aggregator.api.answer import (
    CSV_RESPONSE,
    Answered,
    Format,
    FormatDep,
    Table,
    context,
    csv_response,
)
from waakhond_aggregator.api.deps import (
    CategoryDep,
    ClientDep,
    DatabaseDep,
    NationalDep,
    PeriodDep,
    refuse_unknown_parameters,
)
from waakhond_aggregator.api.models import TrendResponse
from waakhond_aggregator.api.queries import read_trends

router = APIRouter(tags=["trends"], dependencies=[Depends(refuse_unknown_parameters)])

# One CSV line per region and week; ``total`` is the region's over the whole range (counted
# once, disclosed on its own), the same on each of the region's lines.
TREND_COLUMNS = ("region_code", "region_name", "week", "week_start", "signals", "total")


def trend_table(response: TrendResponse) -> Table:
    rows = [
        {
            "region_code": series.region_code,
            "region_name": series.region_name,
            "week": point.week,
            "week_start": point.week_start,
            "signals": point.signals,
            "total": series.total,
        }
        for series in response.series
        for point in series.points
    ]
    fields = {"level": response.level, "category": response.category}
    return Table("trends", TREND_COLUMNS, rows, context(fields, TREND_COLUMNS))


@router.get(
    "/v1/trends",
    response_model=TrendResponse,
    response_model_by_alias=True,
    summary="Weekly signal counts per region",
    responses=CSV_RESPONSE,
)
async def trends(
    client: ClientDep,
    database: DatabaseDep,
    place: NationalDep,
    category: CategoryDep,
    period: PeriodDep,
    output: FormatDep,
) -> Answered:
    """Distinct signals per ISO week (by the date observed) for every region of a level.

    Defaults to the last 52 weeks up to today. As CSV one line per region and week, the
    region's total over the range on each of its lines."""
    response = await asyncio.to_thread(read_trends, client, database, place, category, period)
    if output is Format.JSON:
        return response
    return csv_response(trend_table(response), response.disclosure, output)

"""``GET /v1/trends``: weekly series per region."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends

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


@router.get(
    "/v1/trends",
    response_model=TrendResponse,
    response_model_by_alias=True,
    summary="Weekly signal counts per region",
)
async def trends(
    client: ClientDep,
    database: DatabaseDep,
    place: NationalDep,
    category: CategoryDep,
    period: PeriodDep,
) -> TrendResponse:
    """Distinct signals per ISO week (by the date observed) for every region of a level.

    Defaults to the last 52 weeks up to today."""
    return await asyncio.to_thread(read_trends, client, database, place, category, period)

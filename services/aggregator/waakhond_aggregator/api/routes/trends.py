"""``GET /v1/trends`` and the health endpoints."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Literal

from clickhouse_connect.driver.client import Client
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from waakhond_aggregator.api.models import TrendResponse
from waakhond_aggregator.api.queries import read_trends
from waakhond_contract.regions import RegionLevel
from waakhond_contract.vocabularies import Category

router = APIRouter()

TrendCategory = Category | Literal["all"]
MAX_RANGE_DAYS = 5 * 366


def get_client(request: Request) -> Client:
    client: Client = request.app.state.clickhouse
    return client


def get_database(request: Request) -> str:
    database: str = request.app.state.database
    return database


ClientDep = Annotated[Client, Depends(get_client)]
DatabaseDep = Annotated[str, Depends(get_database)]


@router.get(
    "/v1/trends",
    response_model=TrendResponse,
    response_model_by_alias=True,
    tags=["trends"],
    summary="Weekly signal counts per region",
)
async def trends(
    client: ClientDep,
    database: DatabaseDep,
    level: Annotated[RegionLevel, Query(description="Region level.")] = RegionLevel.NATIONAL,
    category: Annotated[
        TrendCategory, Query(description="A category, or `all` for every signal.")
    ] = "all",
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    region: Annotated[str | None, Query(max_length=16, pattern=r"^[A-Z]{2}[0-9]{0,6}$")] = None,
) -> TrendResponse:
    """Distinct signals per ISO week (by the date observed) for every region of a level.

    Defaults to the last 52 weeks up to today."""
    date_to = date_to or dt.date.today()
    date_from = date_from or date_to - dt.timedelta(weeks=52)
    if date_from > date_to:
        raise HTTPException(422, "`from` must not be after `to`")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise HTTPException(422, f"at most {MAX_RANGE_DAYS} days per request")
    return await asyncio.to_thread(
        read_trends, client, database, level, str(category), date_from, date_to, region
    )


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["health"], responses={503: {}})
async def readyz(client: ClientDep) -> JSONResponse:
    try:
        await asyncio.to_thread(client.command, "SELECT 1")
    except Exception as error:
        return JSONResponse({"status": f"ClickHouse unreachable: {error}"}, status_code=503)
    return JSONResponse({"status": "ready"})

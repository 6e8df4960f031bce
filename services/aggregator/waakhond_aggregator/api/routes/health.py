"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from waakhond_aggregator.api.deps import ClientDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {}})
async def readyz(client: ClientDep) -> JSONResponse:
    try:
        await asyncio.to_thread(client.command, "SELECT 1")
    except Exception as error:
        return JSONResponse({"status": f"ClickHouse unreachable: {error}"}, status_code=503)
    return JSONResponse({"status": "ready"})

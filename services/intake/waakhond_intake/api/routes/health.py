"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from waakhond_intake.api.deps import PublisherDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The broker is reachable", responses={503: {}})
async def readyz(publisher: PublisherDep) -> JSONResponse:
    reachable = await asyncio.to_thread(publisher.broker_reachable)
    return JSONResponse(
        {"status": "ready" if reachable else "broker unreachable"},
        status_code=200 if reachable else 503,
    )

"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from waakhond_aggregator.api.deps import ClientDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {}})
async def readyz(request: Request, client: ClientDep) -> JSONResponse:
    """Ready while ClickHouse answers and the consumer is not stuck retrying one step (a
    lost dependency, or one that refuses every write) for longer than the stuck limit."""
    try:
        await asyncio.to_thread(client.command, "SELECT 1")
    except Exception as error:
        return JSONResponse({"status": f"ClickHouse unreachable: {error}"}, status_code=503)
    worker = getattr(request.app.state, "consumer", None)
    if worker is not None:
        retrying = worker.consumer.retrying
        seconds = retrying.retrying_for()
        if seconds > request.app.state.stuck_after_seconds:
            return JSONResponse(
                {"status": f"stuck: {retrying.what} failing for {seconds:.0f} s"},
                status_code=503,
            )
    return JSONResponse({"status": "ready"})

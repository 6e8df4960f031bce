"""The classifier's web routes on faust's web server: liveness, readiness and metrics."""

from __future__ import annotations

from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from waakhond_classifier.processing.offload import ClassifierProcesses
from waakhond_runtime.retry import RetryState


def add_health_routes(
    app: faust.App, processes: ClassifierProcesses, delivery: RetryState, stuck_after: float
) -> None:
    """``/healthz`` fails once a model process is gone; ``/readyz`` needs partitions and a
    delivery that has not been failing for longer than ``stuck_after`` seconds."""

    @app.page("/healthz")
    async def healthz(web: Any, _request: Any) -> Any:
        if not processes.alive():
            return web.json({"status": "model process gone"}, status=503)
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: Any, _request: Any) -> Any:
        failing = delivery.retrying_for()
        if failing > stuck_after:
            return web.json(
                {"status": f"stuck: {delivery.what} failing for {failing:.0f} s"}, status=503
            )
        ready = app.consumer is not None and not app.rebalancing and bool(app.consumer.assignment())
        return web.json({"status": "ready" if ready else "not ready"}, status=200 if ready else 503)

    @app.page("/metrics")
    async def metrics(web: Any, _request: Any) -> Any:
        # aiohttp refuses a charset inside content_type; the exposition format is ASCII.
        content_type, _, _ = CONTENT_TYPE_LATEST.partition("; charset")
        return web.bytes(generate_latest(), content_type=content_type)

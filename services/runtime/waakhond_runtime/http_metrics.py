"""Every HTTP request counted and timed, per route, method and status: the refused ones too.

A pure ASGI middleware, added last so that it wraps everything else: answers given before
routing (a body over the size limit) and after it (validation, authentication, rate limits)
are all seen with their final status. The route label is the route's path template, never
the raw path, so the label set stays bounded whatever callers send.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "waakhond_http_requests_total",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "waakhond_http_request_seconds",
    "From receiving a request to its last response byte, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Paths that match no route: one label, so that scans and typos cannot grow the series.
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The template of the route that took the request; for a mounted app (``/metrics``) the
    mount's path. A request answered before routing (a body over the size limit) is labelled
    with its path when that is a documented path of the API as written, else ``unmatched``."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    app = scope.get("app")
    path = str(scope.get("path", ""))
    for mounted in getattr(app, "routes", ()):
        if isinstance(mounted, Mount) and (
            path == mounted.path or path.startswith(mounted.path + "/")
        ):
            return mounted.path
    openapi = getattr(app, "openapi", None)
    if callable(openapi) and path in openapi().get("paths", {}):
        return path
    return UNMATCHED


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the response started is answered 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = route_template(scope)
            method = scope.get("method", "")
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_REQUEST_SECONDS.labels(route, method).observe(time.perf_counter() - started)

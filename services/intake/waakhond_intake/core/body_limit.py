"""Refuse oversized bodies with 413 before they are read into memory."""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from waakhond_runtime.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE


class BodyTooLargeError(Exception):
    pass


class BodySizeLimitMiddleware:
    """Enforces a per-path byte limit on the request body.

    Checks Content-Length up front and counts streamed bytes too, so a chunked
    body without Content-Length cannot slip past the limit.
    """

    def __init__(self, app: ASGIApp, default_limit: int, limits: dict[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default_limit)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._reject(send, limit)
                return

        received = 0
        response_started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer here: frameworks may catch the exception below while parsing.
                    if not response_started and not rejected:
                        rejected = True
                        await self._reject(send, limit)
                    raise BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return  # the 413 is already sent; drop the app's own answer
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        # The 413 went out from limited_receive; the exception only unwinds the app.
        with contextlib.suppress(BodyTooLargeError):
            await self.app(scope, limited_receive, guarded_send)

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
        body = json.dumps(
            {
                "type": PROBLEM_BASE + "body-too-large",
                "title": "The request body is too large",
                "status": 413,
                "detail": f"The limit for this endpoint is {limit} bytes.",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

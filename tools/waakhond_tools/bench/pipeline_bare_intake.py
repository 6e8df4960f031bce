"""The intake limit: a bare FastAPI endpoint that produces what it is sent.

Same uvicorn settings and the same ``SignalPublisher`` (acks=all, lz4, linger
5 ms, 202 only after the broker's acknowledgement) as intake, but no
authentication, validation, redaction, rate limit or audit. Each signal's body
is produced as it came, keyed by the caller's key id (intake keys by the
organisation the key belongs to), so the broker sees records and batches of
the size intake produces. Run as ``python -m waakhond_tools.bench.pipeline_bare_intake``
with the ``WAAKHOND_KAFKA_*``, ``WAAKHOND_TOPIC_*`` and ``WAAKHOND_INTAKE_PORT``
variables.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Request, Response

from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.streaming.publisher import ProducerPolicy, SignalPublisher
from waakhond_runtime.records import ProducedRecord
from waakhond_runtime.settings import KafkaSettings, TopicSettings


def _caller(request: Request) -> bytes:
    """The key id of ``Bearer wk.<key id>.<secret>``: one per organisation, as intake keys."""
    parts = request.headers.get("authorization", "").split(".")
    return parts[1].encode() if len(parts) == 3 else b""


def _record(item: dict[str, object], key: bytes) -> ProducedRecord:
    return ProducedRecord(key=key, value=json.dumps(item, ensure_ascii=False).encode())


def create_bare_app(
    settings: IntakeSettings, kafka: KafkaSettings, topics: TopicSettings
) -> FastAPI:
    publisher = SignalPublisher(
        kafka,
        topics.submitted,
        ProducerPolicy(delivery_timeout_seconds=settings.delivery_timeout_seconds),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        publisher.start()
        yield
        publisher.close()

    app = FastAPI(lifespan=lifespan)

    async def publish(records: list[ProducedRecord]) -> Response:
        outcomes = await publisher.publish(records)
        failed = sum(1 for outcome in outcomes if outcome is not None)
        return Response(
            content=json.dumps({"accepted": len(records) - failed}),
            status_code=202 if not failed else 503,
            media_type="application/json",
        )

    @app.post("/v1/signals")
    async def single(request: Request) -> Response:
        return await publish([_record(json.loads(await request.body()), _caller(request))])

    @app.post("/v1/signals/batch")
    async def batch(request: Request) -> Response:
        items = json.loads(await request.body())["signals"]
        key = _caller(request)
        return await publish([_record(item, key) for item in items])

    @app.get("/readyz")
    async def readyz() -> Response:
        reachable = await asyncio.to_thread(publisher.broker_reachable)
        return Response(status_code=200 if reachable else 503)

    return app


def main() -> None:
    settings = IntakeSettings()
    uvicorn.run(
        create_bare_app(settings, KafkaSettings(), TopicSettings()),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()

"""The classifier limit: a faust agent that forwards what it reads, unclassified.

The app is configured as the classifier's (same batching, acks, linger,
commit interval, at-least-once with acknowledgement after delivery) and
forwards each message's key and value to ``WAAKHOND_TOPIC_CLASSIFIED``. Run as
``python -m waakhond_tools.bench.pipeline_passthrough`` with the classifier's variables.
"""

from __future__ import annotations

import asyncio
from typing import Any

import faust

from waakhond_classifier.core.config import ClassifierSettings
from waakhond_classifier.streaming.faust_app import new_faust_app, new_worker, raw_topic, send_raw
from waakhond_runtime.collector import settle_after_startup
from waakhond_runtime.log_format import configure_logging
from waakhond_runtime.settings import KafkaSettings, TopicSettings


def create_passthrough_app(
    settings: ClassifierSettings, kafka: KafkaSettings, topics: TopicSettings
) -> faust.App:
    app = new_faust_app(settings, kafka, topics)
    source = raw_topic(app, topics.submitted)

    @app.agent(source, name="pass-through")
    async def forward(stream: Any) -> None:
        async for events in stream.take_events(settings.batch_size, settings.batch_within_seconds):
            futures = [
                await send_raw(app, topics.classified, event.message.key, event.message.value)
                for event in events
            ]
            await asyncio.gather(*futures)
            for event in events:
                await stream.ack(event)

    @app.page("/readyz")
    async def readyz(web: Any, _request: Any) -> Any:
        ready = app.consumer is not None and not app.rebalancing and bool(app.consumer.assignment())
        return web.json({"status": "ready" if ready else "not ready"}, status=200 if ready else 503)

    return app


def main() -> None:
    app = create_passthrough_app(ClassifierSettings(), KafkaSettings(), TopicSettings())
    configure_logging("passthrough", "WARNING")
    worker = new_worker(app)
    # The same collector settings as the classifier's, so the limit differs only in the work.
    settle_after_startup()
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()

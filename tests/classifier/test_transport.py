"""The classifier's faust app fetches with a short wait, so an idle partition answers soon."""

from __future__ import annotations

import asyncio

from waakhond_classifier.app import new_faust_app
from waakhond_classifier.config import ClassifierSettings
from waakhond_classifier.transport import FETCH_MAX_WAIT_MS, Transport
from waakhond_contract.settings import KafkaSettings, TopicSettings


def test_the_worker_consumer_fetches_with_the_short_wait() -> None:
    app = new_faust_app(ClassifierSettings(), KafkaSettings(), TopicSettings())
    assert isinstance(app.transport, Transport)

    async def create() -> int:
        consumer = app.consumer._thread._create_worker_consumer(app.transport)  # type: ignore[attr-defined]
        wait: int = consumer._fetch_max_wait_ms
        return wait

    assert asyncio.run(create()) == FETCH_MAX_WAIT_MS < 1500

"""The classifier's faust transport: a short fetch wait, so an idle partition answers soon,
and a hand-over of fetched messages that races nothing unless it waits."""

from __future__ import annotations

import asyncio
from typing import Any

import faust
from faust.transport import consumer as faust_consumer

from waakhond_classifier.core.config import ClassifierSettings
from waakhond_classifier.streaming.faust_app import new_faust_app
from waakhond_classifier.streaming.transport import FETCH_MAX_WAIT_MS, Transport, run_until_it_waits
from waakhond_runtime.settings import KafkaSettings, TopicSettings


def test_the_worker_consumer_fetches_with_the_short_wait() -> None:
    app = new_faust_app(ClassifierSettings(), KafkaSettings(), TopicSettings())
    assert isinstance(app.transport, Transport)

    async def create() -> int:
        consumer = app.consumer._thread._create_worker_consumer(app.transport)  # type: ignore[attr-defined]
        wait: int = consumer._fetch_max_wait_ms
        return wait

    assert asyncio.run(create()) == FETCH_MAX_WAIT_MS < 1500


def test_the_worker_consumer_hands_messages_over_without_a_race_per_message() -> None:
    app = new_faust_app(ClassifierSettings(), KafkaSettings(), TopicSettings())
    drain: Any = type(app.consumer)._drain_messages  # type: ignore[attr-defined]
    assert drain is not faust_consumer.Consumer._drain_messages
    # The override is faust 0.15.3's loop with one change; another faust version needs
    # the two compared again before this pin moves.
    assert faust.__version__ == "0.15.3"


def test_a_coroutine_that_never_waits_runs_to_its_end_at_once() -> None:
    done: list[str] = []

    async def hand_over() -> None:
        done.append("delivered")

    assert run_until_it_waits(hand_over()) is None
    assert done == ["delivered"]


def test_the_rest_of_a_waiting_coroutine_is_driven_as_a_task_would() -> None:
    async def scenario() -> tuple[list[str], Any]:
        steps: list[str] = []
        first: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        queue.put_nowait(0)

        async def hand_over() -> str:
            steps.append("started")
            steps.append(await first)
            await queue.put(1)  # waits until the queue has room
            steps.append("put")
            return "result"

        rest = run_until_it_waits(hand_over())
        assert rest is not None
        assert steps == ["started"]
        waiter = asyncio.ensure_future(rest)
        await asyncio.sleep(0)
        first.set_result("woken")
        await asyncio.sleep(0.01)
        assert steps == ["started", "woken"]  # now waiting for room
        queue.get_nowait()
        return steps, await waiter

    steps, result = asyncio.run(scenario())
    assert steps == ["started", "woken", "put"]
    assert result == "result"


def test_the_rest_of_a_waiting_coroutine_can_be_cancelled_like_the_coroutine() -> None:
    """faust races a waiting hand-over against a suspended flow and cancels the loser."""

    async def scenario() -> list[str]:
        seen: list[str] = []
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def hand_over() -> None:
            try:
                await never
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise

        rest = run_until_it_waits(hand_over())
        assert rest is not None
        waiter = asyncio.ensure_future(rest)
        await asyncio.sleep(0)
        waiter.cancel()
        try:
            await waiter
        except asyncio.CancelledError:
            seen.append("waiter cancelled")
        return seen

    assert asyncio.run(scenario()) == ["cancelled", "waiter cancelled"]

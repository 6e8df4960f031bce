"""The classifier's faust transport: a short fetch wait, so an idle partition answers soon,
and a hand-over of fetched messages that races nothing unless it waits."""

from __future__ import annotations

import asyncio
import importlib.metadata
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import faust
from faust.transport import consumer as faust_consumer

from waakhond_classifier.core.config import ClassifierSettings
from waakhond_classifier.streaming import faust_fetch_loop
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


class _FakeConsumer:
    """What the fetch loop reads of a faust consumer, with one batch to fetch."""

    consumer_stopped_errors = (ConnectionError,)

    def __init__(self, fetcher: Any, offsets: list[int], waits_at: int) -> None:
        self._fetcher = fetcher
        self._offsets = offsets
        self._waits_at = waits_at
        self._stopped = asyncio.Event()
        self._read_offset: defaultdict[str, int | None] = defaultdict(lambda: None)
        self._commit_every = None
        self._n_acked = 0
        self.diag = SimpleNamespace(set_flag=lambda flag: None, unset_flag=lambda flag: None)
        self.app = SimpleNamespace(topics=SimpleNamespace(acks_enabled_for=lambda topic: False))
        self.transport = SimpleNamespace(app=SimpleNamespace(should_stop=False))
        self.should_stop = False
        self.suspend_flow = asyncio.Event()
        self.handed_over: list[int] = []
        self.races = 0

    async def callback(self, message: Any) -> None:
        if message.offset == self._waits_at:
            await asyncio.sleep(0.01)
        self.handed_over.append(message.offset)

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[str, Any]]:
        for offset in self._offsets:
            yield "tp", SimpleNamespace(offset=offset, topic="t")
        self._fetcher._stopped.set()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def wait_first(self, *awaitables: Any) -> None:
        self.races += 1
        tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
        _done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()


def test_the_fetch_loop_races_only_the_hand_over_that_waits() -> None:
    async def drain() -> _FakeConsumer:
        fetcher = SimpleNamespace(_stopped=asyncio.Event())
        consumer = _FakeConsumer(fetcher, offsets=[0, 1, 2], waits_at=1)
        await faust_fetch_loop.drain_messages(consumer, fetcher, run_until_it_waits)
        return consumer

    consumer = asyncio.run(drain())
    assert consumer.handed_over == [0, 1, 2]
    assert consumer.races == 1
    assert consumer._read_offset["tp"] == 2


REQUIREMENTS = Path(__file__).parents[3] / "requirements-runtime.txt"


def test_faust_is_pinned_at_the_version_the_fetch_loop_was_copied_from() -> None:
    """faust_fetch_loop is a modified copy of one faust-streaming release's loop."""
    copied_from = faust_fetch_loop.UPSTREAM_VERSION
    name = faust_fetch_loop.UPSTREAM_DISTRIBUTION
    recheck = (
        f"waakhond_classifier/streaming/faust_fetch_loop.py is a modified copy of {name} "
        f"{copied_from}'s Consumer._drain_messages: compare it with the new release's, carry "
        "the changes over, then move UPSTREAM_VERSION (and its header) with the pin"
    )
    installed = importlib.metadata.version(name)
    assert installed == copied_from, f"{name} {installed} is installed. {recheck}"
    assert faust.__version__ == copied_from, f"faust reports {faust.__version__}. {recheck}"
    pins = [
        line.split("#")[0].strip() for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    ]
    assert f"{name}=={copied_from}" in pins, f"{REQUIREMENTS.name} pins another {name}. {recheck}"
    assert f"Upstream version:  {copied_from}" in (faust_fetch_loop.__doc__ or "")


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

"""faust's aiokafka transport, with a fetch wait that suits a latency target and a
cheaper hand-over of each fetched message.

faust creates its worker consumer with ``fetch_max_wait_ms=1500``, fixed. A
fetch that finds no new record is answered when that wait runs out, and the
test broker (Tansu) does not answer early when records arrive meanwhile, so a
signal reaching an idle partition could wait up to 1.5 s for the classifier.

faust hands every fetched message to its streams through
``Service.wait_first(callback(message), suspend_flow.wait())``: four tasks,
an ``asyncio.wait`` and three cancellations per message, so that a rebalance
(which sets ``suspend_flow``) can abandon a hand-over that waits. Nearly every
hand-over finishes without waiting (the stream's buffer has room), so the
consumer here runs it directly and falls back to faust's race only when it
does wait (:func:`run_until_it_waits`).

That loop is a modified copy of faust's own and lives, with its upstream, version and
licence notice, in :mod:`waakhond_classifier.streaming.faust_fetch_loop`; this module is
Waakhond's wiring around it. The two hook overrides below call faust's constructors as
faust's own hooks do, with Waakhond's subclasses in their place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Coroutine, Generator
from typing import Any

import faust
from faust.transport.drivers import aiokafka as aiokafka_driver

from waakhond_classifier.streaming.faust_fetch_loop import drain_messages

FETCH_MAX_WAIT_MS = 50


class _Resumed:
    """The rest of a coroutine that was stepped once and is waiting on ``waiting_on``.

    Awaiting it passes that future up to the awaiting task, then drives the
    coroutine on exactly as a task would (``send`` on wake-up, ``throw`` on
    cancellation), so it can be raced and cancelled like the coroutine itself.
    """

    def __init__(self, coroutine: Coroutine[Any, Any, Any], waiting_on: Any) -> None:
        self._coroutine = coroutine
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, Any]:
        coroutine, waiting_on = self._coroutine, self._waiting_on
        while True:
            try:
                try:
                    sent = yield waiting_on
                except BaseException as error:  # cancellation: the coroutine decides what follows
                    waiting_on = coroutine.throw(error)
                else:
                    waiting_on = coroutine.send(sent)
            except StopIteration as stop:
                return stop.value


def run_until_it_waits(coroutine: Coroutine[Any, Any, Any]) -> Awaitable[Any] | None:
    """Runs ``coroutine`` in the calling task up to its first wait.

    None when it finished without waiting (its result is dropped: faust's
    hand-over returns nothing); otherwise an awaitable of the rest.
    """
    try:
        waiting_on = coroutine.send(None)
    except StopIteration:
        return None
    return _Resumed(coroutine, waiting_on)


class _ConsumerThread(aiokafka_driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka hands this to its fetcher in start(), which comes after creation.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _Consumer(aiokafka_driver.Consumer):
    def _new_consumer_thread(self) -> aiokafka_driver.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _drain_messages(self, fetcher: Any) -> None:
        """faust's loop (copied in faust_fetch_loop), starting each hand-over directly."""
        await drain_messages(self, fetcher, run_until_it_waits)


class Transport(aiokafka_driver.Transport):
    Consumer = _Consumer


class App(faust.App):
    """``faust.App`` whose consumer uses :data:`FETCH_MAX_WAIT_MS`."""

    def _new_transport(self) -> Any:
        return Transport(self.conf.broker_consumer, self)

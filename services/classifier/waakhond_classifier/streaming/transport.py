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
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any, cast

import faust
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as aiokafka_driver

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
        """faust 0.15.3's ``Consumer._drain_messages``, with one change: the hand-over of
        each message runs directly, and is raced against ``suspend_flow`` (faust's
        ``wait_first``) only when it waits."""
        callback = self.callback
        getmany = self.getmany
        consumer_should_stop = self._stopped.is_set
        fetcher_should_stop = fetcher._stopped.is_set
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        set_flag = self.diag.set_flag
        unset_flag = self.diag.unset_flag
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for
        yield_every = 100
        num_since_yield = 0
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(faust_consumer.CONSUMER_FETCHING)
                ait = getmany(timeout=1.0)
                # Sleeping because sometimes getmany is called in a loop
                # never releasing to the event loop
                await self.sleep(0)
                if not self.should_stop:
                    async for tp, message in ait:
                        num_since_yield += 1
                        if num_since_yield > yield_every:
                            await asyncio.sleep(0)
                            num_since_yield = 0
                        offset = message.offset
                        r_offset = get_read_offset(tp)
                        if r_offset is None or offset >= r_offset:
                            gap = offset - (r_offset or 0)
                            # We have a gap in income messages
                            if gap > 1 and r_offset and acks_enabled_for(message.topic):
                                await self._add_gap(tp, r_offset + 1, offset)
                            if commit_every is not None and self._n_acked >= commit_every:
                                self._n_acked = 0
                                await self.commit()
                            rest = run_until_it_waits(
                                cast(Coroutine[Any, Any, Any], callback(message))
                            )
                            if rest is not None:
                                await self.wait_first(rest, self.suspend_flow.wait())
                            set_read_offset(tp, offset)
                    unset_flag(faust_consumer.CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(faust_consumer.CONSUMER_FETCHING)


class Transport(aiokafka_driver.Transport):
    Consumer = _Consumer


class App(faust.App):
    """``faust.App`` whose consumer uses :data:`FETCH_MAX_WAIT_MS`."""

    def _new_transport(self) -> Any:
        return Transport(self.conf.broker_consumer, self)

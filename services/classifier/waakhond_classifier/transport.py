"""faust's aiokafka transport, with a fetch wait that suits a latency target.

faust creates its worker consumer with ``fetch_max_wait_ms=1500``, fixed. A
fetch that finds no new record is answered when that wait runs out, and the
test broker (Tansu) does not answer early when records arrive meanwhile, so a
signal reaching an idle partition could wait up to 1.5 s for the classifier.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as aiokafka_driver

FETCH_MAX_WAIT_MS = 50


class _ConsumerThread(aiokafka_driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka hands this to its fetcher in start(), which comes after creation.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _Consumer(aiokafka_driver.Consumer):
    def _new_consumer_thread(self) -> aiokafka_driver.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(aiokafka_driver.Transport):
    Consumer = _Consumer


class App(faust.App):
    """``faust.App`` whose consumer uses :data:`FETCH_MAX_WAIT_MS`."""

    def _new_transport(self) -> Any:
        return Transport(self.conf.broker_consumer, self)

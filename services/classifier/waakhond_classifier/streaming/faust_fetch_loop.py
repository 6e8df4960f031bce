"""faust's consumer fetch loop, modified to hand fetched messages over without a race each.

Third-party code: a modified copy, not Waakhond's own design.

Upstream project:  faust-streaming (https://github.com/faust-streaming/faust)
Upstream version:  0.15.3 (:data:`UPSTREAM_VERSION`; pinned in requirements-runtime.txt)
Upstream file:     faust/transport/consumer.py
Upstream function: ``Consumer._drain_messages`` (the loop the ``Fetcher`` service runs)
Upstream licence:  BSD-3-Clause (notice below, copied from the package's LICENSE)

What was changed, and why:

* The hand-over. Upstream awaits
  ``self.wait_first(callback(message), self.suspend_flow.wait())`` for every message: four
  tasks, an ``asyncio.wait`` and three cancellations per message, so that a rebalance (which
  sets ``suspend_flow``) can abandon a hand-over that waits. Nearly every hand-over finishes
  without waiting, because the stream's buffer has room. Here the hand-over is started in the
  loop's own task by ``start_hand_over`` (Waakhond's ``transport.run_until_it_waits``), and
  only when it does wait is the rest raced against ``suspend_flow`` with the same
  ``wait_first``. A rebalance can therefore still abandon every hand-over that waits.
* The loop is a function of the consumer instead of a method, so that this module holds only
  the copied code; ``transport._Consumer._drain_messages`` calls it.
* Left out: upstream's ``else`` branch for a message below the read offset, which only logs
  it with ``self.log.dev`` (mode prints that only when the DEVLOG environment variable is
  set). Such a message is skipped either way.
* Tidied without a change in behaviour: the nested ``if`` statements around ``_add_gap`` and
  ``commit`` are joined with ``and``; the local aliases ``flag_consumer_fetching`` and
  ``sleep``, the ``cast`` of ``getmany``'s result and upstream's comment on the fetcher
  argument are gone.

Re-check this copy against the upstream function before moving the faust-streaming pin:
tests/classifier/streaming/test_transport.py fails when the installed version differs from
:data:`UPSTREAM_VERSION`.

Upstream licence notice (faust_streaming-0.15.3.dist-info/licenses/LICENSE, the part that
covers the code; the rest of that file covers faust's documentation):

    Copyright (c) 2017-2020, Robinhood Markets, Inc.
    All rights reserved.

    Faust is licensed under The BSD License (3 Clause, also known as
    the new BSD license).  The license is an OSI approved Open Source
    license and is GPL-compatible(1).

    The license text can also be found here:
    http://www.opensource.org/licenses/BSD-3-Clause

    License
    =======

    Redistribution and use in source and binary forms, with or without
    modification, are permitted provided that the following conditions are met:
        * Redistributions of source code must retain the above copyright
          notice, this list of conditions and the following disclaimer.
        * Redistributions in binary form must reproduce the above copyright
          notice, this list of conditions and the following disclaimer in the
          documentation and/or other materials provided with the distribution.
        * Neither the name of Robinhood Markets, Inc. nor the
          names of its contributors may be used to endorse or promote products
          derived from this software without specific prior written permission.

    THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
    AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO,
    THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR
    PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL Robinhood Markets, Inc. OR CONTRIBUTORS
    BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
    CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
    SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
    INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
    CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
    ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
    POSSIBILITY OF SUCH DAMAGE.

    Footnotes
    =========
    (1) A GPL-compatible license makes it possible to
        combine Faust with other software that is released
        under the GPL, it does not mean that we're distributing
        Faust under the GPL license.  The BSD license, unlike the GPL,
        let you distribute a modified version without making your
        changes open source.

Waakhond's modifications are licensed under the EUPL-1.2, like the rest of Waakhond; the
upstream notice above stays with the copied code (see NOTICE at the repository root).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, cast

from faust.transport import consumer as faust_consumer

UPSTREAM_DISTRIBUTION = "faust-streaming"
UPSTREAM_VERSION = "0.15.3"

# Starts a hand-over in the calling task; None when it finished without waiting, otherwise an
# awaitable of the rest.
StartHandOver = Callable[[Coroutine[Any, Any, Any]], Awaitable[Any] | None]


async def drain_messages(consumer: Any, fetcher: Any, start_hand_over: StartHandOver) -> None:
    """faust 0.15.3's ``Consumer._drain_messages`` for ``consumer``, with the hand-over above."""
    callback = consumer.callback
    getmany = consumer.getmany
    consumer_should_stop = consumer._stopped.is_set
    fetcher_should_stop = fetcher._stopped.is_set
    get_read_offset = consumer._read_offset.__getitem__
    set_read_offset = consumer._read_offset.__setitem__
    set_flag = consumer.diag.set_flag
    unset_flag = consumer.diag.unset_flag
    commit_every = consumer._commit_every
    acks_enabled_for = consumer.app.topics.acks_enabled_for
    yield_every = 100
    num_since_yield = 0
    try:
        while not (consumer_should_stop() or fetcher_should_stop()):
            set_flag(faust_consumer.CONSUMER_FETCHING)
            ait = getmany(timeout=1.0)
            # Sleeping because sometimes getmany is called in a loop
            # never releasing to the event loop
            await consumer.sleep(0)
            if not consumer.should_stop:
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
                            await consumer._add_gap(tp, r_offset + 1, offset)
                        if commit_every is not None and consumer._n_acked >= commit_every:
                            consumer._n_acked = 0
                            await consumer.commit()
                        rest = start_hand_over(cast(Coroutine[Any, Any, Any], callback(message)))
                        if rest is not None:
                            await consumer.wait_first(rest, consumer.suspend_flow.wait())
                        set_read_offset(tp, offset)
                unset_flag(faust_consumer.CONSUMER_FETCHING)
    except consumer.consumer_stopped_errors:
        if consumer.transport.app.should_stop:
            consumer.log.info("Broker stopped consumer, shutting down...")
            return
        raise
    except asyncio.CancelledError:
        if consumer.transport.app.should_stop:
            consumer.log.info("Consumer shutting down for user cancel.")
            return
        raise
    except Exception as exc:
        consumer.log.exception("Drain messages raised: %r", exc)
        raise
    finally:
        unset_flag(faust_consumer.CONSUMER_FETCHING)

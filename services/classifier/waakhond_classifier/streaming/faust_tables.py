"""faust's table manager without its one-second pause at start when no table is declared.

Third-party logic, re-expressed: ``TableManager.on_start`` of faust-streaming 0.15.3
(faust/tables/manager.py; BSD-3-Clause, Copyright (c) 2017-2020, Robinhood Markets, Inc.;
the full notice is in ``faust_fetch_loop``'s header and in NOTICE) sleeps one second, then
starts the table channels and table recovery. The pause lets tables declared while the
worker starts still take part in recovery. The classifier declares no table, and the pause
was a fifth of its start-up (bench/README.md, "Start-up"). Without tables this manager takes
upstream's two next steps at once; with tables it is upstream's, pause included.

Re-check against upstream before moving the faust-streaming pin (the pin test in
tests/classifier/streaming/test_transport.py covers this module too).
"""

from __future__ import annotations

from faust.tables import TableManager


class NoPauseTableManager(TableManager):
    """``faust.tables.TableManager``, starting at once when the app declares no table."""

    async def on_start(self) -> None:
        if self.data:
            await super().on_start()
            return
        if not self.should_stop:
            await self._update_channels()
            await self.recovery.start()

"""A task that runs every so often beside the consumer, in a thread of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Periodic:
    """Runs ``task`` every ``interval_seconds`` until stopped; with ``at_start`` the first
    round runs at once instead of after one interval. A round that raises is handed to
    ``on_error`` (called inside the ``except`` block, so ``log.exception`` works there) and
    the next round runs as planned: one failure must not end the thread."""

    def __init__(
        self,
        name: str,
        task: Callable[[], object],
        interval_seconds: float,
        on_error: Callable[[Exception], None],
        *,
        at_start: bool = False,
    ) -> None:
        self._task = task
        self._interval = interval_seconds
        self._on_error = on_error
        self._at_start = at_start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _round(self) -> None:
        try:
            self._task()
        except Exception as error:
            self._on_error(error)

    def _run(self) -> None:
        if self._at_start:
            self._round()
        while not self._stop.wait(self._interval):
            self._round()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

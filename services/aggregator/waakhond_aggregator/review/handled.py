"""Signals a reviewer skipped or decided in this process, kept out of that reviewer's queue
for a while: a skip lasts the session, and a decision until the aggregator has applied it
(then the database keeps it out)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable


class RecentlyHandled:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._until: dict[str, dict[uuid.UUID, float]] = {}

    def add(self, reviewer_id: str, signal_id: uuid.UUID, seconds: float) -> None:
        with self._lock:
            self._until.setdefault(reviewer_id, {})[signal_id] = self._clock() + seconds

    def of(self, reviewer_id: str) -> set[uuid.UUID]:
        now = self._clock()
        with self._lock:
            entries = self._until.get(reviewer_id, {})
            for signal_id in [s for s, until in entries.items() if until <= now]:
                del entries[signal_id]
            return set(entries)

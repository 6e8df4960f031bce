"""Failed sign-ins counted per key (a username, a client address) in a sliding window; once
any key of an attempt reaches the limit, sign-in is refused (the pages answer 429 with
Retry-After) until the oldest failure in the window has aged out. In memory, per process:
enough to make guessing slow, and a restart does not lock anyone out. Used by the review
page (per username and address) and the supporters' form (per address)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SignInLimiter:
    def __init__(
        self,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_failures
        self._window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def retry_after(self, *keys: str) -> int | None:
        """Seconds until sign-in is allowed again for all ``keys``; None when it is now."""
        now = self._clock()
        waits: list[float] = []
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self._max:
                    waits.append(failures[-self._max] + self._window - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, *keys: str) -> None:
        """A correct password clears its username's failures (not the address's)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

"""Retrying a step that depends on another system: capped, jittered exponential backoff, and
only for errors that waiting can fix.

The caller says which errors are transient. Anything else is raised at once, so that the
caller can set aside what caused it (the aggregator dead-letters the row a database refused)
instead of stalling its partition on it for ever. While a step is being retried the
``RetryState`` says so and since when, for metrics and readiness.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class StoppedWhileRetryingError(Exception):
    """Shutdown was requested before the step succeeded; nothing was committed."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Waits grow from ``initial_seconds`` by ``multiplier`` up to ``max_seconds``; each is
    spread by +-``jitter`` (a fraction), so replicas that failed together do not retry in
    step."""

    initial_seconds: float = 0.5
    max_seconds: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.2

    def delays(self, draw: Callable[[], float] = random.random) -> Iterator[float]:
        """The waits before the first, second, ... retry."""
        base = self.initial_seconds
        while True:
            yield min(base * (1 + self.jitter * (2 * draw() - 1)), self.max_seconds)
            base = min(base * self.multiplier, self.max_seconds)


class RetryState:
    """Whether some step of this process is being retried, which, and since when."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None
        self.what = ""

    def failed(self, what: str) -> None:
        with self._lock:
            if self._since is None:
                self._since = time.monotonic()
                self.what = what

    def succeeded(self) -> None:
        with self._lock:
            self._since = None
            self.what = ""

    def retrying_for(self) -> float:
        """Seconds since the first failure of the step now being retried; 0 when none is."""
        with self._lock:
            return 0.0 if self._since is None else time.monotonic() - self._since


def always_transient(_error: BaseException) -> bool:
    return True


def retry_until_done(
    step: Callable[[], T],
    what: str,
    policy: RetryPolicy,
    stop: threading.Event,
    transient: Callable[[BaseException], bool] = always_transient,
    state: RetryState | None = None,
) -> T:
    """``step()``, retried after each transient error until it succeeds or ``stop`` is set.

    A non-transient error is raised unchanged, at once.
    """
    delays = policy.delays()
    while True:
        try:
            result = step()
        except Exception as error:
            if not transient(error):
                raise
            if state is not None:
                state.failed(what)
            delay = next(delays)
            log.warning(
                "%s failed (%s: %s); retrying in %.1fs", what, type(error).__name__, error, delay
            )
            if stop.wait(delay):
                raise StoppedWhileRetryingError(what) from error
        else:
            if state is not None:
                state.succeeded()
            return result

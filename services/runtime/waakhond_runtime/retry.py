"""Retrying a step that depends on another system, with exponential backoff."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class StoppedWhileRetryingError(Exception):
    """Shutdown was requested before the step succeeded; nothing was committed."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    initial_seconds: float = 0.5
    max_seconds: float = 30.0
    multiplier: float = 2.0


def retry_until_done(
    step: Callable[[], T], what: str, policy: RetryPolicy, stop: threading.Event
) -> T:
    delay = policy.initial_seconds
    while True:
        try:
            return step()
        except Exception as error:
            log.warning(
                "%s failed (%s: %s); retrying in %.1fs", what, type(error).__name__, error, delay
            )
            if stop.wait(delay):
                raise StoppedWhileRetryingError(what) from error
            delay = min(delay * policy.multiplier, policy.max_seconds)

"""The model in child processes, so it runs beside faust's own work instead of between it.

Per signal the worker's CPU goes to faust (fetching, events, acknowledgements,
producing) as well as to the model. In one process the two take turns
on one interpreter lock; with the model in a child process, faust reads and
delivers one batch while the child classifies the next on another core
(bench/README.md, "Earlier findings that still hold" and "Figures moved from code
comments").

Each child is started with ``spawn`` (a fresh interpreter, not a fork of a
process that runs an event loop and broker connections) and gets its own copy
of the classifier once, at start. A batch travels as the raw message bytes and
comes back as the encoded records, so nothing but bytes crosses the pipe per
message. A child that dies (killed, out of memory) breaks the pool: every
waiting batch fails with ``BrokenProcessPool`` and the worker must stop (see
``app``); a child whose parent died exits within a second.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from types import TracebackType

from waakhond_classifier.model.base import SignalClassifier
from waakhond_classifier.processing.classify import BatchOutcome, classify_messages
from waakhond_runtime.collector import settle_after_startup
from waakhond_runtime.log_format import configure_logging
from waakhond_runtime.records import ConsumedRecord

_ORPHAN_CHECK_SECONDS = 0.5
_START_TIMEOUT_SECONDS = 120.0

# The classifier of this child process, set once by ``_start_child``.
_child_classifier: SignalClassifier | None = None


def _start_child(
    classifier: SignalClassifier, log_level: str, started: multiprocessing.Queue[int]
) -> None:
    global _child_classifier
    _child_classifier = classifier
    # Ctrl-C in a terminal signals the whole process group. The worker decides
    # when the child stops (after delivering what is in flight), not the signal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(
        target=_exit_when_orphaned, args=(os.getppid(),), name="orphan-watch", daemon=True
    ).start()
    # Same JSON lines on the same stderr as the parent, so a dead letter's
    # warning reads the same whichever process classified it.
    configure_logging("classifier", log_level)
    settle_after_startup()
    started.put(os.getpid())


def _exit_when_orphaned(parent: int) -> None:
    # The pool's queues are pickled to the child with both pipe ends, so a
    # child never reads end-of-file when its parent is killed; it checks instead.
    while os.getppid() == parent:
        time.sleep(_ORPHAN_CHECK_SECONDS)
    os._exit(1)


def _nothing() -> None:
    pass


def _classify_in_child(messages: Sequence[ConsumedRecord], now: dt.datetime) -> BatchOutcome:
    if _child_classifier is None:
        raise RuntimeError("classifier child process started without a classifier")
    return classify_messages(messages, _child_classifier, now)


class ClassifierProcesses:
    """``processes`` child processes that classify batches; use as a context manager.

    Entering starts every child and waits until each has its classifier, so a
    child that cannot start stops the worker before it joins its group.
    """

    def __init__(self, classifier: SignalClassifier, processes: int) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        self.processes = processes
        self._pids: set[int] = set()
        context = multiprocessing.get_context("spawn")
        self._started: multiprocessing.Queue[int] = context.Queue()
        log_level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
        self._executor = concurrent.futures.ProcessPoolExecutor(
            processes,
            mp_context=context,
            initializer=_start_child,
            initargs=(classifier, log_level, self._started),
        )

    def __enter__(self) -> ClassifierProcesses:
        # The pool starts a child per submission until it has them all; each
        # reports its pid once it holds its classifier.
        submitted = [self._executor.submit(_nothing) for _ in range(self.processes)]
        try:
            for future in submitted:
                future.result()
            self._pids = {
                self._started.get(timeout=_START_TIMEOUT_SECONDS) for _ in range(self.processes)
            }
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def pids(self) -> frozenset[int]:
        return frozenset(self._pids)

    def alive(self) -> bool:
        """False once any child has exited; the pool is then of no further use."""
        for pid in self._pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
        return True

    def classify(
        self, messages: Sequence[ConsumedRecord], now: dt.datetime
    ) -> asyncio.Future[BatchOutcome]:
        """Starts classifying ``messages`` in a child; the future has the batch's records."""
        return asyncio.wrap_future(self._executor.submit(_classify_in_child, list(messages), now))

    def close(self) -> None:
        """Waits for the children to exit; batches not yet started are dropped."""
        self._executor.shutdown(wait=True, cancel_futures=True)

"""Classifying in child processes gives the same records as classifying in this one."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import time

import pytest

from tests.e2e.test_deadletters import submitted
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_classifier.processing.classify import BatchOutcome, classify_messages
from waakhond_classifier.processing.offload import ClassifierProcesses
from waakhond_runtime.codec import encode
from waakhond_runtime.records import ConsumedRecord


def batch(count: int, start: int = 0) -> list[ConsumedRecord]:
    messages = [
        ConsumedRecord(
            "signals.submitted", 0, start + i, b"mee-noord", encode(submitted(dt.date(2025, 2, 5)))
        )
        for i in range(count)
    ]
    # One poison message: its dead letter must come back from the child as well.
    messages.append(
        ConsumedRecord("signals.submitted", 0, start + count, b"mee-noord", b"{not json")
    )
    return messages


def test_children_return_exactly_what_classifying_here_returns() -> None:
    classifier = load_default_classifier()
    now = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    batches = [batch(40, start) for start in (0, 100, 200)]

    async def in_children(processes: ClassifierProcesses) -> list[BatchOutcome]:
        return list(await asyncio.gather(*(processes.classify(b, now) for b in batches)))

    with ClassifierProcesses(classifier, processes=2) as processes:
        outcomes = asyncio.run(in_children(processes))
    assert outcomes == [classify_messages(b, classifier, now) for b in batches]
    assert all(len(o.classified) == 40 and len(o.rejected) == 1 for o in outcomes)


def test_a_killed_child_makes_the_pool_report_dead_and_refuse_batches() -> None:
    with ClassifierProcesses(load_default_classifier(), processes=1) as processes:
        assert processes.alive()
        (pid,) = processes.pids
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while processes.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not processes.alive()

        async def classify() -> BatchOutcome:
            return await processes.classify(batch(1), dt.datetime.now(dt.UTC))

        with pytest.raises(Exception, match="process pool is not usable"):
            asyncio.run(classify())


def test_at_least_one_process() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ClassifierProcesses(load_default_classifier(), processes=0)

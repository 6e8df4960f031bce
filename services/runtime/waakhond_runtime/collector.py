"""Garbage-collector settings for a service's steady state, applied once its start-up is done.

The aggregator and the classifier allocate many short-lived objects per
message (decoded models, rows, records) while holding batches of thousands of
them. With CPython's default thresholds (a young collection every 700 net
allocations) those batch objects are promoted quickly, and each batch then
triggers full collections that walk the whole heap, including everything
loaded at start-up (region reference, broker metadata, pydantic validators).
In the aggregator that was its largest cost (bench/README.md, "Earlier findings
that still hold", and "Figures moved from code comments").

Two settings, each measured: the objects that exist once start-up is done are
frozen (they live as long as the process, so a collection would never free
them), and a young collection runs every ``young`` allocations instead of 700,
so most per-message objects are freed by reference counting before a
collection ever sees them. Cycles are still collected, only later.

Intake does not use this: it freezes deduce's tables itself after loading
them, and the larger threshold made no measurable difference to it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CollectorPolicy:
    """Thresholds for ``gc.set_threshold``: allocations per young collection, then how many
    collections of one generation run before one of the next."""

    young: int = 50_000
    middle: int = 20
    old: int = 20


STEADY_STATE = CollectorPolicy()


def settle_after_startup(policy: CollectorPolicy = STEADY_STATE) -> None:
    """Collect once, freeze what is left and apply ``policy``. Call once per process,
    after start-up and before the first message."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(policy.young, policy.middle, policy.old)


@contextmanager
def steady_state_collector(policy: CollectorPolicy = STEADY_STATE) -> Iterator[None]:
    """``settle_after_startup`` for a stretch of code, undone after: for measuring a limit in
    a process that goes on to do other things (the benchmark's raw inserts)."""
    thresholds = gc.get_threshold()
    # Thawing cannot be partial: what a caller froze before stays frozen.
    frozen_before = gc.get_freeze_count()
    settle_after_startup(policy)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_before:
            gc.unfreeze()

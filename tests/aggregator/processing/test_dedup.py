from __future__ import annotations

import uuid

import pytest

from waakhond_aggregator.processing.dedup import plan_writes
from waakhond_aggregator.processing.rows import Candidate, SignalRows, StoredVersion
from waakhond_contract.messages import SignalClassified
from waakhond_runtime.records import ConsumedRecord

SIGNAL = uuid.UUID("00000000-0000-5000-8000-000000000001")


def candidate(fingerprint: str, categories: tuple[str, ...], offset: int) -> Candidate:
    # The plan looks at the id and the rows only; the rest of the message is irrelevant here.
    signal = SignalClassified.model_construct(signal_id=SIGNAL)  # type: ignore[call-arg]
    rows = SignalRows(signal=[offset], fingerprint=fingerprint, categories=categories)
    return Candidate(ConsumedRecord("t", 0, offset, None, b""), signal, rows)


@pytest.mark.parametrize(
    ("stored", "incoming", "writes", "conflicts", "ignored"),
    [
        pytest.param(None, [("a", ("x",))], [0], 0, 0, id="new"),
        pytest.param(("a", ("x",)), [("a", ("x",))], [0], 0, 0, id="redelivery-rewritten"),
        pytest.param(("a", ("x",)), [("b", ("x",))], [], 1, 0, id="other-content-conflict"),
        pytest.param(("a", ("x",)), [("a", ("y",))], [], 0, 1, id="reclassified-ignored"),
        pytest.param(None, [("a", ("x",)), ("a", ("x",))], [0, 1], 0, 0, id="twice-in-batch"),
        pytest.param(None, [("a", ("x",)), ("b", ("x",))], [0], 1, 0, id="conflict-in-batch"),
        pytest.param(None, [("a", ("x",)), ("a", ("y",))], [0], 0, 1, id="relabel-in-batch"),
    ],
)
def test_write_plan(
    stored: tuple[str, tuple[str, ...]] | None,
    incoming: list[tuple[str, tuple[str, ...]]],
    writes: list[int],
    conflicts: int,
    ignored: int,
) -> None:
    known = {SIGNAL: StoredVersion(*stored)} if stored else {}
    plan = plan_writes([candidate(f, c, offset) for offset, (f, c) in enumerate(incoming)], known)
    assert [rows.signal[0] for rows in plan.writes] == writes
    assert len(plan.conflicts) == conflicts
    assert plan.reclassifications_ignored == ignored

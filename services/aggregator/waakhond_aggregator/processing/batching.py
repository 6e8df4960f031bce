"""Step 3: gather messages until the batch is full or old enough."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from waakhond_aggregator.processing.decisions import DecisionCandidate
from waakhond_aggregator.processing.rows import Candidate
from waakhond_aggregator.processing.withdrawals import WithdrawalCandidate
from waakhond_runtime.deadletters import RejectedRecord, Rejection
from waakhond_runtime.records import ConsumedRecord


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """Flush at ``max_messages`` or ``max_seconds`` after the first message, whichever is first.

    A batch that is ready while the previous one is still being written keeps taking
    messages (up to ``max_messages``) until the writer is free, so when inserts are slow
    batches grow by themselves.
    """

    max_messages: int = 5000
    max_seconds: float = 0.5


@dataclass(slots=True)
class Batch:
    policy: BatchPolicy
    candidates: list[Candidate] = field(default_factory=list)
    decisions: list[DecisionCandidate] = field(default_factory=list)
    withdrawals: list[WithdrawalCandidate] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)
    next_offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    opened_at: float | None = None
    clock: Callable[[], float] = time.monotonic

    def __len__(self) -> int:
        return (
            len(self.candidates) + len(self.decisions) + len(self.withdrawals) + len(self.rejected)
        )

    @property
    def room(self) -> int:
        """How many more messages the batch takes."""
        return max(0, self.policy.max_messages - len(self))

    def add(
        self,
        message: ConsumedRecord,
        item: Candidate | DecisionCandidate | WithdrawalCandidate | Rejection,
    ) -> None:
        if self.opened_at is None:
            self.opened_at = self.clock()
        if isinstance(item, Rejection):
            self.rejected.append(RejectedRecord(message, item))
        elif isinstance(item, DecisionCandidate):
            self.decisions.append(item)
        elif isinstance(item, WithdrawalCandidate):
            self.withdrawals.append(item)
        else:
            self.candidates.append(item)
        # Offsets to commit are the next ones to read, once this batch is stored.
        self.next_offsets[(message.topic, message.partition)] = message.offset + 1

    def is_full(self) -> bool:
        return len(self) >= self.policy.max_messages

    def is_ready(self) -> bool:
        if not len(self):
            return False
        if self.is_full():
            return True
        assert self.opened_at is not None
        return self.clock() - self.opened_at >= self.policy.max_seconds

"""Step 3: gather messages until the batch is full or old enough."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from waakhond_aggregator.pipeline.decode import DeadLetterRecord
from waakhond_contract.deadletters import SourceMessage
from waakhond_contract.messages import SignalClassified


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """Flush at ``max_messages`` or ``max_seconds`` after the first message, whichever is first."""

    max_messages: int = 5000
    max_seconds: float = 1.0


@dataclass(slots=True)
class Batch:
    policy: BatchPolicy
    signals: list[tuple[SourceMessage, SignalClassified]] = field(default_factory=list)
    dead_letters: list[DeadLetterRecord] = field(default_factory=list)
    next_offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    opened_at: float | None = None

    def __len__(self) -> int:
        return len(self.signals) + len(self.dead_letters)

    def add(self, message: SourceMessage, decoded: SignalClassified | DeadLetterRecord) -> None:
        if self.opened_at is None:
            self.opened_at = time.monotonic()
        if isinstance(decoded, DeadLetterRecord):
            self.dead_letters.append(decoded)
        else:
            self.signals.append((message, decoded))
        # Offsets to commit are the next ones to read, once this batch is stored.
        self.next_offsets[(message.topic, message.partition)] = message.offset + 1

    def is_ready(self) -> bool:
        if not len(self):
            return False
        if len(self) >= self.policy.max_messages:
            return True
        assert self.opened_at is not None
        return time.monotonic() - self.opened_at >= self.policy.max_seconds

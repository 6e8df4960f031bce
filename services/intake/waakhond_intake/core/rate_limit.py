"""Per-organisation rate limits on signals (not requests): a batch of 500 costs 500.

A token bucket per organisation, in this process. With several intake
replicas the production Ingress routes each API key to one replica
(consistent hashing on the Authorization header), so the bucket there is the
organisation's whole limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    signals_per_second: float = 100.0
    burst: int = 2000

    def __post_init__(self) -> None:
        if self.signals_per_second <= 0 or self.burst < 1:
            raise ValueError("rate and burst must be positive")


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass
class SignalRateLimiter:
    policy: RateLimitPolicy
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, organisation_id: str, signals: int) -> float:
        """Take ``signals`` tokens: 0.0 when allowed, else seconds until they would be."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.setdefault(
                organisation_id, _Bucket(tokens=float(self.policy.burst), updated=now)
            )
            bucket.tokens = min(
                float(self.policy.burst),
                bucket.tokens + (now - bucket.updated) * self.policy.signals_per_second,
            )
            bucket.updated = now
            # More than a burst at once is allowed on a full bucket and empties it.
            needed = min(signals, self.policy.burst)
            if needed <= bucket.tokens:
                bucket.tokens -= needed
                return 0.0
            return max((needed - bucket.tokens) / self.policy.signals_per_second, 0.001)

    @staticmethod
    def retry_after_header(wait_seconds: float) -> str:
        return str(max(1, math.ceil(wait_seconds)))

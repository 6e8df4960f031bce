from __future__ import annotations

import pytest

from waakhond_intake.core.rate_limit import RateLimitPolicy, SignalRateLimiter


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("steps", "expected_waits"),
    [
        pytest.param([(0.0, 10)], [0.0], id="within-burst"),
        pytest.param([(0.0, 10), (0.0, 1)], [0.0, 0.1], id="burst-spent"),
        pytest.param([(0.0, 10), (0.5, 5)], [0.0, 0.0], id="refilled-in-time"),
        pytest.param([(0.0, 10), (0.2, 5)], [0.0, 0.3], id="partly-refilled"),
        pytest.param([(0.0, 25), (0.0, 1)], [0.0, 0.1], id="over-burst-empties-a-full-bucket"),
        pytest.param([(0.0, 1), (0.0, 25)], [0.0, 0.1], id="over-burst-waits-for-full-bucket"),
    ],
)
def test_token_bucket(steps: list[tuple[float, int]], expected_waits: list[float]) -> None:
    clock = ManualClock()
    limiter = SignalRateLimiter(RateLimitPolicy(signals_per_second=10, burst=10), clock=clock)
    waits = []
    for advance, signals in steps:
        clock.now += advance
        waits.append(round(limiter.acquire("mee-noord", signals), 3))
    assert waits == expected_waits


def test_organisations_have_their_own_buckets() -> None:
    limiter = SignalRateLimiter(RateLimitPolicy(signals_per_second=1, burst=5), clock=lambda: 0.0)
    assert limiter.acquire("mee-noord", 5) == 0.0
    assert limiter.acquire("mee-noord", 1) > 0
    assert limiter.acquire("welzijn-oost", 5) == 0.0


def test_retry_after_is_whole_seconds_at_least_one() -> None:
    assert SignalRateLimiter.retry_after_header(0.01) == "1"
    assert SignalRateLimiter.retry_after_header(2.2) == "3"

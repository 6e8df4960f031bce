"""Failed sign-ins per username and per address in a sliding window."""

from __future__ import annotations

from waakhond_runtime.signin_limit import SignInLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_holds_until_the_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    limiter = SignInLimiter(max_failures=5, window_seconds=900, clock=clock)
    for _ in range(4):
        limiter.failed("user:rita", "address:10.0.0.1")
        clock.now += 10
    assert limiter.retry_after("user:rita", "address:10.0.0.1") is None
    limiter.failed("user:rita", "address:10.0.0.1")
    # The first failure was at 1000; the window ends at 1900; now is 1040.
    assert limiter.retry_after("user:rita") == 860
    assert limiter.retry_after("user:wim", "address:10.0.0.1") == 860
    assert limiter.retry_after("user:wim", "address:10.0.0.2") is None
    clock.now = 1900.5
    assert limiter.retry_after("user:rita", "address:10.0.0.1") is None


def test_a_success_clears_the_usernames_failures_not_the_addresss() -> None:
    clock = Clock()
    limiter = SignInLimiter(max_failures=2, window_seconds=60, clock=clock)
    limiter.failed("user:rita", "address:a")
    limiter.failed("user:rita", "address:a")
    limiter.succeeded("user:rita")
    assert limiter.retry_after("user:rita") is None
    assert limiter.retry_after("address:a") == 60

"""Retries: capped, jittered backoff for transient errors; anything else raised at once."""

from __future__ import annotations

import threading

import pytest

from waakhond_runtime.retry import (
    RetryPolicy,
    RetryState,
    StoppedWhileRetryingError,
    retry_until_done,
)


class RecordingStop(threading.Event):
    """A stop event that records each wait instead of sleeping, and never stops."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        return False


class Flaky:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


@pytest.mark.parametrize(
    ("draw", "expected"),
    [
        pytest.param(lambda: 0.5, [1.0, 2.0, 4.0, 8.0, 10.0, 10.0], id="no-spread"),
        pytest.param(lambda: 0.0, [0.8, 1.6, 3.2, 6.4, 8.0, 8.0], id="lowest"),
        pytest.param(lambda: 1.0, [1.2, 2.4, 4.8, 9.6, 10.0, 10.0], id="highest-capped"),
    ],
)
def test_delays_grow_spread_by_the_jitter_and_stay_under_the_cap(
    draw: object, expected: list[float]
) -> None:
    delays = RetryPolicy(initial_seconds=1, max_seconds=10, multiplier=2, jitter=0.2).delays(
        draw  # type: ignore[arg-type]
    )
    assert [round(next(delays), 6) for _ in expected] == expected


def test_transient_errors_are_retried_until_the_step_succeeds() -> None:
    stop = RecordingStop()
    step = Flaky([ConnectionError("gone"), TimeoutError("slow")])
    state = RetryState()
    assert retry_until_done(step, "writing", RetryPolicy(), stop, state=state) == "done"
    assert step.calls == 3
    assert len(stop.waits) == 2
    assert state.retrying_for() == 0


def test_an_error_that_is_not_transient_is_raised_at_once() -> None:
    stop = RecordingStop()
    step = Flaky([ValueError("this row can never be written")])
    with pytest.raises(ValueError, match="never"):
        retry_until_done(
            step,
            "writing",
            RetryPolicy(),
            stop,
            transient=lambda error: not isinstance(error, ValueError),
        )
    assert step.calls == 1
    assert stop.waits == []


def test_the_state_says_what_is_retried_while_it_lasts() -> None:
    state = RetryState()
    seen: list[tuple[str, bool]] = []

    class Watching(RecordingStop):
        def wait(self, timeout: float | None = None) -> bool:
            seen.append((state.what, state.retrying_for() > 0))
            return super().wait(timeout)

    step = Flaky([ConnectionError("gone")])
    retry_until_done(step, "inserting", RetryPolicy(), Watching(), state=state)
    assert seen == [("inserting", True)]
    assert (state.what, state.retrying_for()) == ("", 0)


def test_stopping_while_retrying_says_what_was_left_undone() -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(StoppedWhileRetryingError, match="inserting"):
        retry_until_done(Flaky([ConnectionError("gone")]), "inserting", RetryPolicy(), stop)

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap

from waakhond_runtime.collector import STEADY_STATE, CollectorPolicy, steady_state_collector

# settle_after_startup changes the whole process for good, so it runs in a child interpreter.
_SETTLE = textwrap.dedent(
    """
    import gc, json
    from waakhond_runtime.collector import settle_after_startup
    loaded_at_startup = [[] for _ in range(1000)]
    settle_after_startup()
    tracked = {id(o) for o in gc.get_objects()}
    made_later = [[] for _ in range(10)]
    tracked_later = {id(o) for o in gc.get_objects()}
    print(json.dumps({
        "threshold": gc.get_threshold(),
        "startup_object_tracked": id(loaded_at_startup) in tracked,
        "later_object_tracked": id(made_later) in tracked_later,
    }))
    """
)


def test_objects_from_start_up_leave_the_collectors_sight_and_later_ones_do_not() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _SETTLE], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(completed.stdout)
    assert result["threshold"] == [STEADY_STATE.young, STEADY_STATE.middle, STEADY_STATE.old]
    assert result["startup_object_tracked"] is False
    assert result["later_object_tracked"] is True


def test_steady_state_collector_applies_its_policy_and_undoes_it() -> None:
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    policy = CollectorPolicy(young=12_345, middle=7, old=3)
    with steady_state_collector(policy):
        assert gc.get_threshold() == (12_345, 7, 3)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    if frozen_before == 0:
        assert gc.get_freeze_count() == 0
    else:
        # Objects a caller froze before cannot be told apart from ours; all stay frozen.
        assert gc.get_freeze_count() >= frozen_before

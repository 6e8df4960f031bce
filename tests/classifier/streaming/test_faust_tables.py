"""The worker's table manager starts without faust's pause when the app declares no table."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from waakhond_classifier.core.config import ClassifierSettings
from waakhond_classifier.streaming.faust_app import new_faust_app
from waakhond_classifier.streaming.faust_tables import NoPauseTableManager
from waakhond_runtime.settings import KafkaSettings, TopicSettings


class _Steps:
    """Records what ``on_start`` does instead of doing it (faust's own parts, not ours)."""

    def __init__(self) -> None:
        self.done: list[str] = []

    async def sleep(self, seconds: float) -> None:
        self.done.append(f"sleep {seconds:g}")

    async def update_channels(self) -> None:
        self.done.append("channels")

    async def start_recovery(self) -> None:
        self.done.append("recovery")


def _started(with_table: bool, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    app = new_faust_app(ClassifierSettings(), KafkaSettings(), TopicSettings())
    manager: Any = app.tables
    assert isinstance(manager, NoPauseTableManager)
    if with_table:
        app.Table("counts", default=int)
    steps = _Steps()
    monkeypatch.setattr(manager, "sleep", steps.sleep)
    monkeypatch.setattr(manager, "_update_channels", steps.update_channels)
    monkeypatch.setattr(manager.recovery, "start", steps.start_recovery)
    asyncio.run(manager.on_start())
    return steps.done


@pytest.mark.parametrize(
    ("with_table", "expected"),
    [
        pytest.param(False, ["channels", "recovery"], id="no-table-no-pause"),
        pytest.param(True, ["sleep 1", "channels", "recovery"], id="with-a-table-as-upstream"),
    ],
)
def test_start_steps(
    with_table: bool, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _started(with_table, monkeypatch) == expected

"""The write plan: every message of a signal, in any order and any number of times, leaves
the latest version counted once; corrections are numbered on; nothing a person decided is
undone by a replay."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass

import pytest

from tests.aggregator.processing.test_transform import classified
from waakhond_aggregator.processing.dedup import WritePlan, plan_writes
from waakhond_aggregator.processing.revisions import content_key, model_revision
from waakhond_aggregator.processing.rows import (
    REPLACES_WEEK_START,
    REVISION,
    VERSION,
    Candidate,
    StoredVersion,
)
from waakhond_aggregator.processing.transform import to_rows
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category
from waakhond_runtime.records import ConsumedRecord

SIGNAL = uuid.UUID("00000000-0000-5000-8000-000000000001")
T1 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
T2 = T1 + dt.timedelta(days=20)
T3 = T2 + dt.timedelta(days=1)
MONDAY_1 = dt.date(2026, 2, 23)
MONDAY_2 = dt.date(2026, 3, 16)


@dataclass(frozen=True)
class Message:
    """One classified message of SIGNAL: when intake accepted it, what it says."""

    submitted_at: dt.datetime
    text: str = "Wachtlijst beschermd wonen, geen passende plek."
    label: Category = Category.NO_SUITABLE_CARE
    observed_on: str = "2026-02-24"


def candidate(message: Message, offset: int) -> Candidate:
    signal = classified(
        [message.label], description=message.text, observed_on=message.observed_on
    ).model_copy(update={"signal_id": SIGNAL, "submitted_at": message.submitted_at})
    rows = to_rows(signal, load_region_reference())
    return Candidate(ConsumedRecord("t", 0, offset, None, b""), signal, rows)


def stored(message: Message, version: int = 1, reviewed: bool = False) -> StoredVersion:
    rows = candidate(message, 0).rows
    revision = model_revision(message.submitted_at)
    return StoredVersion(
        fingerprint=rows.fingerprint,
        submitted_at=message.submitted_at,
        version=version,
        week_start=rows.signal[REPLACES_WEEK_START],
        replaces_week_start=rows.signal[REPLACES_WEEK_START],
        model_categories=rows.categories,
        model_revision=revision,
        latest_revision=revision + (1 << 62 if reviewed else 0),
    )


V1 = Message(T1)
V1_RELABELLED = Message(T1, label=Category.POLICY_GAP)
V1_OTHER_TEXT_SAME_MOMENT = Message(T1, text="Iets anders, op hetzelfde moment ontvangen.")
V1_RETRIED = Message(T2)
# As ClickHouse hands it back: milliseconds.
V1_MICROSECONDS = Message(T1 + dt.timedelta(microseconds=417))
V2 = Message(
    T2, text="Correctie: wachtlijst Wlz-zorg, geen passende plek.", observed_on="2026-03-17"
)
V3 = Message(T3, text="Tweede correctie: toch beschermd wonen.")


def plan(before: StoredVersion | None, messages: list[Message]) -> WritePlan:
    known = {SIGNAL: before} if before else {}
    return plan_writes([candidate(m, i) for i, m in enumerate(messages)], known)


def written(result: WritePlan) -> list[tuple[int, int, dt.date]]:
    """(content version, revision's content key, week replaced) of each row written."""
    return [
        (
            rows.signal[VERSION],
            rows.signal[REVISION] >> 64 << 64,
            rows.signal[REPLACES_WEEK_START],
        )
        for rows in result.writes
    ]


@pytest.mark.parametrize(
    ("before", "messages", "rows", "counts"),
    [
        pytest.param(None, [V1], [(1, content_key(T1), MONDAY_1)], {}, id="new"),
        pytest.param(
            stored(V1), [V1], [(1, content_key(T1), MONDAY_1)], {}, id="redelivery-rewritten"
        ),
        pytest.param(
            stored(V1),
            [V1_MICROSECONDS],
            [(1, content_key(T1), MONDAY_1)],
            {},
            id="redelivery-microseconds",
        ),
        pytest.param(
            stored(V1, reviewed=True),
            [V1],
            [],
            {"superseded_ignored": 1},
            id="redelivery-after-review",
        ),
        pytest.param(
            stored(V1),
            [V1_RELABELLED],
            [],
            {"reclassifications_ignored": 1},
            id="reclassified-ignored",
        ),
        pytest.param(
            stored(V1), [V1_RETRIED], [], {"unchanged_resubmissions": 1}, id="identical-retry"
        ),
        pytest.param(
            stored(V1),
            [V2],
            [(2, content_key(T2), MONDAY_1)],
            {"corrections": 1},
            id="correction-names-the-week-it-leaves",
        ),
        pytest.param(
            stored(V1, reviewed=True),
            [V2],
            [(2, content_key(T2), MONDAY_1)],
            {"corrections": 1},
            id="correction-after-review",
        ),
        pytest.param(
            stored(V2, version=2),
            [V1],
            [],
            {"older_versions_ignored": 1},
            id="older-version-replayed",
        ),
        pytest.param(
            stored(V1),
            [V1_OTHER_TEXT_SAME_MOMENT],
            [],
            {"conflicts": 1},
            id="other-content-same-moment-conflict",
        ),
        pytest.param(
            None,
            [V1, V2, V1, V3, V2],
            [
                (1, content_key(T1), MONDAY_1),
                (2, content_key(T2), MONDAY_1),
                (3, content_key(T3), MONDAY_2),
            ],
            {"corrections": 2, "older_versions_ignored": 2},
            id="versions-and-replays-in-one-batch",
        ),
    ],
)
def test_write_plan(
    before: StoredVersion | None,
    messages: list[Message],
    rows: list[tuple[int, int, dt.date]],
    counts: dict[str, int],
) -> None:
    result = plan(before, messages)
    assert written(result) == rows
    found = {
        "conflicts": len(result.conflicts),
        "reclassifications_ignored": result.reclassifications_ignored,
        "superseded_ignored": result.superseded_ignored,
        "corrections": result.corrections,
        "unchanged_resubmissions": result.unchanged_resubmissions,
        "older_versions_ignored": result.older_versions_ignored,
    }
    assert found == {name: counts.get(name, 0) for name in found}


def test_a_redelivered_signal_stored_before_revisions_keeps_revision_zero() -> None:
    legacy = dataclasses.replace(stored(V1), model_revision=0, latest_revision=0)
    (rows,) = plan(legacy, [V1]).writes
    assert rows.signal[REVISION] == 0

"""A poison message on each topic ends in the dead-letter topic; the good ones around it flow."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Pipeline, wait_until
from tests.e2e.test_pipeline import read_all
from tests.support import produce, valid_submission
from waakhond_contract.messages import (
    Classification,
    SignalClassified,
    SignalSubmitted,
)
from waakhond_runtime.codec import encode


def submitted(observed_on: dt.date) -> SignalSubmitted:
    body = valid_submission(observed_on=observed_on.isoformat())
    body.pop("client_ref")
    return SignalSubmitted.model_validate(
        {
            **body,
            "signal_id": str(uuid.uuid4()),
            "organisation_id": "mee-noord",
            "submitted_at": dt.datetime.now(dt.UTC).isoformat(),
        }
    )


def classified(observed_on: dt.date) -> SignalClassified:
    classification = Classification(
        labels=[],
        scores={},
        needs_review=True,
        model_version="test-fixture",
        classified_at=dt.datetime.now(dt.UTC),
    )
    return SignalClassified(**submitted(observed_on).model_dump(), classification=classification)


POISON = {
    "not_json": b"this is not json",
    "unsupported_schema_version": b'{"schema_version": 99, "signal_id": "x"}',
    "invalid_message": b'{"schema_version": 1, "description": "only this"}',
    "too_large": json.dumps({"schema_version": 1, "description": "x" * 100_000}).encode(),
}


def national_total(pipeline: Pipeline, day: dt.date) -> int:
    rows = pipeline.clickhouse.query(
        f"SELECT sum(signals) FROM {pipeline.database}.trend_weekly "
        "WHERE level = 'national' AND category = 'all' AND week_start = toMonday({d:Date})",
        parameters={"d": day},
    ).result_rows
    return int(rows[0][0] or 0)


@pytest.mark.parametrize("stage", ["classifier", "aggregator"])
def test_poison_is_dead_lettered_and_good_messages_pass(pipeline: Pipeline, stage: str) -> None:
    # A week of its own per stage, so the counts of the two cases do not mix.
    day = dt.date(2024, 6, 3) if stage == "classifier" else dt.date(2024, 6, 10)
    make = submitted if stage == "classifier" else classified
    topic = pipeline.topics.submitted if stage == "classifier" else pipeline.topics.classified
    unknown_municipality = encode(make(day)).replace(b"GM0363", b"GM9990")
    poison = {**POISON, "unknown_municipality": unknown_municipality}

    good = [make(day) for _ in range(6)]
    values = [*map(encode, good[:3]), *poison.values(), *map(encode, good[3:])]
    produce(pipeline.kafka, topic, ((b"ZK02", value) for value in values))

    wait_until(lambda: national_total(pipeline, day) == len(good), 90, "good messages counted")
    # The topic may also hold the other stage's letters: keep reading until this stage's are in.
    mine: dict[str, dict[str, str]] = {}
    for _ in range(30):
        letters = [
            json.loads(r.value) for r in read_all(pipeline.kafka, pipeline.topics.deadletter, 1)
        ]
        mine = {d["reason"]: d for d in letters if d["stage"] == stage}
        if len(mine) >= len(poison):
            break
    assert set(mine) == set(poison)
    for reason, value in poison.items():
        letter = mine[reason]
        assert base64.b64decode(letter["value_base64"]) == value
        assert letter["source_topic"] == topic
        assert letter["detail"]


def test_fixed_dead_letters_are_replayed_and_counted(pipeline: Pipeline) -> None:
    from waakhond_tools.deadletters import export_letters, replay_letters

    day = dt.date(2024, 7, 1)
    broken = encode(submitted(day)).replace(b"GM0363", b"GM9991")
    produce(
        pipeline.kafka, pipeline.topics.submitted, [(b"ZK02", broken), (b"ZK02", b"beyond repair")]
    )

    def mine(line: dict[str, Any]) -> bool:
        value = line.get("value")
        if isinstance(value, dict):
            return value.get("municipality_code") == "GM9991"
        return line.get("value_base64") == base64.b64encode(b"beyond repair").decode()

    def exported() -> list[dict[str, Any]]:
        letters = export_letters(pipeline.kafka, pipeline.topics, "classifier", None)
        return [line for line in letters if mine(line)]

    wait_until(lambda: len(exported()) == 2, 60, "both dead-lettered")
    lines = exported()
    fixable = next(line for line in lines if "value" in line)
    assert fixable["reason"] == "unknown_municipality"
    fixable["value"]["municipality_code"] = "GM0363"

    outcomes = replay_letters([json.dumps(line) for line in lines], pipeline.kafka, pipeline.topics)
    assert sorted((o.replayed, o.error is None) for o in outcomes) == [(False, False), (True, True)]
    wait_until(lambda: national_total(pipeline, day) == 1, 60, "the fixed signal counted")

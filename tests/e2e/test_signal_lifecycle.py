"""An organisation follows its signals through the real pipeline (broker, classifier process,
aggregator on chDB): submit, read the status, correct, withdraw, submit again, with the
exact counts after each step, and redelivery of everything changing nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from typing import Any

import httpx
from typer.testing import CliRunner

import waakhond_cli.main as cli
from tests.e2e.conftest import Pipeline, wait_until
from tests.e2e.test_pipeline import care_office, expected_counts, read_all
from tests.support import ORGANISATIONS, produce
from waakhond_classifier.model.base import ClassifierInput
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_tools.stack.demo import generate_signals

ORG, OTHER = ORGANISATIONS[0], ORGANISATIONS[1]
runner = CliRunner()
PERIOD_END = dt.date(2025, 6, 29)
PERIOD_START = dt.date(2025, 4, 7)


def call(pipeline: Pipeline, method: str, path: str, organisation: str = ORG, **kw: Any) -> Any:
    return httpx.request(
        method,
        f"{pipeline.intake_url}{path}",
        headers={"Authorization": f"Bearer {pipeline.tokens[organisation]}"},
        timeout=30,
        **kw,
    )


def status(pipeline: Pipeline, signal_id: uuid.UUID) -> dict[str, Any]:
    response = call(pipeline, "GET", f"/v1/signals/{signal_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def listed(pipeline: Pipeline, state: str) -> list[dict[str, Any]]:
    """Every signal of ORG in ``state``, following the cursor, 7 a page."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"status": state, "limit": "7", **({"cursor": cursor} if cursor else {})}
        response = call(pipeline, "GET", "/v1/signals", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def counts(pipeline: Pipeline) -> Counter[tuple[str, str, str]]:
    rows = pipeline.clickhouse.query(
        f"SELECT level, region_code, category, sum(signals) FROM {pipeline.database}.trend_weekly "
        "WHERE week_start BETWEEN {a:Date} AND {b:Date} GROUP BY level, region_code, category",
        parameters={"a": PERIOD_START, "b": PERIOD_END},
    ).result_rows
    return Counter({(lvl, code, cat): int(n) for lvl, code, cat, n in rows if int(n)})


def expected(bodies: dict[uuid.UUID, dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    classifier = load_default_classifier()
    ids = list(bodies)
    outputs = classifier.classify_batch(
        [ClassifierInput(text=bodies[i]["description"]) for i in ids]
    )
    labels = {i: tuple(str(label) for label in o.labels) for i, o in zip(ids, outputs, strict=True)}
    return expected_counts(bodies, labels)


def test_submit_correct_withdraw_and_submit_again_with_exact_counts(pipeline: Pipeline) -> None:
    bodies = [body for _, body in generate_signals(30, seed=11, weeks=10, today=PERIOD_END)]
    response = call(pipeline, "POST", "/v1/signals/batch", json={"signals": bodies})
    assert response.status_code == 202, response.text
    live = {
        uuid.UUID(result["signal_id"]): body
        for body, result in zip(bodies, response.json()["results"], strict=True)
    }
    wait_until(lambda: len(listed(pipeline, "counted")) == len(live), 120, "all counted")
    assert {uuid.UUID(item["signal_id"]) for item in listed(pipeline, "counted")} == set(live)
    assert counts(pipeline) == expected(live)
    first = next(iter(live))
    shown = status(pipeline, first)
    assert (shown["status"], shown["version"], shown["labels_from"]) == ("counted", 1, "model")
    assert shown["signal"]["municipality_code"] == live[first]["municipality_code"]

    # Another organisation neither sees nor withdraws it.
    assert call(pipeline, "GET", f"/v1/signals/{first}", OTHER).status_code == 404
    assert call(pipeline, "DELETE", f"/v1/signals/{first}", OTHER).status_code == 404

    # A correction: the same client_ref with other content, in another care-office region.
    corrected_id = list(live)[1]
    original = live[corrected_id]
    moved_to = next(
        code
        for code in ("GM0014", "GM0363")
        if care_office({**original, "municipality_code": code}) != care_office(original)
    )
    correction = {**original, "municipality_code": moved_to}
    assert call(pipeline, "POST", "/v1/signals", json=correction).status_code == 202
    live[corrected_id] = correction
    wait_until(lambda: status(pipeline, corrected_id)["version"] == 2, 60, "the correction")
    wait_until(lambda: status(pipeline, corrected_id)["status"] == "counted", 60, "counted v2")
    assert counts(pipeline) == expected(live)

    # Withdrawal of two signals, one of them the corrected one.
    withdrawn = [corrected_id, list(live)[2]]
    for signal_id in withdrawn:
        response = call(pipeline, "DELETE", f"/v1/signals/{signal_id}")
        assert response.status_code == 202, response.text
        assert response.headers["Location"] == f"/v1/signals/{signal_id}"
    for signal_id in withdrawn:
        wait_until(lambda s=signal_id: status(pipeline, s)["status"] == "withdrawn", 60, "gone")
    removed = {signal_id: live.pop(signal_id) for signal_id in withdrawn}
    assert counts(pipeline) == expected(live)
    texts = pipeline.clickhouse.query(
        f"SELECT description, text_erased FROM {pipeline.database}.signals "
        "WHERE signal_id IN {ids:Array(UUID)}",
        parameters={"ids": [str(i) for i in withdrawn]},
    ).result_rows
    assert len(texts) >= 3  # version 1 and 2 of one, version 1 of the other, tombstones
    assert all(text == "" and erased for text, erased in texts)
    # Withdrawing again is answered with the status; nothing changes.
    again = call(pipeline, "DELETE", f"/v1/signals/{withdrawn[1]}")
    assert (again.status_code, again.json()["status"]) == (200, "withdrawn")

    # Everything on the classified topic once more, byte for byte: nothing changes.
    classified = read_all(pipeline.kafka, pipeline.topics.classified, len(bodies) + 1)
    produce(pipeline.kafka, pipeline.topics.classified, ((r.key, r.value) for r in classified))
    # A signal the classifier cannot place: dead-lettered, and the status says where and why.
    broken_id = uuid.uuid4()
    broken = {k: v for k, v in bodies[0].items() if k != "client_ref"} | {
        "municipality_code": "GM9999",
        "schema_version": 1,
        "signal_id": str(broken_id),
        "organisation_id": ORG,
        "submitted_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    produce(pipeline.kafka, pipeline.topics.submitted, [(None, json.dumps(broken).encode())])
    wait_until(
        lambda: (
            call(pipeline, "GET", f"/v1/signals/{broken_id}").status_code == 200
            and status(pipeline, broken_id)["status"] == "dead_lettered"
        ),
        60,
        "the dead letter",
    )
    letter = status(pipeline, broken_id)["dead_letter"]
    assert letter["stage"] == "classifier"
    assert letter["reason"] in ("unknown_municipality", "invalid_message")
    assert counts(pipeline) == expected(live)
    assert [status(pipeline, s)["status"] for s in withdrawn] == ["withdrawn", "withdrawn"]

    # Submitted again after the withdrawal: a new version that counts again.
    back_id = withdrawn[1]
    assert call(pipeline, "POST", "/v1/signals", json=removed[back_id]).status_code == 202
    wait_until(lambda: status(pipeline, back_id)["status"] == "counted", 60, "counted again")
    assert status(pipeline, back_id)["version"] == 2
    live[back_id] = removed[back_id]
    assert counts(pipeline) == expected(live)
    assert {uuid.UUID(i["signal_id"]) for i in listed(pipeline, "withdrawn")} == {withdrawn[0]}


def test_an_operator_erases_a_signal_for_the_right_to_erasure(pipeline: Pipeline) -> None:
    bodies = [body for _, body in generate_signals(12, seed=23, weeks=10, today=PERIOD_END)]
    bodies = [{**body, "client_ref": f"avg-{index}"} for index, body in enumerate(bodies)]
    response = call(
        pipeline, "POST", "/v1/signals/batch", json={"signals": bodies}, organisation=OTHER
    )
    assert response.status_code == 202, response.text
    ids = [uuid.UUID(result["signal_id"]) for result in response.json()["results"]]
    wait_until(
        lambda: all(
            call(pipeline, "GET", f"/v1/signals/{i}", OTHER).json().get("status") == "counted"
            for i in ids
        ),
        120,
        "all counted",
    )
    before = counts(pipeline)
    environment = {
        "WAAKHOND_KAFKA_BOOTSTRAP_SERVERS": pipeline.kafka.bootstrap_servers,
        "WAAKHOND_TOPIC_WITHDRAWN": pipeline.topics.withdrawn,
        "WAAKHOND_AGGREGATOR_STATUS_TOKEN": pipeline.status_token,
    }
    erase = ["signals", "erase", "--aggregator-url", pipeline.trends_url, "--organisation", OTHER]

    result = runner.invoke(cli.app, [*erase, "--client-ref", "avg-3"], env=environment)
    assert result.exit_code == 0, result.output
    assert f"signal {ids[3]} is withdrawn" in result.output
    shown = call(pipeline, "GET", f"/v1/signals/{ids[3]}", OTHER).json()
    assert (shown["status"], shown["signal"]["description"]) == ("withdrawn", "")
    assert counts(pipeline) == before - expected({ids[3]: bodies[3]})

    # Done already: said so, nothing published.
    again = runner.invoke(cli.app, [*erase, "--signal-id", str(ids[3])], env=environment)
    assert again.exit_code == 0, again.output
    assert "withdrawn already" in again.output
    # Another organisation's reference, or none known: refused, nothing changes.
    for wrong in (["--client-ref", "avg-4", "--organisation", ORG], ["--client-ref", "nope"]):
        refused = runner.invoke(cli.app, [*erase, *wrong], env=environment)
        assert refused.exit_code == 1, refused.output
        assert "no signal" in refused.output
    assert call(pipeline, "GET", f"/v1/signals/{ids[4]}", OTHER).json()["status"] == "counted"
    # Without the token the command says what is missing instead of failing obscurely.
    bare = runner.invoke(
        cli.app,
        [*erase, "--client-ref", "avg-5"],
        env={**environment, "WAAKHOND_AGGREGATOR_STATUS_TOKEN": ""},
    )
    assert bare.exit_code == 2, bare.output
    assert "WAAKHOND_AGGREGATOR_STATUS_TOKEN" in bare.output

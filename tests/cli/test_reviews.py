"""``waakhond reviews export``: the signals people decided on, with the labels that stand, as
JSON Lines for training; erased texts and reviewers' ids never leave the database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from typer.testing import CliRunner

import waakhond_cli.main as cli
from tests.aggregator.storage.test_analytics_views import EXACT, analytics_signals, prepare, store
from tests.aggregator.storage.test_revisions import apply, decision
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import ReviewerRole, ReviewOutcome
from waakhond_contract.vocabularies import Category, PiiKind
from waakhond_tools.training.reviews import read_reviews

runner = CliRunner()


@pytest.fixture
def database(
    clickhouse_client: Client, chdb_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    prepare(clickhouse_client, name, EXACT)
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DSN", f"chdb://{chdb_path}")
    monkeypatch.setenv("WAAKHOND_CLICKHOUSE_DATABASE", name)
    yield name
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {name}")


def test_exports_the_standing_decisions_oldest_first_without_erased_texts(
    clickhouse_client: Client, database: str, tmp_path: Path
) -> None:
    signals = analytics_signals()[:4]
    store(clickhouse_client, database, signals)
    apply(
        TrendStore(clickhouse_client, database),
        [
            decision(signals[0], [Category.POLICY_GAP], minutes=20),
            decision(signals[1], [], ReviewerRole.REVIEWER, minutes=5),
            decision(signals[1], [Category.MISSED_RIGHTS], ReviewerRole.COORDINATOR, minutes=1),
            decision(
                signals[2],
                [Category.POLICY_GAP],
                minutes=2,
                outcome=ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS,
            ),
        ],
    )
    output = tmp_path / "reviewed.jsonl"
    result = runner.invoke(cli.app, ["reviews", "export", "--output", str(output)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(line["signal_id"], line["labels"], line["role"]) for line in lines] == [
        (str(signals[1].signal_id), ["missed_rights"], "coordinator"),
        (str(signals[0].signal_id), ["policy_gap"], "reviewer"),
    ]
    assert lines[1]["description"] == signals[0].description
    assert lines[1]["model_labels"] == sorted(str(c) for c in signals[0].classification.labels)
    assert all("reviewer" not in line for line in lines)
    assert "wrote 2 reviewed signal(s)" in result.output
    # The file is what `waakhond train --with-reviews` reads.
    parsed = read_reviews(output)
    assert [(r.signal_id, [str(c) for c in r.labels]) for r in parsed] == [
        (str(signals[1].signal_id), ["missed_rights"]),
        (str(signals[0].signal_id), ["policy_gap"]),
    ]


def test_since_leaves_older_decisions_out_and_a_bad_date_is_refused(
    clickhouse_client: Client, database: str, tmp_path: Path
) -> None:
    (signal,) = analytics_signals()[:1]
    store(clickhouse_client, database, [signal])
    apply(TrendStore(clickhouse_client, database), [decision(signal, [Category.POLICY_GAP])])
    output = tmp_path / "reviewed.jsonl"
    later = runner.invoke(
        cli.app, ["reviews", "export", "--output", str(output), "--since", "2030-01-01"]
    )
    assert later.exit_code == 0, later.output
    assert output.read_text() == ""
    bad = runner.invoke(
        cli.app, ["reviews", "export", "--output", str(output), "--since", "gisteren"]
    )
    assert bad.exit_code == 2
    assert "YYYY-MM-DD" in bad.output


def test_misses_lists_the_kinds_found_per_signal_without_text(
    clickhouse_client: Client, database: str, tmp_path: Path
) -> None:
    signals = analytics_signals()[:3]
    store(clickhouse_client, database, signals)
    found = ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
    apply(
        TrendStore(clickhouse_client, database),
        [
            decision(signals[0], [Category.POLICY_GAP], minutes=3, outcome=found),
            decision(signals[0], [], ReviewerRole.COORDINATOR, minutes=4, outcome=found).model_copy(
                update={"identifying_kinds": [PiiKind.LICENCE_PLATE]}
            ),
            decision(signals[1], [Category.POLICY_GAP]),
        ],
    )
    output = tmp_path / "misses.csv"
    result = runner.invoke(cli.app, ["reviews", "misses", "--output", str(output)])
    assert result.exit_code == 0, result.output
    lines = output.read_text().splitlines()
    assert lines[0] == "signal_id,decided_at,organisation_id,kinds"
    assert len(lines) == 2
    signal_id, decided_at, organisation, kinds = lines[1].split(",")
    assert (signal_id, organisation, kinds) == (
        str(signals[0].signal_id),
        signals[0].organisation_id,
        "licence_plate;name",
    )
    assert decided_at == "2026-11-02T09:03:00+00:00"
    assert signals[0].description not in output.read_text()

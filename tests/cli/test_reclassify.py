"""``waakhond reclassify``: the current model's labels replace older model labels in every
count; people's decisions always stand, before and after; running it again writes nothing."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from typer.testing import CliRunner

import waakhond_cli.main as cli
from tests.aggregator.storage.test_analytics_views import EXACT, analytics_signals, prepare, store
from tests.aggregator.storage.test_revisions import apply, decision
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_classifier.model.base import ClassifierInput
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_contract.messages import ReviewerRole, SignalClassified
from waakhond_contract.vocabularies import Category

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


def model_labels(signals: list[SignalClassified]) -> dict[uuid.UUID, list[str]]:
    outputs = load_default_classifier().classify_batch(
        [
            ClassifierInput(
                text=s.description,
                suggested_categories=tuple(s.suggested_categories),
                law_domains=tuple(map(str, s.law_domains)),
                life_domains=tuple(map(str, s.life_domains)),
                target_groups=tuple(map(str, s.target_groups)),
            )
            for s in signals
        ]
    )
    return {
        s.signal_id: sorted(str(label) for label in o.labels)
        for s, o in zip(signals, outputs, strict=True)
    }


def current_labels(client: Client, database: str) -> dict[uuid.UUID, list[str]]:
    return {
        row[0]: sorted(row[1])
        for row in client.query(
            f"SELECT signal_id, categories FROM {database}.current_signals"
        ).result_rows
    }


def national_counts(client: Client, database: str) -> Counter[str]:
    return Counter(
        {
            str(row[0]): int(row[1])
            for row in client.query(
                f"SELECT category, sum(signals) FROM {database}.trend_weekly "
                "WHERE level = 'national' GROUP BY category"
            ).result_rows
        }
    )


def test_the_models_labels_replace_older_ones_and_decisions_stand(
    clickhouse_client: Client, database: str
) -> None:
    # Labels the current model would not give: every signal says "policy gap" only.
    signals = [
        s.model_copy(
            update={
                "classification": s.classification.model_copy(
                    update={"labels": [Category.POLICY_GAP], "model_version": "old-model"}
                )
            }
        )
        for s in analytics_signals()
    ]
    store(clickhouse_client, database, signals)
    reviewed, reviewed_later = signals[0], signals[1]
    sink = TrendStore(clickhouse_client, database)
    apply(sink, [decision(reviewed, [Category.UNREACHABLE_GROUPS])])

    result = runner.invoke(cli.app, ["reclassify", "--since", "2020-01-01"])
    assert result.exit_code == 0, result.output
    apply(sink, [decision(reviewed_later, [Category.MISSED_RIGHTS], ReviewerRole.COORDINATOR)])

    expected = model_labels(signals)
    expected[reviewed.signal_id] = ["unreachable_groups"]
    expected[reviewed_later.signal_id] = ["missed_rights"]
    assert expected != {s.signal_id: ["policy_gap"] for s in signals}
    assert current_labels(clickhouse_client, database) == expected
    counts = Counter(label for labels in expected.values() for label in labels)
    counts["all"] = len(signals)
    assert national_counts(clickhouse_client, database) == counts
    assert f"read {len(signals) - 1} signal(s)" in result.output

    again = runner.invoke(cli.app, ["reclassify", "--since", "2020-01-01"])
    assert again.exit_code == 0, again.output
    assert "changed 0" in again.output
    assert current_labels(clickhouse_client, database) == expected


def test_a_dry_run_writes_nothing_and_a_bad_date_is_refused(
    clickhouse_client: Client, database: str
) -> None:
    signals = [
        s.model_copy(
            update={"classification": s.classification.model_copy(update={"model_version": "old"})}
        )
        for s in analytics_signals()[:20]
    ]
    store(clickhouse_client, database, signals)
    before = current_labels(clickhouse_client, database)
    dry = runner.invoke(cli.app, ["reclassify", "--since", "2020-01-01", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would change 20" in dry.output
    assert current_labels(clickhouse_client, database) == before
    bad = runner.invoke(cli.app, ["reclassify", "--since", "vorige week"])
    assert bad.exit_code == 2
    assert "YYYY-MM-DD" in bad.output

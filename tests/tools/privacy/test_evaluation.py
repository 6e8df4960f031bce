"""The privacy evaluation: kinds the redactor does not know yet, ordinary words, timing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.storage.test_analytics_views import EXACT, analytics_signals, prepare, store
from tests.aggregator.storage.test_revisions import apply, decision
from waakhond_aggregator.storage.review import read_review_quality
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import ReviewOutcome
from waakhond_contract.vocabularies import Category
from waakhond_intake.processing.privacy import PiiKind, Redactor, shared_redactor
from waakhond_tools.privacy.evaluation import (
    RARE_CONDITION,
    evaluate,
    load_cases,
    measure_redaction,
    per_text_microseconds,
    side_by_side,
)


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return shared_redactor()


def write_cases(path: Path, cases: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(case) + "\n" for case in cases), encoding="utf-8")
    return path


def test_a_kind_written_before_its_detector_is_scored_as_missed(
    redactor: Redactor, tmp_path: Path
) -> None:
    cases = load_cases(
        write_cases(
            tmp_path / "cases.jsonl",
            [
                {
                    "id": "future-01",
                    "text": "Zij rijdt in een Trabant uit 1974 naar het wijkteam.",
                    "pii": [{"kind": "car_model", "value": "Trabant"}],
                },
                {
                    "id": "bsn-01",
                    "text": "BSN 111222333 staat op de brief.",
                    "pii": [{"kind": "bsn", "value": "111222333"}],
                },
            ],
        )
    )
    report = evaluate(redactor, cases)
    assert report.per_kind["car_model"].planted == 1
    assert report.per_kind["car_model"].recall == 0.0
    assert report.per_kind[PiiKind.BSN].recall == 1.0
    assert {"case": "future-01", "kind": "car_model", "value": "Trabant"} in report.missed
    assert "| car_model | 1 | 0.0% |" in report.markdown_table()
    assert report.as_dict()["per_kind"]["car_model"]["planted"] == 1


def test_ordinary_words_kept(redactor: Redactor, tmp_path: Path) -> None:
    cases = load_cases(
        write_cases(
            tmp_path / "cases.jsonl",
            [{"id": "clean-01", "text": "De wachtlijst voor de Wmo is lang.", "pii": []}],
        )
    )
    report = evaluate(redactor, cases)
    assert report.ordinary_words == 7
    assert report.ordinary_words_kept == 1.0
    assert report.as_dict()["ordinary_words_kept"] == 1.0


def test_generalisations_are_scored_as_findings_of_their_kind(
    redactor: Redactor, tmp_path: Path
) -> None:
    cases = load_cases(
        write_cases(
            tmp_path / "cases.jsonl",
            [
                {
                    "id": "place-01",
                    "text": "Mevrouw woont in Lemmer aan de Kerkstraat.",
                    "pii": [{"kind": "place", "value": "Lemmer"}],
                },
            ],
        )
    )
    report = evaluate(redactor, cases)
    assert report.per_kind["place"].recall == 1.0
    assert report.per_kind["place"].precision == 1.0
    # the street was not planted: a false positive, and "Kerkstraat" an ordinary word lost
    assert report.per_kind["street"].findings == 1
    assert report.per_kind["street"].precision == 0.0
    assert report.false_positives == [{"case": "place-01", "kind": "street", "text": "Kerkstraat"}]
    assert report.ordinary_words_removed == 1


def test_a_rare_condition_is_caught_by_the_flag_and_must_stay(
    redactor: Redactor, tmp_path: Path
) -> None:
    cases = load_cases(
        write_cases(
            tmp_path / "cases.jsonl",
            [
                {
                    "id": "rare-01",
                    "text": "Een vrouw met ALS wacht op een traplift.",
                    "pii": [{"kind": RARE_CONDITION, "value": "ALS"}],
                },
                {
                    "id": "rare-unplanted",
                    "text": "Een man met de ziekte van Huntington wacht op een plek.",
                    "pii": [],
                },
                {
                    "id": "rare-not-flagged",
                    "text": "Een vrouw met reuma wacht op een traplift.",
                    "pii": [{"kind": RARE_CONDITION, "value": "reuma"}],
                },
            ],
        )
    )
    report = evaluate(redactor, cases)
    score = report.per_kind[RARE_CONDITION]
    assert (score.planted, score.caught, score.findings, score.true_findings) == (2, 1, 2, 1)
    assert {"case": "rare-not-flagged", "kind": RARE_CONDITION, "value": "reuma"} in report.missed
    assert {"case": "rare-unplanted", "kind": RARE_CONDITION, "text": "(privacy flag)"} in (
        report.false_positives
    )


def test_a_value_missing_from_its_text_is_refused(tmp_path: Path) -> None:
    path = write_cases(
        tmp_path / "cases.jsonl",
        [{"id": "x", "text": "Geen nummer hier.", "pii": [{"kind": "bsn", "value": "1"}]}],
    )
    with pytest.raises(ValueError, match="does not occur"):
        load_cases(path)


def test_per_text_microseconds() -> None:
    calls: list[str] = []
    timing = per_text_microseconds(calls.append, ["a", "b", "c"], repeats=2)
    assert calls == ["a", "b", "c", "a", "b", "c"]
    assert timing["texts"] == 3
    assert 0 <= timing["median_us"] <= timing["p95_us"]
    assert timing["mean_us"] >= 0
    assert per_text_microseconds(calls.append, []) == {}


def test_the_live_miss_rate_stands_beside_the_recall_per_kind(
    redactor: Redactor, tmp_path: Path, clickhouse_client: Client, chdb_path: Path
) -> None:
    """What reviewers found left in live texts (the review page's "contains identifying
    details"), read from ClickHouse, per kind beside the recall on the annotated set."""
    database = f"t_{uuid.uuid4().hex[:10]}"
    signals = analytics_signals()[:4]
    prepare(clickhouse_client, database, EXACT)
    store(clickhouse_client, database, signals)
    found = ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
    apply(
        TrendStore(clickhouse_client, database),
        [
            decision(signals[0], [], outcome=found).model_copy(
                update={"identifying_kinds": [PiiKind.LICENCE_PLATE]}
            ),
            decision(signals[1], [Category.POLICY_GAP]),
            decision(signals[2], [Category.POLICY_GAP]),
            decision(signals[3], [Category.POLICY_GAP]),
        ],
    )
    quality = read_review_quality(clickhouse_client, database)
    clickhouse_client.command(f"DROP DATABASE {database}")
    report = measure_redaction(tmp_path / "report.json", redactor=redactor, repeats=1)
    table = side_by_side(report, quality).splitlines()
    assert table[0].startswith("Live: 1 of 4 reviewed signals had identifying details left")
    plate = next(row for row in table if row.startswith("| licence_plate |"))
    cells = [cell.strip() for cell in plate.strip("|").split("|")]
    assert cells[0] == "licence_plate"
    assert cells[2] == f"{report.per_kind['licence_plate'].recall:.2%}"
    assert cells[3:] == ["1", "25.00%"]
    name = next(row for row in table if row.startswith("| name |"))
    assert name.rstrip().endswith("| 0 | 0.00% |")

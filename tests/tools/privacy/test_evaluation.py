"""The privacy evaluation: kinds the redactor does not know yet, ordinary words, timing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from waakhond_intake.processing.privacy import PiiKind, Redactor, shared_redactor
from waakhond_tools.privacy.evaluation import (
    evaluate,
    load_cases,
    per_text_microseconds,
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

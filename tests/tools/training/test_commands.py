"""The command functions: classify's JSON Lines contract, train --check, evaluate, bench."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from waakhond_classifier.model.base import ClassifierInput
from waakhond_classifier.model.jsonl import LineError, classify_stream, parse_line
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_cli.commands.classify import classify as classify_command
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.commands import (
    bench_command,
    evaluate_command,
    train_command,
)

GOOD = "Aanvraag HH in februari gedaan, nog steeds geen beschikking. Termijn ruim verstreken."


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("train")(train_command)
    app.command("evaluate")(evaluate_command)
    app.command("bench")(bench_command)
    app.command("classify")(classify_command)
    return app


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def _line(payload: object) -> bytes:
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(b"not json", "invalid_json", id="not-json"),
        pytest.param(b"[1, 2]", "not_an_object", id="array"),
        pytest.param(b'"text"', "not_an_object", id="string"),
        pytest.param(b"{}", "missing_text", id="no-text"),
        pytest.param(_line({"text": 5}), "missing_text", id="text-not-string"),
        pytest.param(_line({"text": None}), "missing_text", id="text-null"),
        pytest.param(b"", "blank_line", id="blank"),
        pytest.param(b"\xff\xfe{}", "invalid_encoding", id="not-utf8"),
        pytest.param(
            _line({"text": "x", "suggested_categories": ["urgent"]}), "invalid_field", id="category"
        ),
        pytest.param(
            _line({"text": "x", "suggested_categories": "policy_gap"}),
            "invalid_field",
            id="not-list",
        ),
        pytest.param(_line({"text": "x", "law_domains": [1]}), "invalid_field", id="law-domains"),
    ],
)
def test_parse_line_rejects_malformed_input(raw: bytes, code: str) -> None:
    parsed = parse_line(raw, 7)
    assert isinstance(parsed, LineError)
    assert (parsed.line, parsed.code) == (7, code)
    assert parsed.message


def test_parse_line_accepts_submission_fields() -> None:
    raw = _line(
        {
            "description": GOOD,
            "suggested_categories": ["missed_rights"],
            "law_domains": ["wmo"],
            "client_ref": "ignored",
        }
    )
    parsed = parse_line(raw, 1)
    assert parsed == ClassifierInput(
        text=GOOD, suggested_categories=(Category.MISSED_RIGHTS,), law_domains=("wmo",)
    )


def test_text_wins_over_description() -> None:
    parsed = parse_line(_line({"text": "a", "description": "b"}), 1)
    assert isinstance(parsed, ClassifierInput)
    assert parsed.text == "a"


def _stream(lines: list[bytes], batch_size: int = 2) -> tuple[list[dict[str, Any]], str, int]:
    out, err = io.StringIO(), io.StringIO()
    errors = classify_stream(load_default_classifier(), lines, out, err, batch_size=batch_size)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), errors


def test_one_output_line_per_input_line_in_order() -> None:
    lines = [
        _line({"text": GOOD}),
        b"broken",
        _line({"text": ""}),
        _line({"text": "Wachtlijst beschermd wonen 14 mnd, nergens plek in de regio."}),
        b"",
    ]
    outputs, err, errors = _stream(lines)
    assert len(outputs) == len(lines)
    assert errors == 2
    assert outputs[0]["labels"] == ["missed_rights"]
    assert outputs[1] == {
        "line": 2,
        "error": "invalid_json",
        "message": "invalid JSON: Expecting value at column 1",
    }
    assert outputs[2]["needs_review"] is True
    assert outputs[3]["labels"] == ["no_suitable_care"]
    assert outputs[4]["error"] == "blank_line"
    assert "line 2" in err
    assert "line 5" in err


def test_classified_lines_carry_the_full_contract() -> None:
    outputs, _, _ = _stream([_line({"text": GOOD})])
    (output,) = outputs
    assert set(output) == {
        "labels",
        "scores",
        "needs_review",
        "model_version",
        "explanations",
        "review_reason",
    }
    assert output["model_version"] == load_default_classifier().version
    assert set(output["scores"]) == {c.value for c in Category}
    assert output["review_reason"] is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("kort", "too_short", id="short"),
        pytest.param("wachtlijst beschermd wonen, geen plek. " * 80, "too_long", id="long"),
        pytest.param(
            "The municipality never sent a decision and the client is still waiting.",
            "not_dutch",
            id="english",
        ),
        pytest.param(
            "Mw. wacht nog op bericht van de gemeente over de aanvraag.",
            "no_confident_category",
            id="vague",
        ),
    ],
)
def test_review_cases_say_why(text: str, reason: str) -> None:
    outputs, _, errors = _stream([_line({"text": text})])
    assert errors == 0
    assert outputs[0]["needs_review"] is True
    assert outputs[0]["review_reason"] == reason


def test_batch_size_does_not_change_the_output() -> None:
    lines = [_line({"text": GOOD}), b"oops", _line({"text": "geen DigiD, alleen online"})] * 3
    assert _stream(lines, batch_size=1)[0] == _stream(lines, batch_size=100)[0]


def test_classify_command_exit_codes_and_clean_stdout(runner: CliRunner) -> None:
    good = runner.invoke(_app(), ["classify"], input=json.dumps({"text": GOOD}) + "\n")
    assert good.exit_code == 0
    assert [json.loads(line)["labels"] for line in good.stdout.splitlines()] == [["missed_rights"]]

    bad = runner.invoke(_app(), ["classify"], input='{"text": "x"\n')
    assert bad.exit_code == 1
    assert json.loads(bad.stdout.splitlines()[0])["error"] == "invalid_json"
    assert "malformed" in bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr


def test_train_check_confirms_the_committed_artefact(runner: CliRunner) -> None:
    result = runner.invoke(_app(), ["train", "--check"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "reproduced exactly" in result.stdout


def test_train_check_fails_on_a_different_artefact(runner: CliRunner, tmp_path: Path) -> None:
    stale = tmp_path / "stale.json"
    stale.write_text("{}", encoding="utf-8")
    result = runner.invoke(_app(), ["train", "--check", "--output", str(stale)])
    assert result.exit_code == 1


def test_evaluate_reports_baseline_and_model(runner: CliRunner) -> None:
    result = runner.invoke(_app(), ["evaluate", "--split", "dev"])
    assert result.exit_code == 0
    assert "rule-based baseline" in result.stdout
    assert "trained model" in result.stdout
    assert result.stdout.count("macro-F1") == 2


def test_evaluate_reports_both_frozen_sets_with_calibration_and_review(
    runner: CliRunner, tmp_path: Path
) -> None:
    diagram = tmp_path / "reliability.png"
    result = runner.invoke(_app(), ["evaluate", "--reliability-diagram", str(diagram)])
    assert result.exit_code == 0, result.output
    for split in ("test", "voices"):
        assert f"trained model on {split}" in result.stdout
        assert f"rule-based baseline on {split}" in result.stdout
    # Per category, macro-F1, ECE and the trade-off curve for the model on each set.
    assert result.stdout.count("macro-F1") == 4
    assert result.stdout.count("calibration: ECE") == 2
    assert result.stdout.count("review trade-off") == 2
    assert diagram.read_bytes().startswith(b"\x89PNG")


def test_evaluate_names_a_missing_artefact(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(_app(), ["evaluate", "--artefact", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "nope.json" in result.output
    assert "Traceback" not in result.output


def test_bench_writes_its_results_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    result = runner.invoke(
        _app(), ["bench", "--output", str(output), "--signals", "200", "--batch-size", "50"]
    )
    assert result.exit_code == 0
    payload = json.loads(output.read_text(encoding="utf-8"))
    names = [entry["classifier"] for entry in payload["results"]]
    assert names == ["trained model", "rule-based baseline"]
    for entry in payload["results"]:
        assert entry["signals"] == 200
        assert entry["best_signals_per_cpu_second"] > 0
        assert len(entry["runs"]) == 3

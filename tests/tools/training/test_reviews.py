"""Retraining on reviewed signals: the file format, the time split, and promotion."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from waakhond_classifier.model.artefact import LinearArtefact
from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.commands import evaluate_command, train_command
from waakhond_tools.training.corpus import Split, load_split
from waakhond_tools.training.reviews import (
    Comparison,
    ReviewedSignal,
    ReviewFileError,
    format_loop,
    read_reviews,
    retrain_with_reviews,
    simulate_review_loop,
    simulated_reviews,
    split_by_time,
)


def build_app() -> typer.Typer:
    app = typer.Typer()
    app.command("train")(train_command)
    # A second command, so typer keeps "train" as a subcommand name.
    app.command("noop")(lambda: None)
    return app


def _line(signal_id: str, labels: list[str], decided_at: str, **extra: object) -> str:
    payload = {
        "signal_id": signal_id,
        "description": f"Wachtlijst voor dagbesteding, signaal {signal_id}.",
        "labels": labels,
        "decided_at": decided_at,
        **extra,
    }
    return json.dumps(payload, ensure_ascii=False)


def test_reviews_are_read_in_time_order_and_the_latest_decision_counts(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text(
        "\n".join(
            [
                _line("b", ["no_suitable_care"], "2026-03-02T10:00:00+01:00"),
                _line("a", ["policy_gap"], "2026-03-01T10:00:00Z", law_domains=["wmo"]),
                "",
                # A later decision on "a" replaces the earlier one.
                _line("a", ["missed_rights", "policy_gap"], "2026-03-03T10:00:00Z"),
            ]
        ),
        encoding="utf-8",
    )
    reviews = read_reviews(path)
    assert [r.signal_id for r in reviews] == ["b", "a"]
    assert reviews[1].labels == (Category.POLICY_GAP, Category.MISSED_RIGHTS)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("{oops", "invalid JSON", id="not-json"),
        pytest.param("[]", "must be a JSON object", id="not-object"),
        pytest.param('{"signal_id": "a"}', "missing field(s) description", id="missing"),
        pytest.param(
            _line("a", ["wachtlijst"], "2026-03-01T10:00:00Z"), "unknown category", id="category"
        ),
        pytest.param(_line("a", [], "gisteren"), "ISO 8601", id="date"),
        pytest.param(_line("a", [], "2026-03-01T10:00:00"), "time zone", id="naive-date"),
    ],
)
def test_malformed_reviews_are_refused_naming_the_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text(_line("ok", [], "2026-03-01T09:00:00Z") + "\n" + line + "\n")
    with pytest.raises(ReviewFileError, match=r"reviews\.jsonl:2") as raised:
        read_reviews(path)
    assert message in str(raised.value)


def test_the_newest_slice_is_held_out_whatever_the_file_order() -> None:
    reviews = simulated_reviews(30)
    shuffled = list(reviews)
    random.Random(3).shuffle(shuffled)
    older, newest = split_by_time(shuffled)
    assert (len(older), len(newest)) == (24, 6)
    assert max(r.decided_at for r in older) < min(r.decided_at for r in newest)
    assert newest == reviews[-6:]


def test_too_few_reviews_are_refused() -> None:
    with pytest.raises(ReviewFileError, match="at least 10"):
        split_by_time(simulated_reviews(5))


def test_any_drop_counts_and_an_equal_score_does_not() -> None:
    assert Comparison("x", current=0.91, candidate=0.90).dropped
    assert Comparison("x", current=0.91, candidate=0.909).dropped
    assert not Comparison("x", current=0.91, candidate=0.91).dropped
    assert not Comparison("x", current=0.91, candidate=0.95).dropped


class _Oracle:
    """A perfect 'current' model on the given records: no candidate can beat it."""

    def __init__(self, truth: dict[str, tuple[Category, ...]]) -> None:
        self._truth = truth

    @property
    def version(self) -> str:
        return "oracle"

    def classify_batch(self, items: Sequence[ClassifierInput]) -> list[ClassifierOutput]:
        outputs = []
        for item in items:
            labels = self._truth[item.text]
            scores = {c: float(c in labels) for c in Category}
            outputs.append(ClassifierOutput(labels, scores, needs_review=False))
        return outputs


def test_a_candidate_worse_than_the_current_model_is_not_promoted() -> None:
    reviews = simulated_reviews(40)
    truth = {r.description: r.labels for r in reviews}
    truth.update({r.text: r.labels for r in load_split(Split.TEST)})
    retraining = retrain_with_reviews(reviews, _Oracle(truth))
    assert (retraining.trained_on, retraining.held_out) == (32, 8)
    assert [c.current for c in retraining.comparisons] == [1.0, 1.0]
    assert any(c.dropped for c in retraining.comparisons)
    assert not retraining.promote
    # The reviews are in the model's version and provenance.
    artefact = retraining.candidate.artefact
    assert artefact.provenance["reviews"]["count"] == 32
    assert artefact.model_version != LinearArtefact.load_packaged().model_version


def _write_reviews(path: Path, reviews: Sequence[ReviewedSignal]) -> None:
    path.write_text(
        "".join(
            json.dumps(
                {
                    "signal_id": r.signal_id,
                    "description": r.description,
                    "labels": [c.value for c in r.labels],
                    "decided_at": r.decided_at.isoformat(),
                }
            )
            + "\n"
            for r in reviews
        ),
        encoding="utf-8",
    )


def test_train_with_reviews_writes_the_model_only_when_promoted(tmp_path: Path) -> None:
    reviews_file = tmp_path / "reviews.jsonl"
    _write_reviews(reviews_file, simulated_reviews(40))
    output = tmp_path / "model.json"
    result = CliRunner().invoke(
        build_app(), ["train", "--with-reviews", str(reviews_file), "--output", str(output)]
    )
    assert "32 oldest trained on, 8 newest held out" in result.stdout
    dropped = "(drop)" in result.stdout
    if dropped:
        assert result.exit_code == 1
        assert "not promoted" in result.output
        assert not output.exists()
    else:
        assert result.exit_code == 0, result.output
        assert "promoted" in result.stdout
        assert LinearArtefact.load(output).provenance["reviews"]["count"] == 32


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--with-reviews", "{missing}"], "cannot read", id="missing-file"),
        pytest.param(["--with-reviews", "{few}"], "at least 10", id="too-few"),
        pytest.param(["--with-reviews", "{few}", "--check"], "cannot be combined", id="check"),
    ],
)
def test_train_with_reviews_user_mistakes_end_cleanly(
    tmp_path: Path, args: list[str], message: str
) -> None:
    few = tmp_path / "few.jsonl"
    _write_reviews(few, simulated_reviews(3))
    paths = {"missing": str(tmp_path / "nope.jsonl"), "few": str(few)}
    result = CliRunner().invoke(build_app(), ["train", *(a.format(**paths) for a in args)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_simulated_reviews_carry_known_labels_in_time_order() -> None:
    reviews = simulated_reviews(50)
    assert len({r.signal_id for r in reviews}) == 50
    assert all(a.decided_at < b.decided_at for a, b in itertools.pairwise(reviews))
    assert all(r.decided_at.tzinfo is dt.UTC for r in reviews)
    # Other signals than the training split: the stream is new material.
    training = {r.text for r in load_split(Split.TRAIN)}
    assert sum(r.description in training for r in reviews) < 5


def test_the_simulated_loop_reports_before_and_after_for_each_step() -> None:
    steps = simulate_review_loop(LinearArtefact.load_packaged(), steps=(20, 40))
    assert [s.reviewed for s in steps] == [20, 40]
    for step in steps:
        assert set(step.before) == set(step.after) == {"test", "voices", "held-out reviews"}
        assert all(0.0 <= v <= 1.0 for v in (*step.before.values(), *step.after.values()))
    # Each step starts from the model the previous one left behind.
    first, second = steps
    if first.promoted:
        assert second.before["test"] == first.after["test"]
    else:
        assert second.before["test"] == first.before["test"]
    table = format_loop(steps)
    assert "held-out reviews" in table
    assert table.count("->") >= 6


def test_evaluate_takes_reviews_as_a_third_set(tmp_path: Path) -> None:
    reviews_file = tmp_path / "reviews.jsonl"
    _write_reviews(reviews_file, simulated_reviews(12))
    app = typer.Typer()
    app.command("evaluate")(evaluate_command)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(
        app, ["evaluate", "--split", "test", "--reviews", str(reviews_file)]
    )
    assert result.exit_code == 0, result.output
    assert "trained model on reviews  (model" in result.stdout
    assert "12 signals" in result.stdout
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{oops\n", encoding="utf-8")
    bad = CliRunner().invoke(app, ["evaluate", "--reviews", str(broken)])
    assert bad.exit_code == 2
    assert "broken.jsonl:1" in bad.output

"""Metrics, the rule baseline, and the held-out regression floor."""

from __future__ import annotations

import pytest

from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import CorpusRecord, Source, Split, load_split
from waakhond_tools.training.evaluation import (
    EvaluationReport,
    evaluate,
    format_report,
    score_outputs,
)
from waakhond_tools.training.rules import RuleBasedClassifier

# Committed floors for the held-out split. Measured at release: macro-F1 0.921,
# every category >= 0.90, 10.9% to review. A change that drops below these
# needs a look at the error analysis, not a lower number here.
HELD_OUT_MACRO_F1_FLOOR = 0.90
HELD_OUT_CATEGORY_F1_FLOOR = 0.85
HELD_OUT_REVIEW_SHARE_CEILING = 0.20

P, M, U, N = (
    Category.POLICY_GAP,
    Category.MISSED_RIGHTS,
    Category.UNREACHABLE_GROUPS,
    Category.NO_SUITABLE_CARE,
)


@pytest.fixture(scope="module")
def held_out() -> list[CorpusRecord]:
    return load_split(Split.TEST)


@pytest.fixture(scope="module")
def model_report(held_out: list[CorpusRecord]) -> EvaluationReport:
    return evaluate(load_default_classifier(), held_out, "model")


def test_held_out_macro_f1_stays_above_the_floor(model_report: EvaluationReport) -> None:
    assert model_report.macro_f1 >= HELD_OUT_MACRO_F1_FLOOR, format_report(model_report)


def test_every_category_stays_above_its_floor(model_report: EvaluationReport) -> None:
    weak = {
        c.value: m.f1
        for c, m in model_report.per_category.items()
        if m.f1 < HELD_OUT_CATEGORY_F1_FLOOR
    }
    assert weak == {}, format_report(model_report)


def test_review_share_stays_reasonable(model_report: EvaluationReport) -> None:
    assert model_report.review_share <= HELD_OUT_REVIEW_SHARE_CEILING


def test_model_beats_the_rule_baseline(
    model_report: EvaluationReport, held_out: list[CorpusRecord]
) -> None:
    baseline = evaluate(RuleBasedClassifier(), held_out, "baseline")
    assert model_report.macro_f1 > baseline.macro_f1 + 0.1


def _record(labels: tuple[Category, ...]) -> CorpusRecord:
    return CorpusRecord(id="x", text="t", labels=labels, source=Source.HANDWRITTEN)


def _output(labels: tuple[Category, ...]) -> ClassifierOutput:
    return ClassifierOutput(
        labels=labels,
        scores={c: (1.0 if c in labels else 0.0) for c in Category},
        needs_review=not labels,
    )


def test_score_outputs_counts_multi_label_hits_and_misses() -> None:
    records = [_record((P, N)), _record((M,)), _record(()), _record((U,))]
    outputs = [_output((P,)), _output((M, U)), _output(()), _output(())]
    report = score_outputs("t", "v", records, outputs)
    policy, missed, reach, care = (report.per_category[c] for c in (P, M, U, N))
    assert (policy.precision, policy.recall, policy.f1) == (1.0, 1.0, 1.0)
    assert (missed.precision, missed.recall) == (1.0, 1.0)
    assert (reach.precision, reach.recall, reach.f1) == (0.0, 0.0, 0.0)
    assert (care.support, care.predicted, care.f1) == (1, 0, 0.0)
    assert report.macro_f1 == pytest.approx(0.5)
    assert report.review_share == pytest.approx(0.5)
    assert report.exact_match == pytest.approx(0.25)
    assert report.confusions == {("-", "unreachable_groups"): 1, ("unreachable_groups", "-"): 1}


def test_brier_score_rewards_confident_right_answers() -> None:
    records = [_record((P,))]
    right = score_outputs("t", "v", records, [_output((P,))])
    wrong = score_outputs("t", "v", records, [_output((M,))])
    assert right.per_category[P].brier == 0.0
    assert wrong.per_category[P].brier == 1.0


def test_format_report_mentions_every_category(model_report: EvaluationReport) -> None:
    text = format_report(model_report)
    assert all(c.value in text for c in Category)
    assert "macro-F1" in text
    assert "sent to review" in text


def test_rule_baseline_labels_lexicon_hits_only() -> None:
    rules = RuleBasedClassifier()
    hit, neutral = rules.classify_batch(
        [
            ClassifierInput(text="Al negen maanden op de wachtlijst voor dagbesteding."),
            ClassifierInput(text="Afspraak verzet op verzoek van mevrouw."),
        ]
    )
    assert hit.labels == (N,)
    assert hit.scores[N] == 0.5
    assert hit.explanations[N] == ("wachtlijst",)
    assert neutral.labels == ()
    assert neutral.needs_review


def test_rule_baseline_sends_unfit_text_to_review() -> None:
    output = RuleBasedClassifier().classify_batch(
        [ClassifierInput(text="The waiting list (wachtlijst) is long and there is no place.")]
    )[0]
    assert output.needs_review
    assert output.labels == ()

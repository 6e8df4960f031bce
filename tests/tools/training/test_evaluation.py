"""Metrics, the rule baseline, and the held-out regression floor."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import CorpusRecord, Source, Split, load_split
from waakhond_tools.training.evaluation import (
    EvaluationReport,
    evaluate,
    expected_calibration_error,
    format_report,
    reliability_bins,
    review_tradeoff,
    score_outputs,
)
from waakhond_tools.training.rules import RuleBasedClassifier

# Committed floors for both frozen evaluation sets: the held-out split and the
# second set in other registers ("voices"). A change that drops below these
# needs a look at the error analysis, not a lower number here.
MACRO_F1_FLOOR = 0.90
CATEGORY_F1_FLOOR = 0.85
REVIEW_SHARE_CEILING = 0.20
# needs_review must catch at least this share of the signals not exactly right.
WRONG_CAUGHT_FLOOR = 0.60
ECE_CEILING = 0.05
FROZEN = (Split.TEST, Split.VOICES)

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
def reports() -> dict[Split, EvaluationReport]:
    model = load_default_classifier()
    return {split: evaluate(model, load_split(split), split.value) for split in FROZEN}


@pytest.fixture(scope="module")
def model_report(reports: dict[Split, EvaluationReport]) -> EvaluationReport:
    return reports[Split.TEST]


@pytest.mark.parametrize("split", FROZEN, ids=[s.value for s in FROZEN])
def test_macro_f1_stays_above_the_floor(
    reports: dict[Split, EvaluationReport], split: Split
) -> None:
    assert reports[split].macro_f1 >= MACRO_F1_FLOOR, format_report(reports[split])


@pytest.mark.parametrize("split", FROZEN, ids=[s.value for s in FROZEN])
def test_every_category_stays_above_its_floor(
    reports: dict[Split, EvaluationReport], split: Split
) -> None:
    report = reports[split]
    weak = {c.value: m.f1 for c, m in report.per_category.items() if m.f1 < CATEGORY_F1_FLOOR}
    assert weak == {}, format_report(report)


@pytest.mark.parametrize("split", FROZEN, ids=[s.value for s in FROZEN])
def test_review_catches_most_wrong_predictions_within_its_budget(
    reports: dict[Split, EvaluationReport], split: Split
) -> None:
    report = reports[split]
    assert report.review_share <= REVIEW_SHARE_CEILING, format_report(report)
    assert report.wrong_caught_by_review >= WRONG_CAUGHT_FLOOR, format_report(report)


@pytest.mark.parametrize("split", FROZEN, ids=[s.value for s in FROZEN])
def test_scores_are_calibrated_probabilities(
    reports: dict[Split, EvaluationReport], split: Split
) -> None:
    report = reports[split]
    assert report.ece is not None
    assert report.ece <= ECE_CEILING, format_report(report)


def test_model_beats_the_rule_baseline(
    model_report: EvaluationReport, held_out: list[CorpusRecord]
) -> None:
    baseline = evaluate(RuleBasedClassifier(), held_out, "baseline", False)
    assert model_report.macro_f1 > baseline.macro_f1 + 0.1


# The borderlines of corpus/LABELLING.md, on texts that are in no split.
BORDERLINES = [
    pytest.param(
        "De consulent heeft mevrouw verteld dat ze met een pgb geen huishoudelijke hulp kan "
        "krijgen. Dat is onjuist, de verordening staat het gewoon toe.",
        {M},
        id="official-contrary-to-an-existing-rule-is-missed-rights-not-policy-gap",
    ),
    pytest.param(
        "Het zorgkantoor zei tegen de familie dat bezwaar tegen het besluit niet mogelijk is. "
        "Dat klopt niet.",
        {M},
        id="objection-wrongly-said-impossible-is-missed-rights",
    ),
    pytest.param(
        "Omdat het potje voor begeleiding leeg is, behandelt de gemeente sinds september geen "
        "enkele nieuwe aanvraag meer, ook niet van inwoners die er aanspraak op hebben.",
        {P, M},
        id="budget-cap-stopping-applications-is-policy-gap-and-missed-rights",
    ),
    pytest.param(
        "Voor een plek in een woonvorm voor jongeren met autisme staat hij op een wachtlijst "
        "van anderhalf jaar.",
        {N},
        id="waiting-list-is-no-suitable-care",
    ),
    pytest.param(
        "De wachtlijst voor dagbesteding komt door het budgetplafond dat de gemeente de "
        "aanbieders oplegt.",
        {P, N},
        id="waiting-list-from-a-budget-cap-is-also-policy-gap",
    ),
    pytest.param(
        "Het aanvraagformulier voor de meerkostenregeling bestaat alleen online en alleen in het "
        "Nederlands. Nieuwkomers lopen zo een vergoeding mis waar ze recht op hebben.",
        {M, U},
        id="help-a-group-cannot-get-to-is-unreachable-groups-with-missed-rights",
    ),
    pytest.param(
        "Oudere migranten in de wijk komen niet bij het wijkteam, ze kennen het niet en de "
        "voorlichting is alleen in het Nederlands.",
        {U},
        id="group-not-reached-without-a-lost-right-is-unreachable-groups-only",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BORDERLINES)
def test_model_follows_the_labelling_borderlines(text: str, expected: set[Category]) -> None:
    (output,) = load_default_classifier().classify_batch([ClassifierInput(text=text)])
    assert set(output.labels) == expected


def test_voices_set_labels_follow_the_borderlines() -> None:
    # The second set was labelled with the guide, so the combinations the issue
    # singles out occur in it often enough to be measured.
    pairs = Counter(r.labels for r in load_split(Split.VOICES) if len(r.labels) == 2)
    assert pairs[(P, M)] >= 3  # budget caps stopping applications
    assert pairs[(P, N)] >= 3  # waiting lists caused by caps or purchasing
    assert pairs[(M, U)] >= 8  # help or information a group cannot get to


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


def test_reliability_bins_and_ece_measure_the_gap_between_score_and_truth() -> None:
    # Scores of 0.8 that come true 4 times out of 5 are calibrated; of 0.8 that
    # never come true are off by 0.8.
    calibrated = reliability_bins([0.8] * 5, [True, True, True, True, False])
    assert expected_calibration_error(calibrated) == pytest.approx(0.0)
    (filled,) = [b for b in calibrated if b.count]
    assert (filled.low, filled.high, filled.count) == (0.8, 0.9, 5)
    off = reliability_bins([0.8] * 5 + [0.05] * 5, [False] * 10)
    assert expected_calibration_error(off) == pytest.approx(0.5 * 0.8 + 0.5 * 0.05)
    # A score of exactly 1.0 falls in the top bin.
    assert reliability_bins([1.0], [True])[-1].count == 1


def test_review_tradeoff_reviews_the_least_confident_first() -> None:
    records = [_record((P,)), _record((M,)), _record((U,)), _record((N,))]
    outputs = [
        replace(_output((P,)), confidence=0.99),
        replace(_output((P,)), confidence=0.10),  # wrong and unsure
        replace(_output((U,)), confidence=0.95),
        replace(_output(()), confidence=0.90),  # wrong and fairly sure
    ]
    curve = review_tradeoff(records, outputs, shares=(0.25, 0.5, 1.0))
    assert [(p.share_reviewed, p.caught) for p in curve] == [(0.25, 0.5), (0.5, 1.0), (1.0, 1.0)]


def test_wrong_predictions_caught_by_review_are_counted() -> None:
    records = [_record((P,)), _record((M,)), _record((U,))]
    outputs = [
        replace(_output((M,)), needs_review=True),
        replace(_output((U,)), needs_review=False),
        replace(_output((U,)), needs_review=True),
    ]
    report = score_outputs("t", "v", records, outputs)
    assert report.wrong == 2
    assert report.wrong_caught_by_review == pytest.approx(0.5)

"""Command functions of the classifier's tooling: train, evaluate and the model benchmark.

Plain functions with typer-compatible signatures, registered by ``waakhond_tools.cli``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from waakhond_classifier.model.artefact import LinearArtefact, packaged_artefact_path
from waakhond_classifier.model.base import ClassifierOutput
from waakhond_classifier.model.linear import LinearSignalClassifier, label_set_confidence
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_contract.vocabularies import Category
from waakhond_tools.bench.classifier_model import (
    BenchmarkConfig,
    benchmark_texts,
    run_benchmark,
    write_results,
)
from waakhond_tools.training.corpus import Split, default_corpus_dir, load_split
from waakhond_tools.training.evaluation import (
    EvaluationReport,
    evaluate,
    format_report,
    score_outputs,
    with_calibration,
)
from waakhond_tools.training.reviews import (
    ReviewFileError,
    format_loop,
    read_reviews,
    retrain_with_reviews,
    simulate_review_loop,
)
from waakhond_tools.training.rules import RuleBasedClassifier
from waakhond_tools.training.training import (
    ABLATIONS,
    TrainingResult,
    categories_from_probabilities,
    train,
)

# Module-level, so the typer defaults are computed once (and shown in --help).
DEFAULT_CORPUS_DIR = default_corpus_dir()
DEFAULT_ARTEFACT = packaged_artefact_path()
# The frozen evaluation sets: never trained on, reported together every time.
FROZEN_SPLITS = [Split.TEST, Split.VOICES]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def train_command(
    corpus: Annotated[
        Path, typer.Option(help="Corpus folder with train/dev/test JSONL and manifest.json.")
    ] = DEFAULT_CORPUS_DIR,
    output: Annotated[
        Path, typer.Option(help="Where to write the model artefact (JSON).")
    ] = DEFAULT_ARTEFACT,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Do not write; fail if retraining does not reproduce the artefact at --output.",
        ),
    ] = False,
    with_reviews: Annotated[
        Path | None,
        typer.Option(
            "--with-reviews",
            help="JSON Lines of reviewed signals (signal_id, description, labels, decided_at): "
            "train on the older ones too, hold out the newest, and write the model only if "
            "macro-F1 drops neither on the held-out split nor on the held-out reviews.",
        ),
    ] = None,
    simulate_review_loop: Annotated[
        bool,
        typer.Option(
            "--simulate-review-loop",
            help="Measure the review loop: retrain on 200, 500 and 1,000 generated signals "
            "with known labels and report macro-F1 before and after each step (writes nothing).",
        ),
    ] = False,
) -> None:
    """Train the signal classifier from the corpus, deterministically."""
    if check and (with_reviews is not None or simulate_review_loop):
        _err("--check verifies the corpus-only artefact; it cannot be combined with reviews")
        raise typer.Exit(code=2)
    if simulate_review_loop:
        _simulate_review_loop(corpus, output)
        return
    if with_reviews is not None:
        _train_with_reviews(corpus, output, with_reviews)
        return
    result = train(corpus)
    artefact = result.artefact
    report = _dev_report(result)
    typer.echo(format_report(report))
    thresholds = ", ".join(
        f"{c.value} {t:.2f}" for c, t in zip(artefact.categories, artefact.thresholds, strict=True)
    )
    typer.echo(f"thresholds: {thresholds}")
    typer.echo(f"review cut-off (label-set confidence): {artefact.review_confidence:.4f}")
    if check:
        if not output.exists():
            _err(f"no artefact at {output}")
            raise typer.Exit(code=1)
        if output.read_text(encoding="utf-8") != artefact.dumps():
            committed = LinearArtefact.load(output).model_version
            _err(
                f"retrained model {artefact.model_version} differs from the artefact "
                f"{committed} at {output}; run `waakhond train` and commit the result"
            )
            raise typer.Exit(code=1)
        typer.echo(f"artefact at {output} is reproduced exactly ({artefact.model_version})")
        return
    artefact.save(output)
    size_kb = output.stat().st_size / 1024
    typer.echo(f"wrote {output} ({size_kb:.0f} KiB), model version {artefact.model_version}")


def _current_artefact(output: Path) -> LinearArtefact:
    """The model a retraining competes with: the one at --output, else the packaged one."""
    return LinearArtefact.load(output) if output.is_file() else LinearArtefact.load_packaged()


def _train_with_reviews(corpus: Path, output: Path, reviews_file: Path) -> None:
    try:
        reviews = read_reviews(reviews_file)
        current = LinearSignalClassifier(_current_artefact(output))
        retraining = retrain_with_reviews(reviews, current, corpus)
    except ReviewFileError as error:
        _err(f"waakhond train: {error}")
        raise typer.Exit(code=2) from None
    artefact = retraining.candidate.artefact
    typer.echo(
        f"{len(reviews)} reviewed signals: {retraining.trained_on} oldest trained on, "
        f"{retraining.held_out} newest held out"
    )
    for comparison in retraining.comparisons:
        typer.echo(
            f"  {comparison.name:<28} macro-F1 current {comparison.current:.3f}  "
            f"candidate {comparison.candidate:.3f}{'  (drop)' if comparison.dropped else ''}"
        )
    if not retraining.promote:
        _err(
            f"candidate {artefact.model_version} not promoted: macro-F1 drops on "
            + ", ".join(c.name for c in retraining.comparisons if c.dropped)
            + f"; {output} is unchanged"
        )
        raise typer.Exit(code=1)
    artefact.save(output)
    typer.echo(f"promoted: wrote {output}, model version {artefact.model_version}")


def _simulate_review_loop(corpus: Path, output: Path) -> None:
    steps = simulate_review_loop(_current_artefact(output), corpus_dir=corpus)
    typer.echo("macro-F1 before and after retraining on simulated reviews (generated signals):")
    typer.echo(format_loop(steps))


def evaluate_command(
    split: Annotated[
        list[Split] | None,
        typer.Option(
            help="Split to evaluate on (repeatable); default: both frozen sets, 'test' "
            "(the held-out split) and 'voices' (the second set, other registers)."
        ),
    ] = None,
    corpus: Annotated[Path, typer.Option(help="Corpus folder.")] = DEFAULT_CORPUS_DIR,
    artefact: Annotated[
        Path | None,
        typer.Option(help="Model artefact to evaluate; default: the packaged one."),
    ] = None,
    reliability_diagram: Annotated[
        Path | None,
        typer.Option(help="Also write the trained model's reliability diagram (PNG) here."),
    ] = None,
    reviews: Annotated[
        Path | None,
        typer.Option(
            help="JSON Lines of reviewed signals (as for `train --with-reviews`): evaluate "
            "on them too, as a third set."
        ),
    ] = None,
    ablation: Annotated[
        bool,
        typer.Option(
            "--ablation",
            help="Also retrain the model without each feature block and compare (slow).",
        ),
    ] = False,
) -> None:
    """Per category precision, recall, F1; macro-F1, calibration and the review trade-off."""
    splits = split or FROZEN_SPLITS
    if artefact is not None and not artefact.is_file():
        _err(f"geen modelbestand gevonden op {artefact}")
        raise typer.Exit(code=2)
    model = (
        LinearSignalClassifier(LinearArtefact.load(artefact))
        if artefact is not None
        else load_default_classifier()
    )
    sets = {chosen.value: load_split(chosen, corpus) for chosen in splits}
    if reviews is not None:
        try:
            sets["reviews"] = [review.as_record() for review in read_reviews(reviews)]
        except ReviewFileError as error:
            _err(f"waakhond evaluate: {error}")
            raise typer.Exit(code=2) from None
    model_reports: list[EvaluationReport] = []
    for name, records in sets.items():
        baseline = evaluate(RuleBasedClassifier(), records, f"rule-based baseline on {name}", False)
        typer.echo(format_report(baseline))
        typer.echo("")
        report = evaluate(model, records, f"trained model on {name}")
        model_reports.append(report)
        typer.echo(format_report(report))
        typer.echo("")
    if reliability_diagram is not None:
        # Imported here: matplotlib is only needed for the figure.
        from waakhond_tools.training.reliability import write_reliability_diagram

        write_reliability_diagram(model_reports, reliability_diagram)
        typer.echo(f"reliability diagram written to {reliability_diagram}")
    if ablation:
        _ablation(corpus, splits)


def _dev_report(result: TrainingResult) -> EvaluationReport:
    """Out-of-fold dev scores of a training run, as an evaluation report."""
    artefact = result.artefact
    given = result.dev_probabilities >= np.asarray(artefact.thresholds)
    confidences = label_set_confidence(result.dev_probabilities, given)
    outputs = [
        ClassifierOutput(
            labels=labels,
            scores={c: float(p) for c, p in zip(Category, row, strict=True)},
            needs_review=bool(confidence < artefact.review_confidence),
            confidence=float(confidence),
        )
        for labels, row, confidence in zip(
            categories_from_probabilities(result.dev_probabilities, artefact.thresholds),
            result.dev_probabilities,
            confidences,
            strict=True,
        )
    ]
    report = score_outputs(
        "dev split, out-of-fold (used for calibration, thresholds and the review cut-off)",
        artefact.model_version,
        result.dev_records,
        outputs,
    )
    return with_calibration(report, result.dev_records, outputs)


def _ablation(corpus: Path, splits: list[Split]) -> None:
    sets = {chosen: load_split(chosen, corpus) for chosen in splits}
    header = "".join(f" {chosen.value + ' macro-F1':>16}" for chosen in splits)
    typer.echo(f"{'variant':<32} {'dev macro-F1 (out-of-fold)':>26}{header}")
    for name, config in ABLATIONS.items():
        result = train(corpus, config)
        model = LinearSignalClassifier(result.artefact)
        scores = "".join(
            f" {evaluate(model, records, name, False).macro_f1:>16.3f}" for records in sets.values()
        )
        typer.echo(f"{name:<32} {_dev_report(result).macro_f1:>26.3f}{scores}")


def bench_command(
    output: Annotated[
        Path, typer.Option(help="JSON file to write the benchmark results to.")
    ] = Path("data/classifier-benchmark.json"),
    signals: Annotated[int, typer.Option(min=1, help="Signals per pass.")] = 20_000,
    batch_size: Annotated[int, typer.Option(min=1, help="Signals per batch.")] = 1_000,
) -> None:
    """Measure classifier throughput (signals per CPU second, in batches) into a file."""
    config = BenchmarkConfig(signals=signals, batch_size=batch_size)
    texts = benchmark_texts(config.signals)
    results = [
        run_benchmark(load_default_classifier(), texts, config, "trained model"),
        run_benchmark(RuleBasedClassifier(), texts, config, "rule-based baseline"),
    ]
    write_results(output, results)
    for result in results:
        typer.echo(
            f"{result.classifier}: {result.best_signals_per_cpu_second:,.0f} signals per CPU "
            f"second ({result.signals} signals, batches of {result.batch_size})"
        )
    typer.echo(f"results written to {output}")

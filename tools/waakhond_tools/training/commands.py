"""Command functions of the classifier's tooling: train, evaluate and the model benchmark.

Plain functions with typer-compatible signatures, registered by ``waakhond_tools.cli``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from waakhond_classifier.model.artefact import LinearArtefact, packaged_artefact_path
from waakhond_classifier.model.base import ClassifierOutput
from waakhond_classifier.model.linear import LinearSignalClassifier
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
) -> None:
    """Train the signal classifier from the corpus, deterministically."""
    result = train(corpus)
    artefact = result.artefact
    report = _dev_report(result)
    typer.echo(format_report(report))
    thresholds = ", ".join(
        f"{c.value} {t:.2f}" for c, t in zip(artefact.categories, artefact.thresholds, strict=True)
    )
    typer.echo(f"thresholds: {thresholds}")
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


def evaluate_command(
    split: Annotated[
        Split, typer.Option(help="Split to evaluate on; 'test' is the held-out one.")
    ] = Split.TEST,
    corpus: Annotated[Path, typer.Option(help="Corpus folder.")] = DEFAULT_CORPUS_DIR,
    artefact: Annotated[
        Path | None,
        typer.Option(help="Model artefact to evaluate; default: the packaged one."),
    ] = None,
    ablation: Annotated[
        bool,
        typer.Option(
            "--ablation",
            help="Also retrain the model without each feature block and compare (slow).",
        ),
    ] = False,
) -> None:
    """Per-category precision, recall, F1, macro-F1 and review share: baseline and model."""
    records = load_split(split, corpus)
    model = (
        LinearSignalClassifier(LinearArtefact.load(artefact))
        if artefact is not None
        else load_default_classifier()
    )
    for name, classifier in (
        ("rule-based baseline (lexicon only)", RuleBasedClassifier()),
        ("trained model", model),
    ):
        report = evaluate(classifier, records, f"{name} on {split.value}")
        typer.echo(format_report(report))
        typer.echo("")
    if ablation:
        _ablation(corpus, split)


def _dev_report(result: TrainingResult) -> EvaluationReport:
    """Out-of-fold dev scores of a training run, as an evaluation report."""
    artefact = result.artefact
    outputs = [
        ClassifierOutput(
            labels=labels,
            scores={c: float(p) for c, p in zip(Category, row, strict=True)},
            needs_review=not labels,
        )
        for labels, row in zip(
            categories_from_probabilities(result.dev_probabilities, artefact.thresholds),
            result.dev_probabilities,
            strict=True,
        )
    ]
    return score_outputs(
        "dev split, out-of-fold (used for calibration and thresholds)",
        artefact.model_version,
        result.dev_records,
        outputs,
    )


def _ablation(corpus: Path, split: Split) -> None:
    records = load_split(split, corpus)
    typer.echo(
        f"{'variant':<32} {'dev macro-F1 (out-of-fold)':>26} {split.value + ' macro-F1':>15}"
    )
    for name, config in ABLATIONS.items():
        result = train(corpus, config)
        held_out = evaluate(LinearSignalClassifier(result.artefact), records, name)
        typer.echo(f"{name:<32} {_dev_report(result).macro_f1:>26.3f} {held_out.macro_f1:>15.3f}")


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

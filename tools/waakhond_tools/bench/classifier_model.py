"""Throughput benchmark: signals per second per core, in batches, written to a file.

Per core means CPU time of this (single-threaded) process, so the figure does
not depend on what else runs on the machine; wall-clock throughput is
recorded next to it. The signals are composed by the corpus generator with a
seed of their own (fresh texts, not the training split), so the benchmark
needs no corpus files and is the same on every run.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from waakhond_classifier.model.base import ClassifierInput, SignalClassifier
from waakhond_tools.training.corpus_generator import GeneratorConfig, generate

BENCH_SEED = 424242


@dataclass(frozen=True, slots=True)
class BenchmarkConfig:
    signals: int = 20_000
    batch_size: int = 1_000
    # Best of several passes: the first pass also fills the word caches, and a
    # shared machine adds noise that only ever slows a pass down.
    repeats: int = 3


@dataclass(frozen=True, slots=True)
class BenchmarkRun:
    cpu_seconds: float
    wall_seconds: float
    signals_per_cpu_second: float
    signals_per_wall_second: float


@dataclass(frozen=True, slots=True)
class BenchmarkResult:
    classifier: str
    model_version: str
    signals: int
    batch_size: int
    mean_text_chars: float
    runs: list[BenchmarkRun]
    best_signals_per_cpu_second: float
    machine: dict[str, str]


def benchmark_texts(count: int) -> list[str]:
    config = GeneratorConfig(seed=BENCH_SEED, size=count)
    return [record.text for record in generate(config)]


def run_benchmark(
    classifier: SignalClassifier,
    texts: Sequence[str],
    config: BenchmarkConfig,
    name: str,
) -> BenchmarkResult:
    items = [ClassifierInput(text=text) for text in texts]
    runs: list[BenchmarkRun] = []
    for _ in range(config.repeats):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for start in range(0, len(items), config.batch_size):
            classifier.classify_batch(items[start : start + config.batch_size])
        cpu = time.process_time() - cpu_start
        wall = time.perf_counter() - wall_start
        runs.append(
            BenchmarkRun(
                cpu_seconds=round(cpu, 4),
                wall_seconds=round(wall, 4),
                signals_per_cpu_second=round(len(items) / cpu, 1) if cpu else 0.0,
                signals_per_wall_second=round(len(items) / wall, 1) if wall else 0.0,
            )
        )
    return BenchmarkResult(
        classifier=name,
        model_version=classifier.version,
        signals=len(items),
        batch_size=config.batch_size,
        mean_text_chars=round(sum(len(t) for t in texts) / max(len(texts), 1), 1),
        runs=runs,
        best_signals_per_cpu_second=max(run.signals_per_cpu_second for run in runs),
        machine={
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": str(os.cpu_count()),
        },
    )


def write_results(path: Path, results: Sequence[BenchmarkResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"results": [asdict(result) for result in results]}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")

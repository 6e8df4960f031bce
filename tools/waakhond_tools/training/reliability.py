"""Reliability diagram of evaluation reports: does a score of 0.7 come true 70% of the time?"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on a server or in CI

import matplotlib.pyplot as plt

from waakhond_tools.training.evaluation import EvaluationReport


def write_reliability_diagram(reports: Sequence[EvaluationReport], path: Path) -> Path:
    """One line per report: mean score against observed frequency per bin, with the ECE."""
    figure, axis = plt.subplots(figsize=(6, 6), dpi=100)
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for report in reports:
        filled = [b for b in report.reliability if b.count]
        ece = f", ECE {report.ece:.3f}" if report.ece is not None else ""
        axis.plot(
            [b.mean_score for b in filled],
            [b.observed for b in filled],
            marker="o",
            label=f"{report.name} ({report.n_signals} signals{ece})",
        )
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.set_xlabel("calibrated score (mean per bin of 0.1)")
    axis.set_ylabel("share of those scores whose category is true")
    axis.set_title("Signal classifier: reliability per (signal, category) score")
    axis.legend(loc="upper left", fontsize="small")
    axis.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    # No timestamp in the PNG, so the same figures give the same file.
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
    return path

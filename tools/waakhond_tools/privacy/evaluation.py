"""Measure the redactor on an annotated set: recall and precision per kind,
over-redaction of ordinary words, and throughput.

The set is JSON Lines, one case per line::

    {"id": "bsn-dots-02", "text": "...", "pii": [{"kind": "bsn", "value": "123.456.782"}]}

Every occurrence of a listed value in the text is a planted detail. Kinds are
those the redactor redacts (``PiiKind``), those its second pass generalises
(``QuasiKind``: ``place``, ``street``, ``institution``), and ``rare_condition``:
a detail that must stay in the text and raise a privacy flag. Definitions:

* recall of a kind: planted details of that kind whose every letter and digit
  lies inside some finding (a detail redacted only in part counts as missed);
* typed recall: the same, and a finding covering it has the planted kind;
* precision of a kind: findings of that kind that overlap a planted detail;
* a generalisation (second pass) counts as a finding of its kind;
* a planted ``rare_condition`` is caught when the text gets a privacy flag and
  the condition is left in the text; a flagged text counts as one finding of
  that kind, true when the case plants a rare condition;
* over-redaction: words (``\\w+``) outside every planted detail that overlap a
  finding or a generalisation, divided by all words outside planted details;
  ordinary words kept is one minus that.

Kinds are read as strings, so a set may name a kind the redactor does not
detect yet (write the cases before the code): its details are then scored as
missed, and its report row is there from the first run.

Speed: texts per second over the set, and the median time per text of the demo
descriptions (what a typical signal looks like), each text timed on its own.

Run ``python -m waakhond_tools.privacy.evaluation OUTPUT.json [CASES.jsonl]``.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waakhond_intake.processing.privacy.findings import Finding, PiiKind
from waakhond_intake.processing.privacy.quasi_identifiers import QuasiKind
from waakhond_intake.processing.privacy.redactor import Redactor

if TYPE_CHECKING:
    # Only the live comparison reads the aggregator's figures; importing its metrics
    # registers them, which an evaluation of the redactor alone has no use for.
    from waakhond_aggregator.metrics import ReviewQuality

DEFAULT_CASES = Path("tests/intake/processing/privacy/data/pii_cases.jsonl")
_WORD = re.compile(r"\w+")
RARE_CONDITION = "rare_condition"


@dataclass(frozen=True, slots=True)
class Planted:
    # A string, not a PiiKind: a set written before the code names kinds the
    # redactor does not know yet. PiiKind is a StrEnum, so the two compare equal.
    kind: str
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    text: str
    planted: tuple[Planted, ...]


def load_cases(path: Path) -> list[Case]:
    """Read the set; every listed value must occur in its text."""
    cases = []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw = json.loads(line)
        text = raw["text"]
        planted: list[Planted] = []
        for item in raw.get("pii", []):
            kind, value = str(item["kind"]), item["value"]
            starts = [m.start() for m in re.finditer(re.escape(value), text)]
            if not starts:
                raise ValueError(f"{path}:{line_number}: {value!r} does not occur in the text")
            planted.extend(Planted(kind, value, s, s + len(value)) for s in starts)
        cases.append(Case(raw["id"], text, tuple(planted)))
    return cases


def concatenate(cases: Sequence[Case], max_chars: int = 1900) -> list[Case]:
    """Join consecutive cases into long texts (as long signals are), keeping the spans.

    Long texts go through deduce in overlapping windows; scoring them checks
    that nothing is lost at window edges.
    """
    joined: list[Case] = []
    group: list[Case] = []

    def flush() -> None:
        if not group:
            return
        parts: list[str] = []
        planted: list[Planted] = []
        offset = 0
        for case in group:
            planted.extend(
                Planted(p.kind, p.value, p.start + offset, p.end + offset) for p in case.planted
            )
            parts.append(case.text)
            offset += len(case.text) + 1
        joined.append(Case("+".join(c.id for c in group), " ".join(parts), tuple(planted)))
        group.clear()

    length = 0
    for case in cases:
        if group and length + 1 + len(case.text) > max_chars:
            flush()
            length = 0
        length += len(case.text) + (1 if group else 0)
        group.append(case)
    flush()
    return joined


@dataclass
class KindScore:
    planted: int = 0
    caught: int = 0
    caught_as_kind: int = 0
    findings: int = 0
    true_findings: int = 0

    @property
    def recall(self) -> float | None:
        return self.caught / self.planted if self.planted else None

    @property
    def typed_recall(self) -> float | None:
        return self.caught_as_kind / self.planted if self.planted else None

    @property
    def precision(self) -> float | None:
        return self.true_findings / self.findings if self.findings else None


@dataclass
class Report:
    cases: int = 0
    # Every kind the redactor knows, then any other kind the set names.
    per_kind: dict[str, KindScore] = field(
        default_factory=lambda: {
            str(kind): KindScore() for kind in (*PiiKind, *QuasiKind, RARE_CONDITION)
        }
    )
    ordinary_words: int = 0
    ordinary_words_removed: int = 0
    missed: list[dict[str, str]] = field(default_factory=list)
    false_positives: list[dict[str, str]] = field(default_factory=list)
    removed_words: list[str] = field(default_factory=list)
    throughput: dict[str, float] = field(default_factory=dict)

    @property
    def over_redaction(self) -> float:
        if not self.ordinary_words:
            return 0.0
        return self.ordinary_words_removed / self.ordinary_words

    @property
    def ordinary_words_kept(self) -> float:
        return 1.0 - self.over_redaction

    def as_dict(self) -> dict[str, Any]:
        kinds = {}
        for kind, score in self.per_kind.items():
            if score.planted or score.findings:
                kinds[kind] = {
                    **asdict(score),
                    "recall": score.recall,
                    "typed_recall": score.typed_recall,
                    "precision": score.precision,
                }
        return {
            "cases": self.cases,
            "per_kind": kinds,
            "ordinary_words": self.ordinary_words,
            "ordinary_words_removed": self.ordinary_words_removed,
            "over_redaction": self.over_redaction,
            "ordinary_words_kept": self.ordinary_words_kept,
            "throughput": self.throughput,
            "missed": self.missed,
            "false_positives": self.false_positives,
            "removed_words": self.removed_words,
        }

    def markdown_table(self) -> str:
        """Per-kind table as used in PRIVACY.md."""

        def pct(value: float | None) -> str:
            return "–" if value is None else f"{value:.1%}"

        rows = [
            "| kind | planted | recall | typed recall | findings | precision |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for kind, score in self.per_kind.items():
            if score.planted or score.findings:
                rows.append(
                    f"| {kind} | {score.planted} | {pct(score.recall)} "
                    f"| {pct(score.typed_recall)} | {score.findings} | {pct(score.precision)} |"
                )
        return "\n".join(rows)


@dataclass(frozen=True, slots=True)
class _Span:
    """A finding or a generalisation: what replaced a stretch of the text."""

    kind: str
    start: int
    end: int


def _covered(planted: Planted, text: str, findings: Sequence[_Span | Finding]) -> list[Any]:
    """The findings covering every alphanumeric character of planted; [] if any is bare."""
    covering: list[Any] = []
    for index in range(planted.start, planted.end):
        if not text[index].isalnum():
            continue
        holder = next((f for f in findings if f.start <= index < f.end), None)
        if holder is None:
            return []
        if holder not in covering:
            covering.append(holder)
    return covering


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def evaluate(redactor: Redactor, cases: Sequence[Case]) -> Report:
    """Score the redactor on the cases (no timing)."""
    report = Report(cases=len(cases))
    for case in cases:
        result = redactor.redact(case.text)
        findings = [_Span(str(f.kind), f.start, f.end) for f in result.findings]
        findings += [_Span(str(g.kind), g.start, g.end) for g in result.generalisations]
        findings.sort(key=lambda span: span.start)
        flagged = bool(result.privacy_flags)
        for planted in case.planted:
            score = report.per_kind.setdefault(planted.kind, KindScore())
            score.planted += 1
            if planted.kind == RARE_CONDITION:
                kept = not any(
                    _overlaps(f.start, f.end, planted.start, planted.end) for f in findings
                )
                if flagged and kept:
                    score.caught += 1
                    score.caught_as_kind += 1
                else:
                    report.missed.append(
                        {"case": case.id, "kind": planted.kind, "value": planted.value}
                    )
                continue
            covering = _covered(planted, case.text, findings)
            if covering:
                score.caught += 1
                if any(f.kind == planted.kind for f in covering):
                    score.caught_as_kind += 1
            else:
                report.missed.append(
                    {"case": case.id, "kind": planted.kind, "value": planted.value}
                )
        for finding in findings:
            score = report.per_kind[finding.kind]
            score.findings += 1
            if any(
                _overlaps(finding.start, finding.end, p.start, p.end)
                for p in case.planted
                if p.kind != RARE_CONDITION
            ):
                score.true_findings += 1
            else:
                report.false_positives.append(
                    {
                        "case": case.id,
                        "kind": finding.kind,
                        "text": case.text[finding.start : finding.end],
                    }
                )
        if flagged:
            score = report.per_kind[RARE_CONDITION]
            score.findings += 1
            if any(p.kind == RARE_CONDITION for p in case.planted):
                score.true_findings += 1
            else:
                report.false_positives.append(
                    {"case": case.id, "kind": RARE_CONDITION, "text": "(privacy flag)"}
                )
        for word in _WORD.finditer(case.text):
            if any(_overlaps(word.start(), word.end(), p.start, p.end) for p in case.planted):
                continue
            report.ordinary_words += 1
            if any(_overlaps(word.start(), word.end(), f.start, f.end) for f in findings):
                report.ordinary_words_removed += 1
                report.removed_words.append(f"{case.id}: {word.group()}")
    return report


def deduce_only_recall(redactor: Redactor, cases: Sequence[Case]) -> dict[str, float]:
    """Recall per kind of deduce's own annotations alone (as configured here).

    Shows what Waakhond's detectors add: the same definition of a caught
    detail, but only deduce's name, address, postcode, date, BSN, number,
    phone, e-mail and URL annotations count, without vetoes or title trimming.
    """
    kinds = {kind.value for kind in PiiKind}
    planted: dict[str, int] = {}
    caught: dict[str, int] = {}
    for case in cases:
        spans = [
            Finding(PiiKind(a.category.value), a.start, a.end)
            for a in redactor.engine.annotate(case.text)
            if a.category.value in kinds
        ]
        for item in case.planted:
            planted[item.kind] = planted.get(item.kind, 0) + 1
            if _covered(item, case.text, spans):
                caught[item.kind] = caught.get(item.kind, 0) + 1
    return {kind: caught.get(kind, 0) / count for kind, count in planted.items()}


def measure_throughput(
    redactor: Redactor, texts: Sequence[str], repeats: int = 3
) -> dict[str, float]:
    """Texts per second for the whole redactor and for deduce alone."""
    chars = sum(len(text) for text in texts)

    def rate(function: Any) -> float:
        started = time.perf_counter()
        for _ in range(repeats):
            for text in texts:
                function(text)
        return repeats * len(texts) / (time.perf_counter() - started)

    return {
        "texts": float(len(texts)),
        "mean_chars_per_text": chars / len(texts) if texts else 0.0,
        "redactor_texts_per_s": rate(redactor.redact),
        "deduce_only_texts_per_s": rate(redactor.engine.annotate),
    }


def per_text_microseconds(
    function: Callable[[str], object], texts: Sequence[str], repeats: int = 3
) -> dict[str, float]:
    """Median, 95th percentile and mean time per text, each text timed on its own.

    A text's time is its fastest of ``repeats`` runs, which removes most of the
    noise of a shared machine without hiding what the text itself costs.
    """
    if not texts:
        return {}
    best = [float("inf")] * len(texts)
    clock = time.perf_counter
    for _ in range(repeats):
        for index, text in enumerate(texts):
            started = clock()
            function(text)
            best[index] = min(best[index], clock() - started)
    micros = sorted(seconds * 1e6 for seconds in best)
    return {
        "texts": float(len(micros)),
        "median_us": statistics.median(micros),
        "p95_us": micros[min(len(micros) - 1, int(0.95 * len(micros)))],
        "mean_us": statistics.fmean(micros),
    }


def demo_descriptions(count: int = 3000, seed: int = 2025) -> list[str]:
    """The descriptions ``waakhond stack`` posts: typical signal texts (repeats included)."""
    from waakhond_tools.stack.demo import generate_signals

    return [str(body["description"]) for _, body in generate_signals(count, seed=seed)]


def _prefixed(prefix: str, values: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}{key}": value for key, value in values.items()}


def measure_redaction(
    output: Path,
    cases_path: Path = DEFAULT_CASES,
    redactor: Redactor | None = None,
    repeats: int = 3,
) -> Report:
    """Evaluate on the annotated set, time it, and write the report as JSON to output."""
    cases = load_cases(cases_path)
    started = time.perf_counter()
    redactor = redactor if redactor is not None else Redactor()
    init_seconds = time.perf_counter() - started
    report = evaluate(redactor, cases)
    long_cases = concatenate(cases)
    long_report = evaluate(redactor, long_cases)
    report.throughput = measure_throughput(redactor, [case.text for case in cases], repeats)
    report.throughput.update(
        _prefixed("long_", measure_throughput(redactor, [c.text for c in long_cases], repeats))
    )
    report.throughput["init_seconds"] = init_seconds
    report.throughput.update(
        _prefixed("demo_", per_text_microseconds(redactor.redact, demo_descriptions(), repeats))
    )
    report.throughput.update(
        _prefixed(
            "cases_", per_text_microseconds(redactor.redact, [c.text for c in cases], repeats)
        )
    )
    payload = report.as_dict()
    payload["deduce_only_recall"] = deduce_only_recall(redactor, cases)
    payload["long_texts"] = {
        "cases": long_report.cases,
        "missed": long_report.missed,
        "false_positives": long_report.false_positives,
        "over_redaction": long_report.over_redaction,
    }
    payload["cases_file"] = str(cases_path)
    payload["deduce_version"] = redactor.deduce_version
    payload["markdown"] = report.markdown_table()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


def side_by_side(report: Report, quality: ReviewQuality) -> str:
    """Recall per kind on the annotated set beside what reviewers found left in live texts:
    per kind, the reviewed signals with a detail of that kind left, and that share of all
    reviewed signals (the live miss rate)."""

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.2%}"

    live = dict(quality.misses_by_kind)
    reviewed = quality.reviewed_signals
    rows = [
        f"Live: {quality.signals_with_misses} of {reviewed} reviewed signals had identifying "
        f"details left ({pct(quality.signals_with_misses / reviewed if reviewed else None)}).",
        "",
        "| kind | planted | recall on the set | live: signals with a miss | live miss rate |",
        "|---|---:|---:|---:|---:|",
    ]
    kinds = [k for k, score in report.per_kind.items() if score.planted] + sorted(
        k for k in live if k not in report.per_kind
    )
    for kind in kinds:
        score = report.per_kind.get(kind)
        found = live.get(kind, 0)
        rows.append(
            f"| {kind} | {score.planted if score else 0} "
            f"| {pct(score.recall if score else None)} | {found} "
            f"| {pct(found / reviewed if reviewed else None)} |"
        )
    return "\n".join(rows)


def read_live_quality(data_dir: Path | None) -> ReviewQuality:
    """People's findings from the aggregator's ClickHouse (WAAKHOND_CLICKHOUSE_*), or from the
    embedded stack's chDB under ``data_dir``."""
    from waakhond_aggregator.storage.client import connect
    from waakhond_aggregator.storage.review import read_review_quality
    from waakhond_runtime.settings import ClickHouseSettings

    settings = ClickHouseSettings()
    if data_dir is not None:
        settings = ClickHouseSettings(
            dsn=f"chdb://{(data_dir / 'chdb').resolve()}", database=settings.database
        )
    return read_review_quality(connect(settings), settings.database)


USAGE = (
    "usage: python -m waakhond_tools.privacy.evaluation OUTPUT.json [CASES.jsonl] "
    "[--live | --live-data-dir DIR]"
)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    live = "--live" in args
    data_dir: Path | None = None
    if "--live" in args:
        args.remove("--live")
    if "--live-data-dir" in args:
        at = args.index("--live-data-dir")
        if at + 1 >= len(args):
            print(USAGE, file=sys.stderr)
            return 2
        data_dir = Path(args[at + 1])
        del args[at : at + 2]
        live = True
    if not 1 <= len(args) <= 2:
        print(USAGE, file=sys.stderr)
        return 2
    cases_path = Path(args[1]) if len(args) == 2 else DEFAULT_CASES
    report = measure_redaction(Path(args[0]), cases_path)
    print(report.markdown_table(), file=sys.stderr)
    if live:
        print("", file=sys.stderr)
        print(side_by_side(report, read_live_quality(data_dir)), file=sys.stderr)
    print(
        f"over-redaction: {report.over_redaction:.2%} "
        f"(ordinary words kept: {report.ordinary_words_kept:.2%})",
        file=sys.stderr,
    )
    written = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    print(f"recall of deduce alone: {written['deduce_only_recall']}", file=sys.stderr)
    print(f"throughput: {report.throughput}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

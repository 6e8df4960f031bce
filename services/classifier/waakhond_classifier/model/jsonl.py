"""The JSON Lines contract of ``waakhond classify``.

Input: UTF-8 JSON Lines, one object per line, with a string ``text`` (or,
when ``text`` is absent, ``description``, so a submission body can be piped
in as is). Optional: ``suggested_categories`` (category keys),
``law_domains``, ``life_domains``, ``target_groups`` (lists of strings).
Other fields are ignored.

Output: exactly one JSON line per input line, in input order.
- A classified line: ``labels``, ``scores``, ``needs_review``,
  ``model_version``, ``explanations`` and ``review_reason`` (null, or why the
  signal goes to review: empty, too_short, too_long, not_dutch,
  no_known_terms, no_confident_category).
- A malformed line (not UTF-8, not JSON, not an object, no string text,
  unknown category, a blank line): ``{"line": n, "error": code, "message": ...}``,
  and the same message on stderr. Processing continues with the next line;
  the command exits with status 1 if any line was malformed, 0 otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput, SignalClassifier
from waakhond_classifier.model.linear import LinearSignalClassifier
from waakhond_classifier.model.text import TextCheck, check_text
from waakhond_contract.vocabularies import Category


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "error": self.code, "message": self.message}


def _string_list(raw: dict[str, Any], key: str, line: int) -> tuple[str, ...] | LineError:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return LineError(line, "invalid_field", f"{key} must be a list of strings")
    return tuple(value)


def parse_line(raw_line: bytes, line: int) -> ClassifierInput | LineError:
    try:
        decoded = raw_line.decode("utf-8")
    except UnicodeDecodeError as error:
        return LineError(line, "invalid_encoding", f"not valid UTF-8 ({error.reason})")
    if not decoded.strip():
        return LineError(line, "blank_line", "blank line; expected a JSON object")
    try:
        raw = json.loads(decoded)
    except json.JSONDecodeError as error:
        return LineError(line, "invalid_json", f"invalid JSON: {error.msg} at column {error.colno}")
    if not isinstance(raw, dict):
        return LineError(line, "not_an_object", "expected a JSON object")
    text = raw.get("text", raw.get("description"))
    if not isinstance(text, str):
        return LineError(line, "missing_text", 'a string "text" field is required')
    fields: dict[str, tuple[str, ...]] = {}
    for key in ("suggested_categories", "law_domains", "life_domains", "target_groups"):
        parsed = _string_list(raw, key, line)
        if isinstance(parsed, LineError):
            return parsed
        fields[key] = parsed
    try:
        suggested = tuple(Category(value) for value in fields["suggested_categories"])
    except ValueError:
        known = ", ".join(c.value for c in Category)
        return LineError(line, "invalid_field", f"suggested_categories must be among: {known}")
    return ClassifierInput(
        text=text,
        suggested_categories=suggested,
        law_domains=fields["law_domains"],
        life_domains=fields["life_domains"],
        target_groups=fields["target_groups"],
    )


def review_reason(
    classifier: SignalClassifier, item: ClassifierInput, output: ClassifierOutput
) -> str | None:
    if not output.needs_review:
        return None
    check: TextCheck = (
        classifier.check(item.text)
        if isinstance(classifier, LinearSignalClassifier)
        else check_text(item.text)
    )
    if check.issue is not None:
        return check.issue.value
    return "no_confident_category"


def output_json(
    classifier: SignalClassifier, item: ClassifierInput, output: ClassifierOutput
) -> dict[str, Any]:
    return {
        "labels": [label.value for label in output.labels],
        "scores": {category.value: score for category, score in output.scores.items()},
        "needs_review": output.needs_review,
        "model_version": classifier.version,
        "explanations": {c.value: list(terms) for c, terms in output.explanations.items()},
        "review_reason": review_reason(classifier, item, output),
    }


def classify_stream(
    classifier: SignalClassifier,
    lines: Iterable[bytes],
    out: TextIO,
    err: TextIO,
    batch_size: int = 256,
) -> int:
    """Classify JSON Lines from ``lines`` to ``out``; returns the number of malformed lines."""
    errors = 0
    pending: list[ClassifierInput | LineError] = []

    def flush() -> None:
        items = [p for p in pending if isinstance(p, ClassifierInput)]
        outputs = iter(classifier.classify_batch(items))
        for entry in pending:
            if isinstance(entry, LineError):
                payload = entry.to_json()
            else:
                payload = output_json(classifier, entry, next(outputs))
            out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        out.flush()
        pending.clear()

    for number, raw_line in enumerate(lines, start=1):
        parsed = parse_line(raw_line.rstrip(b"\r\n"), number)
        if isinstance(parsed, LineError):
            errors += 1
            err.write(f"waakhond classify: line {number}: {parsed.message}\n")
        pending.append(parsed)
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    return errors

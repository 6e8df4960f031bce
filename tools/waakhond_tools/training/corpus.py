"""The labelled corpus: JSON Lines records, its splits and its manifest.

The corpus lives in the tooling (``tools/waakhond_tools/training/corpus``), not in the
classifier: it is needed to train and evaluate, never at run time. Each split is one
JSONL file; ``manifest.json`` records the corpus version and the SHA-256 of
every split, so a changed file without a new manifest is caught by a test and
a model can say exactly which corpus it was trained on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from waakhond_contract.vocabularies import Category

CATEGORY_ORDER: tuple[Category, ...] = tuple(Category)
MANIFEST_NAME = "manifest.json"


class Split(StrEnum):
    """The three files of the corpus.

    ``train`` is composed by the seeded generator, ``dev`` and ``test`` are
    written by hand; ``test`` is the held-out split and is only read by
    ``evaluate`` and the regression test. ``voices`` is a second frozen
    evaluation set, hand-written later in registers unlike the rest (terse
    notes, long case stories, questions, several laws, heavy abbreviation); it
    too is never trained on.
    """

    TRAIN = "train"
    DEV = "dev"
    TEST = "test"
    VOICES = "voices"


class Source(StrEnum):
    GENERATED = "generated"
    HANDWRITTEN = "handwritten"


@dataclass(frozen=True, slots=True)
class CorpusRecord:
    id: str
    text: str
    labels: tuple[Category, ...]
    source: Source

    def to_json(self) -> str:
        payload = {
            "id": self.id,
            "text": self.text,
            "labels": [label.value for label in self.labels],
            "source": self.source.value,
        }
        return json.dumps(payload, ensure_ascii=False)


class CorpusError(ValueError):
    """A corpus file that does not follow the record format."""


def default_corpus_dir() -> Path:
    """``corpus/`` beside this module: the labelled data ships with the tooling package."""
    return Path(__file__).resolve().parent / "corpus"


def split_path(corpus_dir: Path, split: Split) -> Path:
    return corpus_dir / f"{split.value}.jsonl"


def ordered_labels(labels: Iterable[Category]) -> tuple[Category, ...]:
    """Labels in the canonical order of ``Category``, without duplicates."""
    present = set(labels)
    return tuple(category for category in CATEGORY_ORDER if category in present)


def parse_record(raw: dict[str, Any], where: str) -> CorpusRecord:
    try:
        record_id = raw["id"]
        text = raw["text"]
        labels = raw["labels"]
        source = Source(raw["source"])
    except (KeyError, ValueError) as error:
        raise CorpusError(f"{where}: missing or invalid field ({error})") from None
    if not isinstance(record_id, str) or not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: id and text must be non-empty strings")
    if not isinstance(labels, list):
        raise CorpusError(f"{where}: labels must be a list")
    try:
        categories = [Category(label) for label in labels]
    except ValueError as error:
        raise CorpusError(f"{where}: {error}") from None
    if len(set(categories)) != len(categories):
        raise CorpusError(f"{where}: duplicate label")
    return CorpusRecord(id=record_id, text=text, labels=ordered_labels(categories), source=source)


def read_records(path: Path) -> list[CorpusRecord]:
    records: list[CorpusRecord] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(f"{where}: invalid JSON ({error.msg})") from None
            if not isinstance(raw, dict):
                raise CorpusError(f"{where}: a record must be a JSON object")
            records.append(parse_record(raw, where))
    ids = [record.id for record in records]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"{path.name}: duplicate record ids")
    return records


def write_records(path: Path, records: Sequence[CorpusRecord]) -> None:
    path.write_text("".join(record.to_json() + "\n" for record in records), encoding="utf-8")


def load_split(split: Split, corpus_dir: Path | None = None) -> list[CorpusRecord]:
    return read_records(split_path(corpus_dir or default_corpus_dir(), split))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class Manifest:
    version: str
    sha256: dict[Split, str]

    @classmethod
    def read(cls, corpus_dir: Path) -> Manifest:
        raw = json.loads((corpus_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        return cls(
            version=str(raw["version"]),
            sha256={Split(name): str(digest) for name, digest in raw["sha256"].items()},
        )

    def write(self, corpus_dir: Path) -> None:
        payload = {
            "version": self.version,
            "sha256": {split.value: self.sha256[split] for split in Split},
        }
        (corpus_dir / MANIFEST_NAME).write_text(
            json.dumps(payload, indent=2) + "\n", encoding="utf-8"
        )

    def mismatches(self, corpus_dir: Path) -> list[Split]:
        """Splits whose file differs from the digest in the manifest."""
        return [
            split
            for split in Split
            if file_sha256(split_path(corpus_dir, split)) != self.sha256.get(split)
        ]


def refresh_manifest(corpus_dir: Path, version: str) -> Manifest:
    """Record the current split files under ``version`` (bump it on any change)."""
    manifest = Manifest(
        version=version,
        sha256={split: file_sha256(split_path(corpus_dir, split)) for split in Split},
    )
    manifest.write(corpus_dir)
    return manifest


def corpus_digest(corpus_dir: Path, splits: Iterable[Split]) -> str:
    """One digest over the given split files, for model versions."""
    digest = hashlib.sha256()
    for split in splits:
        digest.update(split.value.encode())
        digest.update(split_path(corpus_dir, split).read_bytes())
    return digest.hexdigest()

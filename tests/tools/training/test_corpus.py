"""The labelled corpus: versioned, big and balanced enough, private, and leak-free."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import (
    CorpusError,
    CorpusRecord,
    Manifest,
    Source,
    Split,
    default_corpus_dir,
    file_sha256,
    load_split,
    read_records,
    split_path,
)
from waakhond_tools.training.corpus_generator import GeneratorConfig, generate

CORPUS = default_corpus_dir()


@pytest.fixture(scope="module")
def splits() -> dict[Split, list[CorpusRecord]]:
    return {split: load_split(split) for split in Split}


def test_manifest_matches_the_split_files() -> None:
    # A corpus change needs a new manifest (and with it a new model version).
    assert Manifest.read(CORPUS).mismatches(CORPUS) == []


def test_corpus_is_large_and_balanced_enough(splits: dict[Split, list[CorpusRecord]]) -> None:
    everything = [record for records in splits.values() for record in records]
    positives = Counter(label for record in everything for label in record.labels)
    assert len(everything) >= 800
    assert all(positives[category] >= 200 for category in Category)
    assert sum(len(record.labels) > 1 for record in everything) >= 100
    assert sum(not record.labels for record in everything) >= 50


def test_held_out_split_covers_every_category(splits: dict[Split, list[CorpusRecord]]) -> None:
    positives = Counter(label for record in splits[Split.TEST] for label in record.labels)
    assert all(positives[category] >= 60 for category in Category)


def test_sources_per_split(splits: dict[Split, list[CorpusRecord]]) -> None:
    assert {r.source for r in splits[Split.TRAIN]} == {Source.GENERATED}
    assert {r.source for r in splits[Split.DEV]} == {Source.HANDWRITTEN}
    assert {r.source for r in splits[Split.TEST]} == {Source.HANDWRITTEN}
    assert {r.source for r in splits[Split.VOICES]} == {Source.HANDWRITTEN}


# The second evaluation set was frozen before any model was trained with it in
# view; this digest is written here, not read from the manifest, so changing the
# file and the manifest together still fails.
VOICES_SHA256 = "ad7938db7dc99b9cfeca68685d60e3275dfe11d4253d27a3dfa266ffa9c64351"


def test_voices_set_is_frozen() -> None:
    assert file_sha256(split_path(CORPUS, Split.VOICES)) == VOICES_SHA256
    assert Manifest.read(CORPUS).sha256[Split.VOICES] == VOICES_SHA256


def test_voices_set_has_the_size_and_mix_of_real_signals(
    splits: dict[Split, list[CorpusRecord]],
) -> None:
    voices = splits[Split.VOICES]
    positives = Counter(label for record in voices for label in record.labels)
    assert len(voices) >= 150
    assert all(positives[category] >= 35 for category in Category)
    # About one signal in five carries two categories; some carry none.
    assert 0.15 <= sum(len(r.labels) > 1 for r in voices) / len(voices) <= 0.25
    assert sum(not r.labels for r in voices) >= 10


def test_ids_and_texts_are_unique_across_splits(splits: dict[Split, list[CorpusRecord]]) -> None:
    everything = [record for records in splits.values() for record in records]
    assert len({r.id for r in everything}) == len(everything)
    assert len({r.text.strip().lower() for r in everything}) == len(everything)


def test_generator_reproduces_the_training_split() -> None:
    generated = "".join(record.to_json() + "\n" for record in generate(GeneratorConfig()))
    assert generated == split_path(CORPUS, Split.TRAIN).read_text(encoding="utf-8")


def test_generator_depends_on_its_seed() -> None:
    first = [r.text for r in generate(GeneratorConfig(seed=1, size=50))]
    second = [r.text for r in generate(GeneratorConfig(seed=2, size=50))]
    assert first != second


HELD_OUT = (Split.TEST, Split.VOICES)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_held_out_text_shares_six_words_in_a_row_with_training_material(
    splits: dict[Split, list[CorpusRecord]],
) -> None:
    training = set().union(
        *(_shingles(r.text, 6) for split in (Split.TRAIN, Split.DEV) for r in splits[split])
    )
    leaks = {
        record.id: sorted(" ".join(s) for s in _shingles(record.text, 6) & training)
        for held_out in HELD_OUT
        for record in splits[held_out]
        if _shingles(record.text, 6) & training
    }
    assert leaks == {}


def test_no_held_out_text_is_a_near_duplicate_of_training_material(
    splits: dict[Split, list[CorpusRecord]],
) -> None:
    training = [_shingles(r.text, 3) for split in (Split.TRAIN, Split.DEV) for r in splits[split]]
    worst = 0.0
    for record in (r for held_out in HELD_OUT for r in splits[held_out]):
        mine = _shingles(record.text, 3)
        if not mine:
            continue
        for other in training:
            if other:
                worst = max(worst, len(mine & other) / len(mine | other))
    assert worst < 0.3


_PERSONAL_DATA = {
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", re.IGNORECASE),
    "phone": re.compile(r"\b0\d{1,3}[- ]?\d{6,8}\b|\+31"),
    "postcode": re.compile(r"\b\d{4} ?[A-Z]{2}\b"),
    "nine_digits": re.compile(r"\b\d{9}\b"),
    "iban": re.compile(r"\bNL\d{2}[A-Z]{4}\d{10}\b"),
    "date": re.compile(r"\b\d{1,2}[-/]\d{1,2}[-/]\d{2,4}\b"),
}


@pytest.mark.parametrize("kind", sorted(_PERSONAL_DATA))
def test_corpus_contains_no_personal_data(
    splits: dict[Split, list[CorpusRecord]], kind: str
) -> None:
    pattern = _PERSONAL_DATA[kind]
    hits = [r.id for records in splits.values() for r in records if pattern.search(r.text)]
    assert hits == []


def test_labelling_guide_and_separation_readme_exist() -> None:
    assert "## Combinations and borderlines" in (CORPUS / "LABELLING.md").read_text()
    assert "held-out" in (CORPUS / "README.md").read_text()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("not json", "invalid JSON", id="json"),
        pytest.param(
            '{"id": "x", "text": "t", "labels": ["nope"], "source": "generated"}',
            "nope",
            id="unknown-label",
        ),
        pytest.param(
            '{"id": "x", "text": "t", "labels": [], "source": "scraped"}',
            "missing or invalid",
            id="unknown-source",
        ),
        pytest.param(
            '{"id": "x", "text": " ", "labels": [], "source": "generated"}',
            "non-empty",
            id="blank-text",
        ),
        pytest.param("[1]", "JSON object", id="not-object"),
    ],
)
def test_read_records_rejects_malformed_lines(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        read_records(path)

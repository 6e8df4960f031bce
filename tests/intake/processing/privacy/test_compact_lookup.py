"""Compact tries answer every question exactly as deduce's own tries do."""

from __future__ import annotations

import gc
import importlib
import pickle
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from waakhond_intake.processing.privacy import deduce_adapter, shared_redactor, warmup
from waakhond_intake.processing.privacy.compact_lookup import (
    END,
    SEP,
    CompactLookupTrie,
    compact_lookup_structs,
    load_compact_cache,
    save_compact_cache,
)
from waakhond_intake.processing.privacy.deduce_adapter import (
    _CONFIG_OVERRIDES,
    _DISABLED_PROCESSORS,
    compact_cache_file,
    deduce_lookup_structs,
    import_deduce,
)
from waakhond_intake.processing.privacy.deduce_internals import deduce_with_lookup_structs
from waakhond_tools.privacy.evaluation import concatenate, load_cases
from waakhond_tools.stack.demo import generate_signals

dd: Any = importlib.import_module("docdeid")
CASES_FILE = Path(__file__).parent / "data" / "pii_cases.jsonl"


def _trie(items: list[list[str]], pipeline: list[Any] | None = None) -> Any:
    trie = dd.ds.LookupTrie(matching_pipeline=pipeline)
    for item in items:
        trie.add_item(item)
    return trie


SMALL_ITEMS = [
    ["Jan"],
    ["Jan", "de", "Vries"],
    ["Jan", "de", "Boer", "van", "Dijk"],
    ["Kerkstraat"],
    ["Van", "der", "Berg"],
    ["'s-Hertogenbosch"],
]
QUERIES = [
    pytest.param(["Jan"], 0, id="one-token entry"),
    pytest.param(["Jan", "de", "Vries", "belde"], 0, id="longest of two entries"),
    pytest.param(["Jan", "de", "Boer", "van"], 0, id="a node that ends nothing falls back"),
    pytest.param(["Jan", "de"], 0, id="inside an entry, none complete beyond"),
    pytest.param(["belde", "Jan", "de", "Vries"], 1, id="from a start index"),
    pytest.param(["belde", "Jan"], 5, id="start index past the end"),
    pytest.param(["jan"], 0, id="no pipeline: case matters"),
    pytest.param(["Van", "der"], 0, id="prefix only"),
    pytest.param([], 0, id="empty"),
    pytest.param(["Jan" + SEP + "de", "Vries"], 0, id="separator inside a query token"),
    pytest.param(["Jan", "de" + END], 0, id="end marker inside a query token"),
]


@pytest.mark.parametrize(("item", "start"), QUERIES)
def test_longest_matching_prefix_as_deduces_trie(item: list[str], start: int) -> None:
    original = _trie(SMALL_ITEMS)
    compact = CompactLookupTrie.of(original)
    assert compact.longest_matching_prefix(item, start_i=start) == (
        original.longest_matching_prefix(item, start_i=start)
    )
    assert (item in compact) == (item in original)


def test_a_matching_pipeline_applies_to_the_query() -> None:
    lowercase = dd.str.LowercaseString()
    original = _trie([["isala", "klinieken"], ["umc"]], [lowercase])
    compact = CompactLookupTrie.of(original)
    for item in (["Isala", "Klinieken", "Zwolle"], ["UMC"], ["isala"]):
        assert compact.longest_matching_prefix(item) == original.longest_matching_prefix(item)
    assert compact.longest_matching_prefix(["ISALA", "klinieken"]) == ["isala", "klinieken"]
    assert compact.matching_pipeline == [lowercase]


def test_nodes_and_children_as_deduces_trie() -> None:
    original = _trie(SMALL_ITEMS)
    compact = CompactLookupTrie.of(original)
    assert (
        set(compact.children)
        == set(original.children)
        == {
            "Jan",
            "Kerkstraat",
            "Van",
            "'s-Hertogenbosch",
        }
    )
    jan = compact.children["Jan"]
    assert jan.is_terminal
    assert set(jan.children) == {"de"}
    assert not jan.children["de"].is_terminal
    assert set(jan.children["de"].children) == {"Vries", "Boer"}
    assert "Piet" not in compact.children
    with pytest.raises(KeyError):
        compact.children["Piet"]
    assert len(compact) == len(SMALL_ITEMS)
    assert len(jan) == 3
    assert not compact.is_terminal


def test_read_only_and_separators_refused() -> None:
    compact = CompactLookupTrie.of(_trie(SMALL_ITEMS))
    with pytest.raises(TypeError, match="read-only"):
        compact.add_item(["Piet"])
    with pytest.raises(ValueError, match="separator"):
        CompactLookupTrie.of(_trie([["a" + SEP + "b"]]))


def test_pickles_to_an_equal_trie() -> None:
    original = _trie(SMALL_ITEMS, [dd.str.LowercaseString()])
    restored = pickle.loads(pickle.dumps(CompactLookupTrie.of(original)))
    assert isinstance(restored, dd.ds.LookupTrie)
    for query in (["JAN", "de", "Vries"], ["Kerkstraat"], ["van", "der", "Berg"], ["Piet"]):
        assert restored.longest_matching_prefix(query) == original.longest_matching_prefix(query)
    assert restored.longest_matching_prefix(["JAN", "de", "Vries"]) is not None


def test_cache_round_trip_and_stale_caches(tmp_path: Path) -> None:
    structs = compact_lookup_structs({"names": _trie(SMALL_ITEMS)})
    target = tmp_path / "cache" / "compact.pickle"
    save_compact_cache(structs, target)
    loaded = load_compact_cache(target)
    assert loaded is not None
    assert loaded["names"].longest_matching_prefix(["Jan", "de", "Vries"]) == ["Jan", "de", "Vries"]
    assert target.stat().st_mode & 0o044 == 0o044, "the service user must be able to read it"
    assert load_compact_cache(tmp_path / "absent.pickle") is None
    target.write_bytes(target.read_bytes()[:100])
    assert load_compact_cache(target) is None
    target.write_bytes(pickle.dumps({"built_from": {"format": -1}, "lookup_structs": structs}))
    assert load_compact_cache(target) is None


# --------------------------------------------------------------------------- deduce's lists


@pytest.fixture(scope="module")
def deduce_structs() -> Iterator[Any]:
    # deduce's full structures: about a gigabyte while this module runs.
    gc.disable()
    try:
        structs = deduce_lookup_structs()
    finally:
        gc.enable()
    yield structs
    del structs
    gc.collect()


@pytest.fixture(scope="module")
def compact_structs() -> Any:
    loaded = load_compact_cache(compact_cache_file())
    assert loaded is not None, "make venv's warm-up builds the compact cache"
    return loaded


def _sequences(trie: Any) -> Iterator[list[str]]:
    stack: list[tuple[Any, list[str]]] = [(trie, [])]
    while stack:
        node, path = stack.pop()
        if node.is_terminal:
            yield path
        stack.extend((child, [*path, head]) for head, child in node.children.items())


def _queries(sequences: list[list[str]], rng: random.Random) -> Iterator[list[str]]:
    words = [token for sequence in sequences[:2000] for token in sequence]
    for sequence in rng.sample(sequences, min(3000, len(sequences))):
        yield sequence
        yield [*sequence, rng.choice(words)]
        yield [*sequence[: max(1, len(sequence) - 1)], rng.choice(words)]
        yield [token.upper() for token in sequence]
        yield [rng.choice(words), *sequence]


TRIE_NAMES = [
    "first_name",
    "surname",
    "street",
    "placename",
    "hospital",
    "healthcare_institution",
    "eponymous_disease",
]


@pytest.mark.parametrize("name", TRIE_NAMES)
def test_compact_cache_answers_as_deduces_list(
    deduce_structs: Any, compact_structs: Any, name: str
) -> None:
    original, compact = deduce_structs[name], compact_structs[name]
    assert isinstance(compact, CompactLookupTrie)
    assert str(compact.matching_pipeline) == str(original.matching_pipeline)
    assert set(compact.children) == set(original.children)
    sequences = list(_sequences(original))
    assert len(compact) == len(sequences)
    rng = random.Random(name)
    differing = [
        (query, start)
        for query in _queries(sequences, rng)
        for start in (0, 1)
        if compact.longest_matching_prefix(query, start_i=start)
        != original.longest_matching_prefix(query, start_i=start)
    ]
    assert differing == []


def test_sets_are_deduces_own(deduce_structs: Any, compact_structs: Any) -> None:
    assert set(compact_structs) == set(deduce_structs)
    for name, struct in deduce_structs.items():
        if name not in TRIE_NAMES:
            assert type(compact_structs[name]) is type(struct)
            assert compact_structs[name].items() == struct.items()


def _texts() -> list[str]:
    cases = load_cases(CASES_FILE)
    generated = [body["description"] for _, body in generate_signals(300, seed=7)]
    return [case.text for case in cases] + [c.text for c in concatenate(cases)] + generated


def test_deduce_annotates_the_same_with_compact_tries(deduce_structs: Any) -> None:
    # deduce configured as intake configures it, once with its own tries (the reference)
    # and once with the compact ones intake runs with.
    own = deduce_with_lookup_structs(import_deduce(), _CONFIG_OVERRIDES, deduce_structs)
    engine = shared_redactor().engine
    assert isinstance(engine._deduce.lookup_structs["surname"], CompactLookupTrie)
    differing = []
    for text in _texts():
        document = dd.Document(text, tokenizers=own.tokenizers)
        own.processors.process(document, disabled=_DISABLED_PROCESSORS)
        expected = sorted((a.tag, a.start_char, a.end_char) for a in document.annotations)
        found = sorted((a.tag, a.start_char, a.end_char) for a in engine._annotate_window(text))
        if found != expected:
            differing.append(text)
    assert differing == []


def test_deduce_built_with_given_structures_is_configured_as_deduce_builds_itself(
    deduce_structs: Any,
) -> None:
    deduce = import_deduce()
    own = deduce.Deduce(config=_CONFIG_OVERRIDES)
    built = deduce_with_lookup_structs(deduce, _CONFIG_OVERRIDES, deduce_structs)
    # deduce's loader writes the lookup structures into the config it was given, so the
    # two configs are compared without them.
    assert _without_lookups(built.config) == _without_lookups(own.config)
    assert built.processors.get_names(recursive=True) == own.processors.get_names(recursive=True)
    assert built.tokenizers.keys() == own.tokenizers.keys()
    assert built.lookup_data_path == own.lookup_data_path
    assert built.lookup_structs is deduce_structs


def _without_lookups(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_lookups(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_lookups(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return type(value).__name__


def test_without_the_compact_cache_intake_converts_deduces_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(deduce_adapter, "compact_cache_file", lambda: tmp_path / "absent.pickle")
    structs = deduce_adapter.load_lookup_structs()
    assert isinstance(structs["street"], CompactLookupTrie)
    assert "warmup" in caplog.text


def test_warmup_builds_a_compact_cache_that_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "cache" / "compact.pickle"
    monkeypatch.setattr(warmup, "compact_cache_file", lambda: target)
    assert warmup.build_compact_cache() is True
    loaded = load_compact_cache(target)
    assert loaded is not None
    assert loaded["surname"].longest_matching_prefix(["Jansen"]) == ["Jansen"]
    assert warmup.build_compact_cache() is False, "a valid cache is kept"

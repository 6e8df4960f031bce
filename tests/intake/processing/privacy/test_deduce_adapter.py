"""deduce's prescreen: skipping the pipeline must never change what deduce finds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waakhond_intake.processing.privacy import Redactor, shared_redactor
from waakhond_intake.processing.privacy.deduce_adapter import (
    _DISABLED_PROCESSORS,
    Annotation,
    DeduceEngine,
    Prescreen,
    needs_a_digit,
    seed_finds,
)
from waakhond_intake.processing.privacy.deduce_internals import leaf_processors
from waakhond_tools.privacy.evaluation import concatenate, load_cases
from waakhond_tools.stack.demo import CONTEXT, SITUATIONS, generate_signals

CASES_FILE = Path(__file__).parent / "data" / "pii_cases.jsonl"


@pytest.fixture(scope="module")
def engine() -> DeduceEngine:
    return shared_redactor().engine


def _adversarial_texts() -> list[str]:
    cases = load_cases(CASES_FILE)
    return [case.text for case in cases] + [case.text for case in concatenate(cases)]


def _demo_texts() -> list[str]:
    generated = {body["description"] for _, body in generate_signals(3000, seed=2025)}
    parts = {text for texts in SITUATIONS.values() for text in texts} | set(CONTEXT)
    return sorted(generated | {part for part in parts if part})


def _key(annotations: list[Annotation]) -> list[tuple[str, int, int]]:
    return sorted((str(a.category), a.start, a.end) for a in annotations)


@pytest.mark.parametrize(
    "texts", [_adversarial_texts(), _demo_texts()], ids=["adversarial", "demo"]
)
def test_prescreen_gives_the_same_annotations_as_the_full_pipeline(
    engine: DeduceEngine, texts: list[str]
) -> None:
    differing = [
        text
        for text in texts
        if _key(engine.annotate(text)) != _key(engine.annotate(text, prescreen=False))
    ]
    assert differing == []


@pytest.mark.parametrize(
    "text",
    [
        "Mevrouw Jansen woont aan de Kerkstraat 12 in Utrecht.",
        "Dhr. P. de Vries kreeg geen beschikking.",
        "Haar zoon Kevin Bakker belde op 3 april 2024.",
        "Bel 06-12345678 of mail naar jan@example.nl.",
        "Opgenomen in het Antonius Ziekenhuis.",
    ],
)
def test_prescreen_runs_deduce_on_texts_with_details(engine: DeduceEngine, text: str) -> None:
    assert engine.may_annotate(text)
    assert engine.annotate(text) == engine.annotate(text, prescreen=False)


def test_prescreen_skips_most_plain_signal_texts(engine: DeduceEngine) -> None:
    texts = _demo_texts()
    skipped = [text for text in texts if not engine.may_annotate(text)]
    # The fast path must actually be taken, or the comparison above proves nothing.
    assert len(skipped) > 0.8 * len(texts)
    # A street name alone ("Signaal", "Wachtlijst") is removed again by deduce.
    assert not engine.may_annotate("Signaal besproken in het teamoverleg.")


def test_redact_many_equals_redact_per_text(engine: DeduceEngine) -> None:
    redactor = Redactor(engine)
    texts = [*_adversarial_texts()[:20], "Cliënt woont alleen.", "Cliënt woont alleen."]
    assert redactor.redact_many(texts) == [redactor.redact(text) for text in texts]


# Texts around the tokenizer's merged terms ("van der", titles), runs of
# spaces, tabs and newlines, and the regular expressions' edges.
TRICKY_TEXTS = [
    "Mevrouw van der Berg belde.",
    "dhr. de Vries en Mw. Van Den Broek",
    "Ir. Jansen, Drs. P.J. ter Horst en prof dr Bakker",
    "mijnheer De Boer    woont\tin\nDen Haag",
    "V.d. Berg op de Dorpsstraat 3a",
    "Postbus 1234 te Utrecht, 3511 AB",
    "geboren 01-02-1990, bsn 123456782, tel 06-12345678",
    "Zie www.example.nl of mail a.b@example.com",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def prescreen(engine: DeduceEngine) -> Prescreen:
    screen = engine._prescreen
    assert screen is not None, "deduce's processors are no longer all understood"
    return screen


def _all_texts() -> list[str]:
    return [*_adversarial_texts(), *_demo_texts(), *TRICKY_TEXTS]


def test_token_texts_are_the_texts_of_deduces_tokens(
    engine: DeduceEngine, prescreen: Prescreen
) -> None:
    tokenizer = engine._deduce.tokenizers["default"]
    differing = [
        text
        for text in _all_texts()
        if prescreen.token_texts(text).tokens != [t.text for t in tokenizer.tokenize(text)]
    ]
    assert differing == []


def _seeds(engine: DeduceEngine) -> list[tuple[str, Any]]:
    return [
        (name, processor)
        for name, processor in leaf_processors(engine._deduce.processors, _DISABLED_PROCESSORS)
        if seed_finds(processor) is not None
    ]


# Their check digit or digit count drops some matches of their expression.
OVER_APPROXIMATED = {"bsn", "phone"}


def test_each_seed_check_agrees_with_its_annotator(
    engine: DeduceEngine, prescreen: Prescreen
) -> None:
    document_class = engine._document_class
    seeds = _seeds(engine)
    # Lookups, token patterns and regular expressions are all checked here.
    assert {"first_name_lookup", "interfix_with_name", "street_pattern", "postal_code", "bsn"} <= {
        name for name, _ in seeds
    }
    missed: list[tuple[str, str]] = []
    over: list[tuple[str, str]] = []
    for text in _all_texts():
        texts = prescreen.token_texts(text)
        for name, processor in seeds:
            finds = seed_finds(processor)
            assert finds is not None
            found = bool(
                processor.annotate(document_class(text, tokenizers=engine._deduce.tokenizers))
            )
            claimed = finds(texts)
            if found and not claimed:
                missed.append((name, text))
            elif claimed and not found and name not in OVER_APPROXIMATED:
                over.append((name, text))
    # A miss would let deduce's pipeline be skipped where it finds something.
    assert missed == []
    assert over == []


@pytest.mark.parametrize(
    ("pattern", "needs_digit"),
    [
        (r"\d{7,}", True),
        (r"[Pp]ostbus\s\d{1,5}", True),
        (r"(?<!\d)(\d{9})(?!\d)", True),
        (r"([1-9]|0[1-9])-x", True),
        (r"(19|20)\d{2}", True),
        (r"[0-9]+", True),
        (r"(?P<n>7)(?P=n)", True),
        (r"\d*abc", False),
        (r"\d?x", False),
        (r"(?<!\d)abc", False),
        (r"(?=\d)\w", False),
        (r"a|\d", False),
        (r"[0-9a]", False),
        (r"[^a-z]", False),
        (r"\w+@\w+", False),
        (r"", False),
    ],
    ids=[
        "repeat-at-least-7",
        "after-literal",
        "between-lookarounds",
        "every-branch",
        "group-then-digits",
        "ascii-range",
        "backreference",
        "optional-repeat",
        "optional",
        "lookbehind-only",
        "lookahead-only",
        "one-branch-without",
        "class-with-letter",
        "negated-class",
        "email-like",
        "empty",
    ],
)
def test_needs_a_digit(pattern: str, needs_digit: bool) -> None:
    assert needs_a_digit(re.compile(pattern)) is needs_digit


# Words from deduce's lists and patterns, joined at random: names behind
# titles and interfixes, streets with and without numbers, places,
# institutions, dates and numbers.
_VOCABULARY = [
    "Jan",
    "Jansen",
    "de",
    "van",
    "der",
    "Van",
    "Den",
    "ter",
    "Horst",
    "Dhr.",
    "Mevrouw",
    "mijnheer",
    "P.",
    "J.",
    "dr",
    "Kerkstraat",
    "Dorpsstraat",
    "Wachtlijst",
    "Signaal",
    "12",
    "3a",
    "Utrecht",
    "Den Haag",
    "Antonius",
    "Ziekenhuis",
    "ziekenhuis",
    "Parkinson",
    "3511",
    "AB",
    "postbus",
    "1-2-1990",
    "3 april 2024",
    "123456782",
    "06-12345678",
    "a@b.nl",
    "www.example.nl",
    "cliënt",
    "gemeente",
    "wacht",
    "al",
    "maanden",
    ",",
    ".",
    "\n",
    "El",
    "Mohamed",
    "Kevin",
    "Bakker",
    "het",
    "bij",
    "in",
    "op",
]


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=12))
def test_prescreen_never_skips_a_text_deduce_annotates(
    engine: DeduceEngine, words: list[str]
) -> None:
    text = " ".join(words)
    assert _key(engine.annotate(text)) == _key(engine.annotate(text, prescreen=False))

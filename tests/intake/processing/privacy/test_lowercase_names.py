"""Names in lower case after a title or family role, with deduce's name lists and without."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from waakhond_intake.processing.privacy import shared_redactor
from waakhond_intake.processing.privacy.lowercase_names import (
    ORDINARY_WORDS,
    SURNAMES_AFTER_PARTICLE,
    DeduceNameLexicon,
    NameLexicon,
    NoNameLexicon,
    find_lowercase_names,
)
from waakhond_tools.privacy.evaluation import demo_descriptions

CORPUS = Path(__file__).parents[4] / "tools" / "waakhond_tools" / "training" / "corpus"


class ListLexicon:
    """A lexicon of a few names, to test the rules apart from deduce's lists."""

    first_names = frozenset({"jan", "kevin", "sanne", "wil"})
    surnames = frozenset({"jansen", "bakker", "boer", "mulder", "buren", "pas"})
    after_particle = surnames | {"vries", "jong"}

    def is_first_name(self, word: str) -> bool:
        return word in self.first_names

    def is_surname(self, word: str) -> bool:
        return word in self.surnames

    def is_surname_after_particle(self, word: str) -> bool:
        return word in self.after_particle

    def is_common_word(self, word: str) -> bool:
        return word == "wil"


def names(text: str, lexicon: NameLexicon) -> list[str]:
    return [text[f.start : f.end] for f in find_lowercase_names(text, lexicon)]


@pytest.fixture(scope="module")
def deduce_lexicon() -> NameLexicon:
    lookup_structs = shared_redactor().engine._deduce.lookup_structs
    return DeduceNameLexicon(lookup_structs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("gesprek met mevrouw jansen over", ["jansen"], id="formal-surname"),
        pytest.param("meneer de vries wacht", ["de vries"], id="formal-particle"),
        pytest.param("dhr. bakker zegt", ["bakker"], id="abbreviated-title"),
        pytest.param("Mw.bakker zegt", ["bakker"], id="title-without-space"),
        pytest.param("bij meneer jan de boer", ["jan de boer"], id="first-name-and-surname"),
        pytest.param("Dhr. mulder-de jong heeft", ["mulder-de jong"], id="double-barrelled"),
        pytest.param("MEVROUW jansen belde", ["jansen"], id="title-in-capitals"),
        pytest.param("haar zoon kevin heeft", ["kevin"], id="family-first-name"),
        pytest.param("buurman bakker doet", ["bakker"], id="family-surname"),
        pytest.param("zoon kevin de boer", ["kevin de boer"], id="family-full-name"),
        pytest.param("mevrouw belde", [], id="formal-verb"),
        pytest.param("mevrouw pas later", [], id="ordinary-word-in-surname-list"),
        pytest.param("zoon wil niet", [], id="common-word-in-first-names"),
        pytest.param("de dochter van de buren", [], id="family-role-then-van"),
        pytest.param("meneer de burgemeester", [], id="title-then-role-noun"),
        pytest.param("mevrouw van boven", [], id="title-then-adverb"),
        pytest.param("Mevrouw Jansen belde", [], id="capitalised-is-deduces"),
        pytest.param("schoonzoon bakker", ["bakker"], id="longer-role-word"),
        pytest.param("mevrouwjansen", [], id="no-separator"),
        pytest.param("mevrouw jansen bakker", ["jansen"], id="surname-then-space"),
    ],
)
def test_rules(text: str, expected: list[str]) -> None:
    assert names(text, ListLexicon()) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Het gesprek met mevrouw jansen ging", ["jansen"], id="jansen"),
        pytest.param("meneer de vries wacht al", ["de vries"], id="de-vries"),
        pytest.param("Bij mevr. van dijk is", ["van dijk"], id="van-dijk"),
        pytest.param("Mw. visser kan de", ["visser"], id="visser"),
        pytest.param("De buurman henk doet", ["henk"], id="henk"),
        pytest.param("Buurvrouw ria belt", ["ria"], id="ria"),
        pytest.param("dochter sanne is mantelzorger", ["sanne"], id="sanne"),
        pytest.param("Dhr. mulder-de jong heeft NAH", ["mulder-de jong"], id="mulder-de-jong"),
        pytest.param("mevrouw groen kreeg", ["groen"], id="surname-that-is-a-colour"),
        pytest.param("mevrouw belde drie keer", [], id="belde"),
        pytest.param("de buurman helpt met de post", [], id="helpt"),
        pytest.param("de zoon woont in het buitenland", [], id="woont"),
        pytest.param("betreft meneer met ernstige angstklachten", [], id="met"),
        pytest.param("de dochter van de buren doet", [], id="van-de-buren"),
        pytest.param("Meneer de wethouder beloofde", [], id="wethouder"),
        pytest.param("mevrouw de burgemeester kwam", [], id="burgemeester"),
        pytest.param("Als moeder ben ik mantelzorger", [], id="ben"),
        pytest.param("de vrouw wil geen hulp", [], id="wil"),
        pytest.param("maar dochter pas gaat studeren", [], id="pas"),
        pytest.param("mevrouw groot verdriet", [], id="groot"),
        pytest.param("mevrouw oud en alleen", [], id="oud"),
        pytest.param("meneer van boven helpt", [], id="van-boven"),
        pytest.param("Bij mevrouw kowalska", [], id="not-in-deduces-lists"),
    ],
)
def test_with_deduces_lists(deduce_lexicon: NameLexicon, text: str, expected: list[str]) -> None:
    assert names(text, deduce_lexicon) == expected


def test_no_false_names_in_the_corpora(deduce_lexicon: NameLexicon) -> None:
    # Thousands of ordinary signal texts ("betreft mevrouw met ...", "de zoon
    # woont ..."): none holds a lower-case name.
    texts = [
        json.loads(line)["text"]
        for path in sorted(CORPUS.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += demo_descriptions()
    assert len(texts) > 4000
    assert [t for t in texts if find_lowercase_names(t, deduce_lexicon)] == []


def test_word_lists_are_lower_case_and_exemptions_are_ordinary_words() -> None:
    assert all(word == word.lower() for word in ORDINARY_WORDS)
    assert SURNAMES_AFTER_PARTICLE <= ORDINARY_WORDS


def test_without_name_lists_nothing_is_found() -> None:
    assert names("mevrouw jansen en zoon kevin", NoNameLexicon()) == []

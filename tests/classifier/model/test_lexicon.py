"""The domain lexicon and its fast matcher."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waakhond_classifier.model.features import analyse
from waakhond_classifier.model.lexicon import LEXICON, LexiconMatcher, lexicon_digest, matches
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import Split, load_split

MATCHER = LexiconMatcher()


def _names(normalised: str, words: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    slow = [entry.feature for entry in matches(normalised)]
    fast = [entry.feature for entry in MATCHER.matches(normalised, words)]
    return slow, fast


def test_matcher_agrees_with_plain_regexes_on_the_whole_corpus() -> None:
    texts = [record.text for split in Split for record in load_split(split)]
    disagreements = []
    for text in texts:
        analysed = analyse(text)
        slow, fast = _names(analysed.normalised, analysed.words)
        if slow != fast:
            disagreements.append((text, slow, fast))
    assert disagreements == []


# Words that occur in patterns or anchors, plus fillers, so random texts hit
# the lexicon often and in odd combinations.
_VOCABULARY = sorted(
    {part for entry in LEXICON for anchor in entry.anchors for part in anchor.split()}
    | {"de", "het", "geen", "niet", "nog", "is", "op", "tussen", "en", "wmo", "wlz", "18", "+"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=25))
def test_matcher_agrees_with_plain_regexes_on_random_texts(words: list[str]) -> None:
    analysed = analyse(" ".join(words))
    slow, fast = _names(analysed.normalised, analysed.words)
    assert fast == slow


@pytest.mark.parametrize(
    ("text", "category", "name"),
    [
        pytest.param(
            "Hij valt tussen wal en schip.", Category.POLICY_GAP, "wal en schip", id="wal"
        ),
        pytest.param("de knip tussen Wmo en Wlz", Category.POLICY_GAP, "knip", id="knip"),
        pytest.param("budgetplafond bereikt", Category.POLICY_GAP, "plafond", id="plafond"),
        pytest.param(
            "al 4 mnd op de wachtlijst", Category.NO_SUITABLE_CARE, "wachtlijst", id="wacht"
        ),
        pytest.param("cliëntenstop overal", Category.NO_SUITABLE_CARE, "stop", id="stop"),
        pytest.param("heeft geen DigiD", Category.UNREACHABLE_GROUPS, "digitaal", id="digid"),
        pytest.param("statushouders in de wijk", Category.UNREACHABLE_GROUPS, "migrant", id="sh"),
        pytest.param("nog geen beschikking", Category.MISSED_RIGHTS, "geen besluit", id="besch"),
        pytest.param("bezwaar gemaakt", Category.MISSED_RIGHTS, "bezwaar", id="bezwaar"),
    ],
)
def test_typical_phrases_hit_their_category(text: str, category: Category, name: str) -> None:
    analysed = analyse(text)
    found = {(e.category, e.name) for e in MATCHER.matches(analysed.normalised, analysed.words)}
    assert (category, name) in found


def test_neutral_text_hits_nothing() -> None:
    analysed = analyse("Afspraak verzet op verzoek van mevrouw.")
    assert MATCHER.matches(analysed.normalised, analysed.words) == []


def test_every_entry_has_anchors_and_a_unique_feature_name() -> None:
    assert all(entry.anchors for entry in LEXICON)
    features = [entry.feature for entry in LEXICON]
    assert len(set(features)) == len(features)


def test_every_category_has_lexicon_entries() -> None:
    assert {entry.category for entry in LEXICON} == set(Category)


def test_lexicon_digest_is_stable_hex() -> None:
    assert lexicon_digest() == lexicon_digest()
    assert len(lexicon_digest()) == 64

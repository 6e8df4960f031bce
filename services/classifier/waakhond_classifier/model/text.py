"""Text handling shared by every classifier: normalising, tokens, stems, input checks.

Supporters write fast: "clt", "bgl", "HH", missing accents, typos. Folding
accents and expanding the common abbreviations before anything else lets
"cliënt", "client" and "clt" become one token, so the model does not have to
learn each spelling separately from a few hundred examples.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from waakhond_contract.messages import DESCRIPTION_MAX_CHARS, DESCRIPTION_MIN_CHARS

TOKEN_RE = re.compile(r"[a-z0-9]+")
# For ASCII text: every byte that cannot be part of a token becomes a space.
_TOKEN_BYTES = bytes(b if TOKEN_RE.fullmatch(chr(b)) else ord(" ") for b in range(256))

# Abbreviations as supporters write them, after lower-casing and accent folding.
ABBREVIATIONS: dict[str, str] = {
    "clt": "client",
    "clte": "client",
    "mw": "mevrouw",
    "mevr": "mevrouw",
    "dhr": "meneer",
    "bgl": "begeleiding",
    "hh": "huishoudelijke hulp",
    "hbh": "huishoudelijke hulp",
    "mnd": "maanden",
    "mnden": "maanden",
    "mndn": "maanden",
    "wkn": "weken",
    "wk": "week",
    "ind": "indicatie",
    "besch": "beschikking",
    "gem": "gemeente",
    "ivm": "in verband met",
    "ong": "ongeveer",
    "pw": "per week",
    "bw": "beschermd wonen",
    "oco": "onafhankelijke clientondersteuning",
    "ggz": "ggz",
    "lvb": "lvb",
    "nah": "nah",
    "jr": "jaar",
    "jrs": "jaar",
    "ipv": "in plaats van",
    "nav": "naar aanleiding van",
    "oa": "onder andere",
    "tzt": "te zijner tijd",
    "zsm": "zo snel mogelijk",
}

# Only in capitals: "zin" is also an everyday word ("dat heeft geen zin").
_CASED_ABBREVIATION_RE = re.compile(r"\bZIN\b")

_ABBREVIATION_RE = re.compile(
    r"\b(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b"
)


def fold(text: str) -> str:
    """Lower-case ASCII: diacritics stripped (ë -> e), other scripts dropped.

    Tokens are ASCII letters and digits anyway; whether a text is in another
    script is judged on the raw text (``check_text``), not on this.
    """
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")


_ABBREVIATION_KEYS = frozenset(ABBREVIATIONS)


def normalise(text: str) -> str:
    """Folded text with supporters' abbreviations written out."""
    return normalise_with_tokens(text)[0]


def normalise_with_tokens(text: str) -> tuple[str, list[str]]:
    """``normalise(text)`` and its tokens, sharing the work."""
    if "ZIN" in text:
        text = _CASED_ABBREVIATION_RE.sub("zorg in natura", text)
    folded = fold(text).replace("p/w", "pw").replace("i.v.m.", "ivm")
    found = _ascii_tokens(folded)
    # Most texts have no abbreviation; a set test on the tokens says so without
    # running the substitution's regex over the whole text.
    if _ABBREVIATION_KEYS.isdisjoint(found):
        return folded, found
    expanded = _ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS[m.group(1)], folded)
    return expanded, _ascii_tokens(expanded)


def _ascii_tokens(ascii_text: str) -> list[str]:
    """``tokens(ascii_text)`` for a folded, so pure ASCII, text.

    Translating bytes and splitting run in C without the regex engine's
    per-match work; a property test holds the two to the same tokens.
    """
    return ascii_text.encode("ascii").translate(_TOKEN_BYTES).decode("ascii").split()


def tokens(normalised: str) -> list[str]:
    return TOKEN_RE.findall(normalised)


# --- Dutch Snowball stemmer -------------------------------------------------
# A compact implementation of the Snowball Dutch algorithm (Porter's design),
# applied to folded words. It does not need to be byte-identical to other
# implementations; it needs to be deterministic and to group inflections.

_VOWELS = frozenset("aeiouy")


def _regions(word: str) -> tuple[int, int]:
    def after_vc(start: int) -> int:
        for i in range(start + 1, len(word)):
            if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
                return i + 1
        return len(word)

    r1 = max(after_vc(0), 3)
    return r1, after_vc(r1)


def _undouble(word: str) -> str:
    return word[:-1] if word.endswith(("kk", "dd", "tt")) else word


def _en_ending(word: str, suffix_len: int, r1: int) -> str | None:
    stem = word[:-suffix_len]
    if len(stem) >= r1 and stem and stem[-1] not in _VOWELS and not stem.endswith("gem"):
        return _undouble(stem)
    return None


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Dutch stem of a folded, lower-case word."""
    if len(word) < 4 or not word.isalpha():
        return word
    r1, r2 = _regions(word)
    # Step 1: plural and genitive endings.
    if word.endswith("heden"):
        if len(word) - 5 >= r1:
            word = word[:-5] + "heid"
    elif word.endswith("ene") or word.endswith("en"):
        suffix_len = 3 if word.endswith("ene") else 2
        shortened = _en_ending(word, suffix_len, r1)
        if shortened is not None:
            word = shortened
    elif word.endswith("se") or word.endswith("s"):
        suffix_len = 2 if word.endswith("se") else 1
        before = word[:-suffix_len]
        if len(before) >= r1 and before and before[-1] not in _VOWELS and before[-1] != "j":
            word = before
    # Step 2: a final e.
    e_found = False
    if word.endswith("e") and len(word) - 1 >= r1 and len(word) > 1 and word[-2] not in _VOWELS:
        word = _undouble(word[:-1])
        e_found = True
    # Step 3a: heid.
    if word.endswith("heid") and len(word) - 4 >= r2 and not word[:-4].endswith("c"):
        word = word[:-4]
        if word.endswith("en") and len(word) - 2 >= r1:
            shortened = _en_ending(word, 2, r1)
            if shortened is not None:
                word = shortened
    # Step 3b: derivational suffixes.
    for suffix in ("end", "ing"):
        if word.endswith(suffix):
            if len(word) - 3 >= r2:
                word = word[:-3]
                if word.endswith("ig") and len(word) - 2 >= r2 and not word[:-2].endswith("e"):
                    word = word[:-2]
                else:
                    word = _undouble(word)
            break
    else:
        if word.endswith("lijk"):
            if len(word) - 4 >= r2:
                word = word[:-4]
                if word.endswith("e") and len(word) - 1 >= r1 and word[-2:-1] not in _VOWELS:
                    word = _undouble(word[:-1])
        elif word.endswith("baar"):
            if len(word) - 4 >= r2:
                word = word[:-4]
        elif word.endswith("bar"):
            if len(word) - 3 >= r2 and e_found:
                word = word[:-3]
        elif word.endswith("ig") and len(word) - 2 >= r2 and not word[:-2].endswith("e"):
            word = word[:-2]
    # Step 4: undouble a vowel in a closed final syllable (maan -> man).
    if (
        len(word) >= 4
        and word[-1] not in _VOWELS
        and word[-3:-1] in {"aa", "ee", "oo", "uu"}
        and word[-4] not in _VOWELS
    ):
        word = word[:-2] + word[-1]
    return word


# --- input checks -----------------------------------------------------------

MIN_WORDS = 3
MIN_CHARS = DESCRIPTION_MIN_CHARS
MAX_TEXT_CHARS = DESCRIPTION_MAX_CHARS

FUNCTION_WORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "van",
        "niet",
        "dat",
        "op",
        "te",
        "voor",
        "met",
        "zijn",
        "er",
        "maar",
        "ook",
        "nog",
        "geen",
        "bij",
        "naar",
        "heeft",
        "wordt",
        "al",
        "om",
        "aan",
        "dan",
        "als",
        "ze",
        "hij",
        "zij",
        "wij",
        "door",
        "worden",
        "kan",
        "moet",
        "omdat",
        "nu",
        "wel",
        "uit",
        "hun",
        "deze",
        "die",
        "wat",
        "zo",
        "over",
        "tot",
        "mijn",
        "haar",
        "hem",
        "we",
        "is",
        "was",
        "werd",
        "geweest",
        "hebben",
        "nooit",
        "alleen",
        "meer",
        "moeten",
        "kunnen",
        "zonder",
        "waar",
        "wie",
        "terwijl",
        "sinds",
        "na",
        "tussen",
        "niemand",
        "iemand",
        "niks",
        "niets",
    ]
)
_FOREIGN: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "that",
            "with",
            "for",
            "this",
            "they",
            "have",
            "has",
            "are",
            "not",
            "it",
            "be",
            "from",
            "which",
            "would",
            "will",
            "been",
            "were",
            "their",
            "there",
            "does",
            "did",
            "can",
            "could",
            "should",
            "about",
            "because",
            "into",
            "than",
            "them",
            "when",
            "who",
            "your",
            "you",
            "our",
            "she",
            "he",
            "his",
            "her",
            "my",
            "to",
        ]
    ),
    "de": frozenset(
        [
            "und",
            "der",
            "das",
            "ist",
            "nicht",
            "ein",
            "eine",
            "ich",
            "sie",
            "mit",
            "auf",
            "fur",
            "wird",
            "werden",
            "auch",
            "sich",
            "dass",
            "wir",
            "haben",
            "hat",
            "oder",
            "aber",
            "kann",
            "nach",
            "wenn",
            "keine",
            "kein",
            "mein",
            "ihre",
            "sind",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "et",
            "est",
            "une",
            "du",
            "que",
            "qui",
            "pour",
            "dans",
            "avec",
            "sur",
            "ce",
            "il",
            "elle",
            "nous",
            "vous",
            "sont",
            "ont",
            "mais",
            "tres",
            "je",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "los",
            "las",
            "y",
            "es",
            "una",
            "por",
            "con",
            "para",
            "que",
            "se",
            "del",
            "esta",
            "pero",
            "muy",
            "como",
            "su",
            "sus",
        ]
    ),
    "pl": frozenset(
        [
            "i",
            "w",
            "nie",
            "sie",
            "jest",
            "to",
            "ze",
            "z",
            "do",
            "jak",
            "ale",
            "co",
            "po",
            "tak",
            "juz",
            "mnie",
            "jego",
        ]
    ),
    "tr": frozenset(
        [
            "ve",
            "bir",
            "bu",
            "icin",
            "ile",
            "cok",
            "ama",
            "var",
            "yok",
            "ne",
            "ben",
            "sen",
            "o",
            "mi",
            "degil",
        ]
    ),
}


_ANY_FOREIGN = frozenset().union(*_FOREIGN.values())


class InputIssue(StrEnum):
    """Why a text cannot be classified with confidence; any issue sends it to review."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_DUTCH = "not_dutch"
    NO_KNOWN_TERMS = "no_known_terms"


@dataclass(frozen=True, slots=True)
class TextCheck:
    issue: InputIssue | None
    # Whether labels may still be given (a long text is classified on its start).
    keeps_labels: bool


# Most texts pass; the result is immutable, so they can share one.
_FIT = TextCheck(None, keeps_labels=True)

_LETTER_RE = re.compile(r"[^\W\d_]")
_ASCII_LETTER_RE = re.compile(r"[a-z]")
_NON_LATIN_LIMIT = 0.3
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
# Every ASCII letter of a text is still a letter after folding, and every other
# character is at most one letter of the text; so with this many ASCII letters
# per other character the non-Latin share is at most 1/5, whatever the rest is.
_SURELY_LATIN_RATIO = 4


def _non_latin_share(text: str) -> float:
    """Share of letters that are not (accented) Latin letters."""
    if text.isascii():
        return 0.0
    letters = len(_LETTER_RE.findall(text))
    if not letters:
        return 0.0
    # Folding keeps Latin letters (ë -> e) and drops other scripts.
    return 1.0 - len(_ASCII_LETTER_RE.findall(fold(text))) / letters


def _mostly_non_latin(text: str) -> bool:
    """``_non_latin_share(text) > 0.3``; a mostly ASCII text is let through without it.

    The share takes two regex passes and a fold, and most texts with an accent
    are Dutch with an "ë" or two.
    """
    if text.isascii():
        return False
    ascii_part = text.encode("ascii", "ignore")
    others = len(text) - len(ascii_part)
    ascii_letters = len(ascii_part.translate(None, _ASCII_NON_LETTERS))
    if ascii_letters >= _SURELY_LATIN_RATIO * others:
        return False
    return _non_latin_share(text) > _NON_LATIN_LIMIT


def check_text(
    text: str,
    words: Sequence[str] | None = None,
    known_share: float | None = None,
) -> TextCheck:
    """Decide whether a text is fit to classify.

    ``words`` are the text's tokens if the caller has them already.
    ``known_share`` is the share of those tokens in the model's vocabulary; it
    catches languages that the function-word lists do not cover.
    """
    if not text.strip():
        return TextCheck(InputIssue.EMPTY, keeps_labels=False)
    if len(text) > MAX_TEXT_CHARS:
        return TextCheck(InputIssue.TOO_LONG, keeps_labels=True)
    if _mostly_non_latin(text):
        return TextCheck(InputIssue.NOT_DUTCH, keeps_labels=False)
    if words is None:
        words = tokens(normalise(text))
    if len(words) < MIN_WORDS or len(text.strip()) < MIN_CHARS:
        return TextCheck(InputIssue.TOO_SHORT, keeps_labels=False)
    # Distinct function words: set intersections run in C, and repeated "de"s
    # say no more about the language than one.
    distinct = set(words)
    dutch = len(FUNCTION_WORDS.intersection(distinct))
    # One language needs two of its words; most texts have fewer than two of
    # all of them together, and need not be checked language by language.
    if len(_ANY_FOREIGN.intersection(distinct)) >= 2:
        foreign = max(len(vocabulary.intersection(distinct)) for vocabulary in _FOREIGN.values())
        if foreign >= 2 and foreign > dutch:
            return TextCheck(InputIssue.NOT_DUTCH, keeps_labels=False)
    if known_share is not None:
        if dutch == 0 and len(words) >= 6 and known_share < 0.25:
            return TextCheck(InputIssue.NOT_DUTCH, keeps_labels=False)
        if known_share == 0:
            return TextCheck(InputIssue.NO_KNOWN_TERMS, keeps_labels=False)
    return _FIT

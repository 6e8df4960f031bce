"""Domain lexicon: phrases that point to a category, per DOMAIN.md's typical words.

Patterns run on ``text.normalise`` output (lower case, no accents,
abbreviations written out). The lexicon is the whole of the rule-based
baseline and an optional feature block of the trained model, which learns
how much each phrase is worth instead of trusting it blindly.

Changing a pattern changes the model: the lexicon digest is part of the
model version.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from waakhond_contract.vocabularies import Category

P = Category.POLICY_GAP
M = Category.MISSED_RIGHTS
U = Category.UNREACHABLE_GROUPS
N = Category.NO_SUITABLE_CARE


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    name: str
    category: Category
    pattern: re.Pattern[str]
    # Literal substrings of which every match contains at least one. Checking
    # them with ``in`` first is what keeps the lexicon cheap: Python's regex
    # engine cannot skip ahead for patterns that start with an alternation.
    anchors: tuple[str, ...]
    # The feature name in the model, "lex:<category>:<name>".
    feature: str

    def search(self, normalised: str) -> re.Match[str] | None:
        for anchor in self.anchors:
            if anchor in normalised:
                return self.pattern.search(normalised)
        return None


def _e(category: Category, name: str, pattern: str, *anchors: str) -> LexiconEntry:
    feature = f"lex:{category.value}:{name}"
    return LexiconEntry(name, category, re.compile(pattern), anchors, feature)


LEXICON: tuple[LexiconEntry, ...] = (
    # missed_rights: an entitlement exists, its execution fails.
    _e(
        M,
        "geen besluit",
        r"\b(geen|nog geen|nooit een?|zonder) (beschikking|besluit|indicatiebesluit)",
        "beschikking",
        "besluit",
    ),
    _e(
        M,
        "termijn",
        r"termijn\w*\b.{0,40}\b(verstreken|overschreden|voorbij|verlopen|gemist)",
        "termijn",
    ),
    _e(M, "recht op", r"\brecht (op|had|heeft|hebben)\b", "recht "),
    _e(M, "bezwaar", r"\bbezwaar", "bezwaar"),
    _e(
        M,
        "zonder onderzoek",
        r"zonder (onderzoek|gesprek|huisbezoek|keukentafelgesprek|onderbouwing)",
        "onderzoek",
        "gesprek",
        "huisbezoek",
        "onderbouwing",
    ),
    _e(
        M,
        "niet geinformeerd",
        r"\b(niet|nooit) (geinformeerd|verteld|gemeld|genoemd|gewezen|uitgelegd)"
        r"|niemand heeft .{0,40}(verteld|gezegd|genoemd|uitgelegd)",
        "geinformeerd",
        "verteld",
        "gemeld",
        "genoemd",
        "gewezen",
        "uitgelegd",
        "gezegd",
    ),
    _e(
        M,
        "kwijt",
        r"\b(kwijt|zoekgeraakt|nooit ontvangen|niet ontvangen|nooit binnengekomen)",
        "kwijt",
        "zoekgeraakt",
        "ontvangen",
        "binnengekomen",
    ),
    _e(
        M,
        "verlaagd",
        r"\b(verlaagd|gehalveerd|teruggebracht|afgeschaald|ingetrokken|stopgezet)\b",
        "verlaagd",
        "gehalveerd",
        "teruggebracht",
        "afgeschaald",
        "ingetrokken",
        "stopgezet",
    ),
    _e(
        M,
        "toeslag",
        r"toeslag|bijzondere bijstand|kwijtschelding",
        "toeslag",
        "bijstand",
        "kwijtschelding",
    ),
    _e(M, "uitbetaling", r"\bsvb\b|niet (uit)?betaald|declaratie", "svb", "betaald", "declaratie"),
    _e(M, "eigen bijdrage", r"eigen bijdrage|\bcak\b", "bijdrage", "cak"),
    _e(M, "afgewezen", r"\bafgewezen|afwijzing", "afgewezen", "afwijzing"),
    # no_suitable_care: the care itself is missing or does not fit.
    _e(N, "wachtlijst", r"wacht(lijst|tijd)", "wacht"),
    _e(
        N,
        "geen plek",
        r"geen (plek|plaats|bed|woonplek|crisisbed|aanbieder)|\bzit(ten)? (overal )?vol\b",
        "plek",
        "plaats",
        "bed",
        "aanbieder",
        " vol",
    ),
    _e(N, "stop", r"(clienten|opname|aanmeld|intake)stop", "stop"),
    _e(
        N,
        "geweigerd",
        r"weiger|te (zwaar|complex)|niet (ons|onze) (profiel|doelgroep)|plaatsbaar",
        "weiger",
        "zwaar",
        "complex",
        "profiel",
        "doelgroep",
        "plaatsbaar",
    ),
    _e(
        N,
        "past niet",
        r"past (totaal |echt )?niet|niet passend|sluit niet aan",
        "past ",
        "passend",
        "sluit",
    ),
    _e(
        N,
        "personeel",
        r"personeels?(tekort|gebrek)|geen personeel|capaciteit",
        "personeel",
        "capaciteit",
    ),
    _e(N, "crisis", r"crisis(bed|plek|opvang)", "crisis"),
    _e(N, "respijt", r"respijt|logeer", "respijt", "logeer"),
    # unreachable_groups: the system does not reach a group.
    _e(U, "laaggeletterd", r"laaggeletterd|(niet|slecht) (goed )?lezen", "laaggeletterd", "lezen"),
    _e(
        U,
        "digitaal",
        r"digid|alleen (nog )?online|digita|computer|internet|\bapp\b|portaal",
        "digid",
        "online",
        "digita",
        "computer",
        "internet",
        "app",
        "portaal",
    ),
    _e(
        U,
        "taal",
        r"\btaal\b|spreekt? geen nederlands|moedertaal|tolk|vertaal",
        "taal",
        "nederlands",
        "tolk",
        "vertaal",
    ),
    _e(
        U,
        "migrant",
        r"statushouder|nieuwkomer|migrant|vluchteling|asiel",
        "statushouder",
        "nieuwkomer",
        "migrant",
        "vluchteling",
        "asiel",
    ),
    _e(
        U,
        "dakloos",
        r"dakloo?s|thuislo|geen (vast )?(adres|postadres)|briefadres",
        "dakloo",
        "daklos",
        "thuislo",
        "adres",
    ),
    _e(U, "zorgmijder", r"zorgmijd|wantrouw|deur niet open", "zorgmijd", "wantrouw", "deur"),
    _e(
        U,
        "zintuiglijk",
        r"\bdo(of|ve)\b|blind|slechtzien|slechthor|gebarentaal",
        "doof",
        "dove",
        "blind",
        "slechtzien",
        "slechthor",
        "gebarentaal",
    ),
    _e(
        U,
        "buiten beeld",
        r"(niet|nergens|uit) (in )?beeld|onzichtbaar|niet bereikt"
        r"|bereik(en|t) (we )?(niet|nauwelijks)|weten niet (dat|waar)|kennen de weg niet",
        "beeld",
        "onzichtbaar",
        "bereik",
        "weten",
        "kennen",
    ),
    _e(U, "buitengebied", r"buitengebied|platteland|dorp", "buitengebied", "platteland", "dorp"),
    _e(U, "eenzaam", r"eenza|alleenwon|geen netwerk", "eenza", "alleenwon", "netwerk"),
    # policy_gap: the rules themselves fall short.
    _e(P, "knip", r"\bknip\b|tussen (de )?wmo en (de )?wlz|wmo ?/ ?wlz|wmo-wlz", "knip", "wlz"),
    _e(P, "18 plus", r"\b18 ?(-|\+)|\b18e\b|achttien|18 wordt|18 jaar wordt", "18", "achttien"),
    _e(
        P,
        "niemand verantwoordelijk",
        r"niemand (is |voelt zich )?verantwoordelijk|valt (nergens|in geen)|geen (regeling|wet)\b"
        r"|nergens geregeld|niet geregeld",
        "verantwoordelijk",
        "valt",
        "regeling",
        "wet",
        "geregeld",
    ),
    _e(P, "wal en schip", r"tussen wal en schip", "schip"),
    _e(P, "plafond", r"plafond|budget (is )?op\b", "plafond", "budget"),
    _e(
        P,
        "urennorm",
        r"urennorm|gemaximeerd|maximaal \w+ (uur|contacten)",
        "urennorm",
        "gemaximeerd",
        "maximaal",
    ),
    _e(
        P,
        "regels",
        r"beleidsregel|verordening|in strijd|tegenstrijdig|regels? (die|sluiten|bijten)",
        "beleidsregel",
        "verordening",
        "strijd",
        "tegenstrijdig",
        "regel",
    ),
    _e(
        P,
        "onafhankelijkheid",
        r"onafhankelijk(heid)? (is )?(weg|onder druk|onmogelijk)|dubbele pet|vermenging",
        "onafhankelijk",
        "pet",
        "vermenging",
    ),
    _e(
        P,
        "financiering",
        r"financier|niet (meer )?vergoed|geen (geld|budget|potje)|bezuinig",
        "financier",
        "vergoed",
        "geld",
        "budget",
        "potje",
        "bezuinig",
    ),
    _e(
        P,
        "criteria",
        r"criteria|woonplaatsbeginsel|kostendelersnorm",
        "criteria",
        "woonplaatsbeginsel",
        "kostendelersnorm",
    ),
)


BY_FEATURE: dict[str, LexiconEntry] = {entry.feature: entry for entry in LEXICON}


def lexicon_digest() -> str:
    digest = hashlib.sha256()
    for entry in LEXICON:
        digest.update(f"{entry.category.value}\t{entry.name}\t{entry.pattern.pattern}\n".encode())
    return digest.hexdigest()


def matches(normalised: str) -> list[LexiconEntry]:
    """Lexicon entries found in a normalised text, in lexicon order."""
    return [entry for entry in LEXICON if entry.search(normalised)]


class LexiconMatcher:
    """``matches`` for a stream of texts, fast.

    ``matches`` checks every anchor of every entry with ``in`` on every text, and
    that was the costliest step of feature extraction (bench/README.md, "Figures
    moved from code comments"). Most anchors lie within one word, and signals
    repeat their words, so which entries a word can trigger is computed once per
    distinct word and cached; only anchors that span words ("schip") are checked
    on the whole text.
    The regex of a candidate entry still decides, so the result is exactly
    that of ``matches``.
    """

    def __init__(
        self, entries: tuple[LexiconEntry, ...] = LEXICON, cache_limit: int = 100_000
    ) -> None:
        self._entries = entries
        self._word_anchors = [
            (i, anchor)
            for i, e in enumerate(entries)
            for anchor in e.anchors
            if " " not in anchor.strip()
        ]
        self._phrase_anchors = [
            (i, anchor)
            for i, e in enumerate(entries)
            for anchor in e.anchors
            if " " in anchor.strip()
        ]
        self._cache: dict[str, frozenset[int]] = {}
        self._cache_limit = cache_limit

    def _for_word(self, word: str) -> frozenset[int]:
        found = self._cache.get(word)
        if found is None:
            # Padding lets anchors like " vol" or "recht " mark a word boundary.
            padded = f" {word} "
            found = frozenset(i for i, anchor in self._word_anchors if anchor in padded)
            if len(self._cache) >= self._cache_limit:
                self._cache.clear()
            self._cache[word] = found
        return found

    def matches(self, normalised: str, words: Sequence[str]) -> list[LexiconEntry]:
        """Entries found in ``normalised``; ``words`` are its tokens."""
        return [entry for entry, _ in self.search(normalised, words)]

    def search(
        self, normalised: str, words: Sequence[str]
    ) -> list[tuple[LexiconEntry, re.Match[str]]]:
        """``matches``, each with its first match in ``normalised``."""
        try:
            found = list(map(self._cache.__getitem__, words))
        except KeyError:  # a new word; rare once the cache is warm
            found = [self._for_word(word) for word in words]
        candidates = set().union(*found)
        for i, anchor in self._phrase_anchors:
            if i not in candidates and anchor in normalised:
                candidates.add(i)
        return [
            (self._entries[i], match)
            for i in sorted(candidates)
            if (match := self._entries[i].pattern.search(normalised))
        ]

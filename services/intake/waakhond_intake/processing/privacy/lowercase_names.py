"""Names written in lower case after a title or a family role ("mevrouw jansen").

deduce finds names by their capital letter, and Waakhond's own role detector
(``detectors.find_name_after_role``) does too, so "mevrouw jansen", "dhr. de
vries" and "zoon kevin" went through unredacted. A lower-case word after such a
word is usually not a name at all ("mevrouw belde", "de buurman helpt", "zoon
woont"), so here a word counts only when deduce's own name lists hold it and it
is not an ordinary Dutch word:

* after a formal title (mevrouw, meneer, dhr., mw., mevr., familie ...): an
  optional first name, then a surname, with name particles ("de vries", "van
  dijk", "jan de boer", "mulder-de jong");
* after a family or neighbourhood role (zoon, dochter, buurman, oma ...): a
  first name or surname without a particle in front ("zoon van de buren" is
  about the neighbours, not a Van de Buren).

The name lists are deduce's (first names, surnames, surnames after a particle).
A word never counts when it is in deduce's whitelist of common words, nor,
right after the title or role, in :data:`ORDINARY_WORDS` (words that follow a
title in ordinary sentences: verbs, adverbs, adjectives, role nouns), nor,
after a particle, in those words unless :data:`SURNAMES_AFTER_PARTICLE` holds
it ("meneer de burgemeester" and "meneer van boven" are no names; "de jong"
and "de groot" are).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from waakhond_intake.processing.privacy.findings import Finding, PiiKind


class NameLexicon(Protocol):
    """What the detector asks of the name lists; every word is in lower case."""

    def is_first_name(self, word: str) -> bool: ...

    def is_surname(self, word: str) -> bool: ...

    def is_surname_after_particle(self, word: str) -> bool: ...

    def is_common_word(self, word: str) -> bool: ...


def _word_set(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


# Words from deduce's first-name and surname lists that follow a title or role
# word in ordinary sentences ("mevrouw pas", "zoon wil", "dhr. oud en
# alleen"), and the function words, auxiliaries and frequent verbs that do so
# too. Found by going through the name lists and by running the detector over
# the training corpus, the demo descriptions and the adversarial set.
ORDINARY_WORDS: frozenset[str] = _word_set(
    # articles, pronouns, conjunctions, prepositions
    "de het een en of maar want dus omdat als dan toen die dat dit deze wie wat waar hoe welke"
    " ik jij je u hij zij ze wij we jullie hen hun haar hem zijn mijn mij me jouw uw ons onze"
    " zich zichzelf elkaar men iets niets niks iemand niemand alles alle allen ieder elk elke"
    " aan achter bij binnen boven buiten door in langs met na naar naast om onder op over per"
    " rond sinds tegen tot tussen uit van vanaf vanuit via voor zonder volgens namens dankzij"
    " ondanks vanwege tijdens wegens richting voorbij"
    # adverbs
    " al ook nog niet geen wel zo heel erg zeer zelf alleen samen altijd nooit vaak soms weer"
    " meteen direct gewoon eigenlijk misschien vooral nauwelijks bijna pas net even toch echter"
    " immers inmiddels intussen ondertussen opnieuw steeds daarna daarom daardoor daarbij"
    " verder zelfs slechts hooguit ruim ongeveer graag liever helemaal echt wellicht nadien"
    " natuurlijk duidelijk blijkbaar kennelijk vervolgens eerder later vroeger thuis elders"
    " ergens nergens overal terug mee weg heen open dicht toe nu hier daar just louter heus"
    # auxiliaries and modals
    " is was waren ben bent wezen geweest heeft heb hebt hebben had hadden wordt word worden"
    " werd werden kan kun kunt kunnen kon konden wil wilt willen wilde wilden wou moet moeten"
    " moest moesten mag mogen mocht mochten zal zult zullen zou zouden durft durfde hoeft hoef"
    " hoefde hoeven laat liet lieten gaat ga gaan ging gingen komt kom komen kwam kwamen"
    # frequent verbs
    " belt bel belde woont woonde zegt zei vraagt vroeg krijgt kreeg wacht wachtte blijft bleef"
    " zit zat staat stond ligt lag loopt liep valt viel vallen voelt voelde denkt dacht weet"
    " wist vindt vond houdt hou hield neemt nam geeft gaf geven doet deed maakt maakte leeft"
    " slaapt sliep eet drinkt leest las schrijft schreef schreven betaalt ontvangt heet spreekt"
    " sprak begrijpt snapt kent ken kende ziet zag hoort hoorde mailt verhuist werkt werken"
    " rijdt reed zorgt helpt hielp mist verliest verloor raakt stopt begint begon probeert"
    " wint win won verlaat verliet verwijst wijst belandt zoekt koopt koop kocht kiest kies"
    " koos brengt bracht haalt vertelt meldt klaagt weigert blijkt bleek lijkt leek stelt stel"
    " richt went hing brak sla praat duurt rust trouw stap"
    # adjectives (telegram style: "mevrouw oud en alleen")
    " oud oude jong jonge ziek zieke moe boos blij bang alleenstaand eenzaam doof blind"
    " slechtziend slechthorend dement verward tevreden ontevreden bezorgd overbelast goed"
    " goede slecht beter sterk sterke zwak groot grote klein kleine lang kort arm rijk rijke"
    " knap knapper flink streng dol dwars lief lieve vrolijk stil stout braaf bitter mager"
    " kaal koel bloot loos krom vlug vlot heilig constant vroeg vroege harder sneller jongste"
    " oudste krap witte franse blanke duister bonte bolle stijf proper fikse stomp jarig"
    " mooi schoon bijster verwijs wees hoor wandelen wekken valen"
    # English words in the lists
    " the to on you he my love out day do go can will may has have him made done fine take"
    " with as an end well line most both else carry given serve drop top extra super link"
    " list run does goes span root lock lint law kinds age skip ids bin nine seven lie"
    " linger hung ran warning levels dies put pool poll holder drift radix",
)
# Nouns (and a few verbs) in the name lists that follow a title, a role or an
# article ("meneer de burgemeester", "de dochter van de buren", "mevrouw van de
# post"); part of the ordinary words.
NOUNS_AFTER_ARTICLE: frozenset[str] = _word_set(
    "burgemeester wethouder voorzitter directeur dokter advocaat rechter minister pastoor"
    " dominee schrijver meester kapitein soldaat majoor generaal professor ambtenaar buren"
    " buur huis woning wijk post punt meter kinderen dingen jongens baas gast dame held"
    " talen eisen taken doelen doel boeren burgers broers broeders zusje vriend bus stad"
    " kader knip woord rij kern land wal zomer komen werken geven vallen baat noorden zuiden"
    " oosten westen stoep bank baan bak bod boel box ramp stapel worst woud slager bulk",
)
ORDINARY_WORDS = ORDINARY_WORDS | NOUNS_AFTER_ARTICLE
# Ordinary words that are surnames after a particle ("de jong", "de groot").
SURNAMES_AFTER_PARTICLE: frozenset[str] = _word_set(
    "jong jonge groot grote klein kleine goede witte oude rijke"
)

_FORMAL_TITLES = (
    r"(?:mevrouw|mevr\.?|mw\.?|mej\.?|meneer|mijnheer|mnr\.?|dhr\.?|de\s+heer|fam\.|familie)"
)
_FAMILY_ROLES = (
    r"(?:zoon|zoontje|dochter|dochtertje|buurman|buurvrouw|oma|opa|broer|broertje|zus|zusje"
    r"|tante|oom|neef|nicht|kleinzoon|kleindochter|schoonzoon|schoondochter|moeder|vader"
    r"|stiefvader|stiefmoeder|pleegmoeder|pleegvader|pleegzoon|pleegdochter|mantelzorger"
    r"|cliënte?|partner)"
)
# Searched in the lower-cased text (much faster than case-insensitive matching);
# the text itself must then have a lower-case letter where the name starts.
_TITLE = re.compile(
    rf"(?<![\w-])(?:(?P<formal>{_FORMAL_TITLES})|{_FAMILY_ROLES})(?:(?<=\.)\s*|\s+)"
)
_TITLE_ANY_CASE = re.compile(_TITLE.pattern, re.IGNORECASE)
_LOWER_CASE_START = re.compile(r"[a-zà-öø-ÿ]")
_WORD = re.compile(r"[a-zà-öø-ÿ][a-zà-öø-ÿ'’]*(?![\w])")
_SEPARATOR = re.compile(r" (?=[a-zà-öø-ÿ])|-(?=[a-zà-öø-ÿ])")
PARTICLES = frozenset(
    {"van", "de", "der", "den", "het", "ter", "ten", "te", "la", "le", "du", "da", "di", "el"}
    | {"al", "op", "in", "vd"}
)
_MAX_WORDS = 6


def find_lowercase_names(text: str, lexicon: NameLexicon) -> list[Finding]:
    """Lower-case names right after a title or a family role word."""
    found: list[Finding] = []
    lowered = text.lower()
    # A few characters change length when lower-cased ("İ"); offsets must stay.
    titles = (
        _TITLE.finditer(lowered) if len(lowered) == len(text) else _TITLE_ANY_CASE.finditer(text)
    )
    for title in titles:
        if not _LOWER_CASE_START.match(text, title.end()):
            continue
        end = _name_end(text, title.end(), lexicon, formal=title.group("formal") is not None)
        if end is not None:
            found.append(Finding(PiiKind.NAME, title.end(), end))
    return found


def _words(text: str, position: int) -> list[tuple[str, int, str]]:
    """(word, end, separator before it) for up to _MAX_WORDS lower-case words from position."""
    words: list[tuple[str, int, str]] = []
    separator = ""
    while len(words) < _MAX_WORDS:
        word = _WORD.match(text, position)
        if word is None:
            break
        words.append((word.group(), word.end(), separator))
        gap = _SEPARATOR.match(text, word.end())
        if gap is None:
            break
        separator = gap.group()
        position = gap.end()
    return words


def _name_end(text: str, position: int, lexicon: NameLexicon, *, formal: bool) -> int | None:
    """Where the name that starts at position ends; None when the words are no name."""
    words = _words(text, position)
    end: int | None = None
    index = 0
    # After a first name comes a surname ("jan de boer"); after a surname only a
    # second one joined by a hyphen ("mulder-de jong").
    after_first_name = False
    while index < len(words):
        if end is not None and not after_first_name and words[index][2] != "-":
            break
        particle_end = index
        while (
            particle_end < len(words)
            and words[particle_end][0] in PARTICLES
            and (formal or end is not None)
        ):
            particle_end += 1
        if particle_end >= len(words):
            break
        word, word_end, _ = words[particle_end]
        after_particle = particle_end > index
        ordinary = word in ORDINARY_WORDS and not (
            after_particle and word in SURNAMES_AFTER_PARTICLE
        )
        if ordinary or lexicon.is_common_word(word):
            break
        if after_particle:
            is_name = lexicon.is_surname_after_particle(word)
            after_first_name = False
        elif lexicon.is_first_name(word) and end is None:
            is_name = True
            after_first_name = True
        else:
            is_name = lexicon.is_surname(word)
            after_first_name = False
        if not is_name:
            break
        end = word_end
        index = particle_end + 1
    return end


class DeduceNameLexicon:
    """:class:`NameLexicon` over deduce's lookup structures (its tries are case-sensitive)."""

    def __init__(self, lookup_structs: Any) -> None:
        self._first_names = lookup_structs["first_name"]
        self._surnames = lookup_structs["surname"]
        self._after_particle = lookup_structs["interfix_surname"]
        self._whitelist = lookup_structs["whitelist"]

    @staticmethod
    def _capitalised(word: str) -> str:
        return word[:1].upper() + word[1:]

    def is_first_name(self, word: str) -> bool:
        return [self._capitalised(word)] in self._first_names

    def is_surname(self, word: str) -> bool:
        return [self._capitalised(word)] in self._surnames

    def is_surname_after_particle(self, word: str) -> bool:
        capitalised = self._capitalised(word)
        return [capitalised] in self._surnames or capitalised in self._after_particle

    def is_common_word(self, word: str) -> bool:
        return word in self._whitelist


class NoNameLexicon:
    """A lexicon that knows no names: lower-case names are then not looked for."""

    def is_first_name(self, word: str) -> bool:  # noqa: ARG002 (the protocol's signature)
        return False

    def is_surname(self, word: str) -> bool:  # noqa: ARG002
        return False

    def is_surname_after_particle(self, word: str) -> bool:  # noqa: ARG002
        return False

    def is_common_word(self, word: str) -> bool:  # noqa: ARG002
        return True

"""The second pass: details that name nobody on their own but can point at one person together.

"The only 97-year-old in Den Burg with ALS, in verpleeghuis De Wilgenhof" has no
name in it and still points at one resident. After redaction this pass

* replaces a place smaller than a municipality by ``[PLAATS]``: a woonplaats
  that is not itself a municipality (deduce's residence list, read in a place
  context such as "in", "uit", "op"), a district or neighbourhood named after
  "wijk", "buurt", "stadsdeel" ... or written as one ("in de Schilderswijk");
* replaces a street name without a house number by ``[STRAAT]`` (with a number
  it is an address, redacted by the first pass);
* replaces the name of a specific care home, school, hospital or clinic by its
  kind (``[ZORGINSTELLING]``, ``[SCHOOL]``, ``[ZIEKENHUIS]``, ``[KLINIEK]``);
  the kind word before it stays ("verpleeghuis [ZORGINSTELLING]"). Provider
  organisations (Cordaan, 's Heeren Loo) stay: which provider turns clients
  away is what a signal is about, and none of them is one place;
* leaves rare conditions in the text (they are what the signal is about) and
  raises :attr:`PrivacyFlag.POSSIBLE_QUASI_IDENTIFIER`, so a person looks.

Municipality, province and region names stay: the municipality is a coarse
dimension of every signal already. A woonplaats is not mapped to its
municipality: no openly licensed woonplaats-to-municipality table is shipped
with the repository, so the place is removed instead (PRIVACY.md).

Every rule here is a regular expression behind a cheap necessary condition, or
reads the place and institution annotations deduce made for the first pass, so
the pass adds little to a redaction.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from waakhond_contract.regions import load_region_reference
from waakhond_intake.processing.privacy.deduce_adapter import Annotation, Category, lookup_dir

if TYPE_CHECKING:
    from waakhond_contract.messages import PrivacyFlag


class QuasiKind(StrEnum):
    """A kind of detail the second pass generalises. Values are stable API strings."""

    PLACE = "place"
    STREET = "street"
    INSTITUTION = "institution"


PLACE_PLACEHOLDER = "[PLAATS]"
STREET_PLACEHOLDER = "[STRAAT]"
CARE_PLACEHOLDER = "[ZORGINSTELLING]"
SCHOOL_PLACEHOLDER = "[SCHOOL]"
HOSPITAL_PLACEHOLDER = "[ZIEKENHUIS]"
CLINIC_PLACEHOLDER = "[KLINIEK]"
GENERALISATION_PLACEHOLDERS: tuple[str, ...] = (
    PLACE_PLACEHOLDER,
    STREET_PLACEHOLDER,
    CARE_PLACEHOLDER,
    SCHOOL_PLACEHOLDER,
    HOSPITAL_PLACEHOLDER,
    CLINIC_PLACEHOLDER,
)


@dataclass(frozen=True, slots=True)
class Generalisation:
    """A detail replaced by something coarser: its kind, span in the original, replacement."""

    kind: QuasiKind
    start: int
    end: int
    replacement: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")


# --------------------------------------------------------------------------- places

# Words after which a place annotation is a place and not a name. "op" is here
# for islands and villages ("op Marken"); the first pass does not use it to veto
# names, so a name after "op" is still redacted as a name.
_PLACE_CUE = re.compile(
    r"(?i)\b(?:in|uit|te|naar|op|bij|nabij|rond|rondom|omgeving|vanuit|richting|dorp|kern"
    r"|plaats|woonplaats|buurtschap|gehucht|eiland|vlakbij|buiten|binnen)\s+$"
)
_LIST_SEPARATOR = re.compile(r"(?:\s*,\s*|\s*/\s*|\s+(?:en|of|en/of)\s+)$")
_NAME_PART = r"[A-ZÀ-ÖØ-Þ][\w'’]*"
_NAMED_AREA = rf"{_NAME_PART}(?:-{_NAME_PART}|-[a-z]+-{_NAME_PART})*"
# "de wijk Kanaleneiland", "stadsdeel Nieuw-West", "in het dorp Gorredijk"
_AREA_AFTER_WORD = re.compile(
    r"(?<![\w-])(?:wijk|woonwijk|stadswijk|buurt|woonbuurt|stadsdeel|deelgemeente|dorpskern"
    r"|buurtschap|gehucht|dorp|kern|eiland|woonplaats)\s+"
    rf"(?P<place>{_NAMED_AREA}(?:\s+{_NAMED_AREA})?)"
)
# "in de Schilderswijk", "uit de Transvaalbuurt", "in de Indische Buurt": the
# article rules out municipalities such as Katwijk or Rijswijk.
_AREA_COMPOUND = re.compile(
    r"(?i:\b(?:in|uit|naar|van|bij|rond|door)\s+(?:de|het|'t)\s+)"
    rf"(?P<place>{_NAME_PART}\s+(?:Wijk|Buurt|Kwartier)"
    rf"|(?:{_NAME_PART}\s+)?[A-ZÀ-ÖØ-Þ][\w'’-]*(?:wijk|buurt|kwartier))(?![\w-])"
)
# Necessary conditions, read from the text's lower-case words: a cue word of
# _AREA_AFTER_WORD, or a word ending as an _AREA_COMPOUND does.
_AREA_CUE_WORDS = frozenset(
    {"wijk", "woonwijk", "stadswijk", "buurt", "woonbuurt", "stadsdeel", "deelgemeente"}
    | {"dorpskern", "buurtschap", "gehucht", "dorp", "kern", "eiland", "woonplaats"}
)
_AREA_ENDINGS = ("wijk", "buurt", "kwartier")


# What people call a municipality whose official name is another ("'s-Hertogenbosch").
_SPOKEN_MUNICIPALITY_NAMES = ("Den Bosch", "Den Haag", "'s-Gravenhage", "'s-Hertogenbosch")
# Coarser than any municipality. deduce's residence list holds hamlets named after
# some of them (Polen, Engeland, Amerika, Noord), which a signal means as the country.
_COUNTRIES_AND_DIRECTIONS = (
    "Nederland",
    "Holland",
    "Europa",
    "Afrika",
    "Azië",
    "Amerika",
    "België",
    "Duitsland",
    "Engeland",
    "Frankrijk",
    "Spanje",
    "Portugal",
    "Italië",
    "Griekenland",
    "Polen",
    "Roemenië",
    "Bulgarije",
    "Hongarije",
    "Litouwen",
    "Letland",
    "Oekraïne",
    "Rusland",
    "Turkije",
    "Marokko",
    "Syrië",
    "Irak",
    "Iran",
    "Afghanistan",
    "Eritrea",
    "Ethiopië",
    "Somalië",
    "Soedan",
    "Jemen",
    "Suriname",
    "Indonesië",
    "China",
    "India",
    "Pakistan",
    "Curaçao",
    "Aruba",
    "Bonaire",
    "Sint Maarten",
    "Sint Eustatius",
    "Saba",
    "Noord",
    "Oost",
    "Zuid",
    "West",
    "Dorp",
)


def _normalise_place(name: str) -> str:
    name = " ".join(name.replace("’", "'").split()).casefold()
    return re.sub(r"^'s[ -]", "'s-", name)


@cache
def coarse_place_names() -> frozenset[str]:
    """Municipality, province and region names that stay in the text (normalised).

    The project's region reference, plus deduce's municipality, province and
    region lists (which add spoken forms such as "Den Haag" and former
    municipalities). Read once; a few hundred short strings.
    """
    names: set[str] = set()
    for region_map in load_region_reference().maps.values():
        for municipality in region_map.municipalities.values():
            names.add(municipality.name)
            names.update(region.name for region in municipality.regions)
    placenames = lookup_dir() / "src" / "locations" / "lst_placename"
    for listing in ("lst_municipality", "lst_province", "lst_region"):
        path = placenames / listing / "items.txt"
        if path.exists():
            names.update(path.read_text(encoding="utf-8").splitlines())
    names.update(_SPOKEN_MUNICIPALITY_NAMES)
    names.update(_COUNTRIES_AND_DIRECTIONS)
    normalised = {_normalise_place(name) for name in names if name.strip()}
    # "Bergen (NH.)" is written "Bergen".
    normalised |= {re.sub(r"\s*\(.*\)$", "", name) for name in normalised}
    return frozenset(normalised)


def _is_coarse(name: str) -> bool:
    return _normalise_place(name) in coarse_place_names()


def _places(
    text: str,
    words: frozenset[str],
    annotations: Sequence[Annotation],
    kept: SpanIndex,
) -> list[Generalisation]:
    found: list[Generalisation] = []
    previous_end = -1
    places = sorted((a for a in annotations if a.category is Category.PLACE), key=lambda a: a.start)
    for place in places:
        if kept.contains(place.start, place.end):
            continue
        before = text[max(0, place.start - 40) : place.start]
        separator = _LIST_SEPARATOR.search(before)
        in_context = _PLACE_CUE.search(before) is not None or (
            separator is not None and previous_end == place.start - len(separator.group())
        )
        if not in_context:
            continue
        previous_end = place.end
        if not _is_coarse(text[place.start : place.end]):
            found.append(Generalisation(QuasiKind.PLACE, place.start, place.end, PLACE_PLACEHOLDER))
    patterns = []
    if not words.isdisjoint(_AREA_CUE_WORDS):
        patterns.append(_AREA_AFTER_WORD)
    if any(word.endswith(_AREA_ENDINGS) for word in _suffixed(words)):
        patterns.append(_AREA_COMPOUND)
    for pattern in patterns:
        for match in pattern.finditer(text):
            start, end = match.span("place")
            if not _is_coarse(match.group("place")):
                found.append(Generalisation(QuasiKind.PLACE, start, end, PLACE_PLACEHOLDER))
    return found


# --------------------------------------------------------------------------- streets

_STREET_SUFFIXES = (
    "straat",
    "laan",
    "weg",
    "plein",
    "singel",
    "gracht",
    "kade",
    "dijk",
    "steeg",
    "dreef",
    "plantsoen",
)
_STREET_SUFFIX = "|".join(_STREET_SUFFIXES)
_STREET_PREFIX_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|van|de|der|den|het|'t|ter|ten)"
# "aan de Kerkstraat", "in de Van Goghstraat", "op de Coolsingel",
# "aan de Burgemeester de Withstraat". A capital starts the name, so "de weg" stays.
_STREET = re.compile(
    r"(?i:\b(?:aan|in|op|uit|bij|naar|via|langs|vanaf|over|richting)\s+(?:de|het|'t)\s+)"
    rf"(?P<street>(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*\s+(?:{_STREET_PREFIX_WORD}\s+){{0,3}})?"
    rf"[A-ZÀ-ÖØ-Þ][\w'’-]+(?:{_STREET_SUFFIX}))(?![\w-])"
)
# Road names that are not one street in one place.
_NOT_A_STREET = frozenset({"snelweg", "rijksweg", "provinciale weg", "afsluitdijk", "zeedijk"})


def _streets(text: str, words: frozenset[str]) -> list[Generalisation]:
    # A street's name is one word longer than its suffix ("Kerkstraat", not "straat").
    if not any(
        word.endswith(_STREET_SUFFIXES) and word not in _STREET_SUFFIXES
        for word in _suffixed(words)
    ):
        return []
    found = []
    for match in _STREET.finditer(text):
        street = match.group("street")
        if street.casefold() in _NOT_A_STREET or _is_coarse(street):
            continue
        start, end = match.span("street")
        found.append(Generalisation(QuasiKind.STREET, start, end, STREET_PLACEHOLDER))
    return found


# --------------------------------------------------------------------------- institutions

_KIND_WORDS: dict[str, tuple[str, ...]] = {
    CARE_PLACEHOLDER: (
        "verpleeghuis",
        "verpleegtehuis",
        "verzorgingshuis",
        "verzorgingstehuis",
        "bejaardenhuis",
        "bejaardentehuis",
        "zorgcentrum",
        "woonzorgcentrum",
        "woonzorgcomplex",
        "zorgcomplex",
        "zorgboerderij",
        "hospice",
        "revalidatiecentrum",
        "woonvorm",
        "woongroep",
        "zorglocatie",
        "woonlocatie",
        "gezinshuis",
        "logeerhuis",
        "kinderdagcentrum",
        "dagbesteding",
        "dagbestedingslocatie",
        "zorghotel",
        "herstelhuis",
        "opvanghuis",
        "inloophuis",
        "crisisopvang",
        "vrouwenopvang",
        "behandelcentrum",
        "gezondheidscentrum",
    ),
    SCHOOL_PLACEHOLDER: (
        "basisschool",
        "school",
        "schoolgemeenschap",
        "scholengemeenschap",
        "praktijkschool",
        "lyceum",
        "gymnasium",
        "college",
        "mavo",
        "havo",
        "vwo",
        "vmbo",
        "kinderdagverblijf",
        "peuterspeelzaal",
    ),
    HOSPITAL_PLACEHOLDER: ("ziekenhuis",),
    CLINIC_PLACEHOLDER: (
        "kliniek",
        "polikliniek",
        "verslavingskliniek",
        "huisartsenpraktijk",
        "tandartspraktijk",
        "fysiotherapiepraktijk",
    ),
}
# The kind word, then a proper name: "verpleeghuis De Wilgenhof", "basisschool
# De Regenboog", "hospice De Vier Vogels", "zorgboerderij De Hoeve".
_INSTITUTION_NAME = (
    r"(?:(?:De|Het|'t|’t|Sint|St\.|Huize|Huis)\s+)?[A-ZÀ-ÖØ-Þ][\w'’-]+"
    r"(?:\s+(?:(?:van|de|der|den|het|'t)\s+)?[A-ZÀ-ÖØ-Þ][\w'’-]*){0,3}"
)
# One pattern per kind word, searched only when the word is in the text.
_INSTITUTION_AFTER_WORD: dict[str, tuple[re.Pattern[str], str]] = {
    word: (
        re.compile(rf"(?<![\w-])(?i:{word})\s+(?P<name>{_INSTITUTION_NAME})"),
        placeholder,
    )
    for placeholder, words in _KIND_WORDS.items()
    for word in words
}
# A name that ends in its kind: "het Sint Antonius Ziekenhuis", "het Stedelijk
# Lyceum", "het Erasmus College". A capitalised word must come first, so "het
# College van B en W" stays.
_NAMED_KIND = re.compile(
    r"(?P<name>(?:(?:Sint|St\.)\s+)?[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){0,2}\s+"
    r"(?:(?P<hospital>Ziekenhuis|Gasthuis)|(?P<school>Lyceum|College|Gymnasium|Scholengemeenschap"
    r"|Basisschool)|(?P<care>Zorgcentrum|Verpleeghuis|Woonzorgcentrum|Hospice)"
    r"|(?P<clinic>Kliniek)))(?![\w-])"
)
# One word that ends in its kind: "de Sint Maartenskliniek", "het Antoniusziekenhuis";
# after an article or "Sint", so that a kind word starting a sentence stays.
_COMPOUND_KIND = re.compile(
    r"(?:(?<=\bde\s)|(?<=\bhet\s)|(?<=\b't\s))(?P<name>(?:(?:Sint|St\.)\s+)?"
    r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+(?:(?P<clinic>kliniek)|(?P<hospital>ziekenhuis|gasthuis)))\b"
)
_COMPOUND_KIND_ENDINGS = ("kliniek", "ziekenhuis", "gasthuis")
# Every match of _NAMED_KIND has one of these words (in lower case).
_NAMED_KIND_WORDS = frozenset(
    {"ziekenhuis", "gasthuis", "lyceum", "college", "gymnasium", "scholengemeenschap"}
    | {"basisschool", "zorgcentrum", "verpleeghuis", "woonzorgcentrum", "hospice", "kliniek"}
)
# Capitalised words after a kind word that name a law, a body or a role, not one
# institution ("dagbesteding Wmo", "college Burgemeester en Wethouders"). A
# sentence after a kind word ("naar het verpleeghuis. De zoon") is no risk: the
# name pattern never crosses punctuation.
_NOT_A_NAME = frozenset(
    {"wmo", "wlz", "ggz", "ggd", "ciz", "uwv", "svb", "cak", "jeugdwet", "mee", "nederland"}
    | {"burgemeester", "wethouders", "b&w"}
)
_PLACEHOLDER_BY_GROUP = {
    "care": CARE_PLACEHOLDER,
    "school": SCHOOL_PLACEHOLDER,
    "hospital": HOSPITAL_PLACEHOLDER,
    "clinic": CLINIC_PLACEHOLDER,
}


def _group_placeholder(match: re.Match[str]) -> str:
    """The placeholder of the kind group (care, school, hospital, clinic) that matched."""
    groups = match.groupdict()
    return next(
        placeholder for group, placeholder in _PLACEHOLDER_BY_GROUP.items() if groups.get(group)
    )


def _institutions(text: str, words: frozenset[str], kept: SpanIndex) -> list[Generalisation]:
    matches = [
        (match, placeholder)
        for word in words.intersection(_INSTITUTION_AFTER_WORD)
        for pattern, placeholder in (_INSTITUTION_AFTER_WORD[word],)
        for match in pattern.finditer(text)
    ]
    if not words.isdisjoint(_NAMED_KIND_WORDS):
        matches += [(match, _group_placeholder(match)) for match in _NAMED_KIND.finditer(text)]
    if any(
        w.endswith(_COMPOUND_KIND_ENDINGS) and w not in _INSTITUTION_AFTER_WORD
        for w in _suffixed(words)
    ):
        for match in _COMPOUND_KIND.finditer(text):
            last_word = match.group("name").split()[-1].casefold()
            if last_word not in _INSTITUTION_AFTER_WORD:
                matches.append((match, _group_placeholder(match)))
    found = []
    for match, placeholder in matches:
        start, end = match.span("name")
        name = match.group("name")
        if name.split()[0].casefold() in _NOT_A_NAME or _is_coarse(name):
            continue
        if kept.contains(start, end):
            continue
        found.append(Generalisation(QuasiKind.INSTITUTION, start, end, placeholder))
    return found


# --------------------------------------------------------------------------- rare conditions

# A curated list: conditions that affect at most a few thousand people in the
# Netherlands, so that with a municipality and an age band they may single out
# one person. They stay in the text (they are often the point of the signal);
# the signal is flagged for a person to look at. Common conditions (dementie,
# diabetes, syndroom van Down, autisme) are not on it.
_RARE_CONDITIONS_ANY_CASE = (
    r"amyotrofische\s+laterale\s+sclerose",
    r"(?:ziekte|chorea)\s+van\s+huntington",
    r"huntington",
    r"(?:spierdystrofie\s+van\s+)?duchenne",
    r"(?:syndroom\s+van\s+)?prader-?\s?willi(?:-?syndroom)?",
    r"(?:syndroom\s+van\s+rett|rett-?syndroom)",
    r"(?:syndroom\s+van\s+angelman|angelman-?syndroom)",
    r"syndroom\s+van\s+williams",
    r"cri-du-chat(?:-?syndroom)?",
    r"syndroom\s+van\s+wolf-hirschhorn",
    r"syndroom\s+van\s+smith-magenis",
    r"syndroom\s+van\s+usher",
    r"syndroom\s+van\s+marfan",
    r"(?:ziekte\s+van\s+)?pompe(?:-?ziekte)?",
    r"ziekte\s+van\s+(?:fabry|gaucher|batten|wilson|hirschsprung)",
    r"niemann-pick",
    r"(?:ziekte\s+van\s+)?creutzfeldt-jakob",
    r"vlinderhuid",
    r"epidermolysis\s+bullosa",
    r"glasbotziekte",
    r"osteogenesis\s+imperfecta",
    r"spinale\s+musculaire\s+atrofie",
    r"progeria",
    r"multisysteematrofie",
    r"progressieve\s+supranucleaire\s+parese",
    r"locked-in(?:-|\s)?syndroom",
    r"taaislijmziekte",
    r"cystic\s+fibrosis",
    r"fenylketonurie",
    r"achondroplasie",
    r"zeldzame\s+(?:ziekte|aandoening|spierziekte|stofwisselingsziekte|vorm\s+van|erfelijke"
    r"|genetische|syndroom)",
    r"zeldzaam\s+syndroom",
)
# Acronyms that are also ordinary words in capitals ("ALS" is "als"): only
# written in capitals in a sentence that is not written in capitals.
_RARE_ACRONYMS = ("ALS", "SMA", "CADASIL", "PSP", "MSA")
_RARE_CONDITION = re.compile(
    r"(?i:\b(?:" + "|".join(_RARE_CONDITIONS_ANY_CASE) + r")\b)"
    # "ALS Nederland" is the patients' foundation, not a person's diagnosis.
    r"|(?<![\w-])(?P<acronym>" + "|".join(_RARE_ACRONYMS) + r")(?![\w-]|\s+Nederland\b)"
)
# Every match of _RARE_CONDITION has one of these lower-case words, a word
# ending in "syndroom", or one of the acronyms.
_RARE_WORDS = frozenset(
    {"sclerose", "huntington", "duchenne", "willi", "praderwilli", "rett", "angelman", "cri"}
    | {"pompe", "pompeziekte", "fabry", "gaucher", "batten", "wilson", "hirschsprung"}
    | {"niemann", "creutzfeldt", "vlinderhuid", "bullosa", "glasbotziekte", "imperfecta"}
    | {"atrofie", "progeria", "multisysteematrofie", "supranucleaire", "locked"}
    | {"taaislijmziekte", "fibrosis", "fenylketonurie", "achondroplasie", "zeldzame"}
    | {"zeldzaam", "syndroom", "usher", "marfan", "williams"}
)
_SHOUTED_NEIGHBOUR = re.compile(r"[A-ZÀ-Þ]{2,}")
# Beyond the list: a disease or syndrome named after a person ("ziekte van Kennedy",
# "syndroom van Cushing") is flagged unless it is a common one.
_EPONYM = re.compile(r"\b(?i:ziekte|syndroom)\s+van\s+(?P<eponym>[A-ZÀ-ÖØ-Þ][\w'’-]+)")
_COMMON_EPONYMS = frozenset(
    {"parkinson", "alzheimer", "crohn", "lyme", "bechterew", "ménière", "meniere", "graves"}
    | {"hashimoto", "raynaud", "hodgkin", "kahler", "pfeiffer", "weil", "sjögren", "sjogren"}
    | {"down", "korsakov", "korsakoff", "asperger", "tourette", "scheuermann", "paget"}
    | {"dupuytren", "perthes", "osgood-schlatter", "lyell", "reiter", "still", "bell"}
)


def find_rare_conditions(text: str, words: frozenset[str] | None = None) -> list[tuple[int, int]]:
    """Spans of rare conditions from the curated list (they stay in the text).

    ``words``: the text's lower-case words, when the caller has them already.
    """
    if words is None:
        words = lower_case_words(text)
    if (
        words.isdisjoint(_RARE_WORDS)
        and "ziekte" not in words
        and not any(word.endswith("syndroom") for word in _suffixed(words))
        and not any(acronym in text for acronym in _RARE_ACRONYMS)
    ):
        return []
    spans = []
    for match in _RARE_CONDITION.finditer(text):
        if match.group("acronym") and _in_shouted_text(text, match.start(), match.end()):
            continue
        spans.append(match.span())
    listed = SpanIndex(spans)
    for match in _EPONYM.finditer(text):
        if match.group("eponym").casefold() not in _COMMON_EPONYMS and not listed.overlaps(
            *match.span()
        ):
            spans.append(match.span())
    return sorted(spans)


def _in_shouted_text(text: str, start: int, end: int) -> bool:
    """True when a word next to this one is all capitals too ("ALS HET NIET LUKT")."""
    before = text[max(0, start - 30) : start].split()
    after = text[end : end + 30].split()
    neighbours = before[-1:] + after[:1]
    return any(
        _SHOUTED_NEIGHBOUR.fullmatch(word.strip(".,;:!?()\"'")) is not None for word in neighbours
    )


# --------------------------------------------------------------------------- the pass

_WORD = re.compile(r"\w+")
_GUARDED_ENDINGS = (*_AREA_ENDINGS, *_STREET_SUFFIXES, *_COMPOUND_KIND_ENDINGS, "syndroom")


class _Words(frozenset[str]):
    """The distinct lower-case words of a text, and those with an ending a guard asks
    about (one loop over the words instead of one per guard)."""

    suffixed: tuple[str, ...]


def lower_case_words(text: str) -> frozenset[str]:
    """The distinct words of ``text`` in lower case: what the cheap guards read."""
    words = _Words(_WORD.findall(text.lower()))
    words.suffixed = tuple(word for word in words if word.endswith(_GUARDED_ENDINGS))
    return words


def _suffixed(words: frozenset[str]) -> Iterable[str]:
    return words.suffixed if isinstance(words, _Words) else words


@dataclass(frozen=True, slots=True)
class QuasiIdentifiers:
    """What the second pass found: generalisations (sorted, disjoint) and privacy flags."""

    generalisations: tuple[Generalisation, ...]
    privacy_flags: tuple[PrivacyFlag, ...]


def find_quasi_identifiers(
    text: str,
    annotations: Sequence[Annotation],
    taken: Sequence[tuple[int, int]],
    kept: Sequence[tuple[int, int]] = (),
    names: Sequence[tuple[int, int]] = (),
) -> QuasiIdentifiers:
    """Generalisations in ``text`` that overlap none of the ``taken`` spans (first-pass
    findings other than names, and placeholders) and lie in no ``kept`` span (curated
    organisations), and the privacy flags. A generalisation may contain a name
    finding (the caller drops it) but not overlap one partly.

    A place inside an institution's name ("Ermelo" in "'s Heeren Loo Ermelo") is part
    of the organisation's name, not where someone lives.
    """
    words = lower_case_words(text)
    institutions = [
        (a.start, a.end)
        for a in annotations
        if a.category is Category.INSTITUTION and len(text[a.start : a.end].split()) > 1
    ]
    candidates = [
        *_places(text, words, annotations, SpanIndex([*kept, *institutions])),
        *_streets(text, words),
        *_institutions(text, words, SpanIndex(kept)),
    ]
    if candidates:
        taken_index = SpanIndex(taken)
        name_index = SpanIndex(names)
        candidates = [
            g
            for g in candidates
            if not taken_index.overlaps(g.start, g.end)
            and not name_index.sticks_out_of(g.start, g.end)
        ]
    flags: tuple[PrivacyFlag, ...] = ()
    if find_rare_conditions(text, words):
        # Imported here: the message models bring pydantic (about 16 MiB), which the
        # redactor alone (``waakhond redact``) does not need; intake has it loaded anyway.
        from waakhond_contract.messages import PrivacyFlag

        flags = (PrivacyFlag.POSSIBLE_QUASI_IDENTIFIER,)
    return QuasiIdentifiers(_disjoint(candidates), flags)


_KIND_ORDER = {QuasiKind.INSTITUTION: 0, QuasiKind.STREET: 1, QuasiKind.PLACE: 2}


def _disjoint(candidates: Iterable[Generalisation]) -> tuple[Generalisation, ...]:
    """Longest first (then institution before street before place); overlaps dropped."""
    chosen: list[Generalisation] = []
    index = SpanIndex()
    for candidate in sorted(
        candidates, key=lambda g: (-(g.end - g.start), _KIND_ORDER[g.kind], g.start)
    ):
        if not index.overlaps(candidate.start, candidate.end):
            chosen.append(candidate)
            index.add(candidate.start, candidate.end)
    return tuple(sorted(chosen, key=lambda g: g.start))


class SpanIndex:
    """Spans, sorted and merged where they overlap, answering in O(log n).

    Texts of thousands of details would make pairwise checks quadratic.
    """

    __slots__ = ("_ends", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def _first_overlapping(self, start: int, end: int) -> int | None:
        index = bisect.bisect_right(self._ends, start)
        if index < len(self._starts) and self._starts[index] < end:
            return index
        return None

    def overlaps(self, start: int, end: int) -> bool:
        return self._first_overlapping(start, end) is not None

    def contains(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies inside one (merged) span."""
        index = self._first_overlapping(start, end)
        return index is not None and self._starts[index] <= start and end <= self._ends[index]

    def sticks_out_of(self, start: int, end: int) -> bool:
        """True when a span overlaps ``[start, end)`` without lying inside it."""
        index = self._first_overlapping(start, end)
        if index is None:
            return False
        if self._starts[index] < start:
            return True
        last = bisect.bisect_left(self._starts, end) - 1
        return self._ends[last] > end

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none of those here."""
        index = bisect.bisect_left(self._starts, start)
        self._starts.insert(index, start)
        self._ends.insert(index, end)

"""The anonymisation engine intake runs on every free-text field.

Detection has three sources, merged per character span:

* deduce (rule based, Dutch name, street and institution lists) for person
  names, street + house number, postcodes, full dates, and as a second opinion
  on BSN, phone, e-mail, URL and long numbers;
* Waakhond's own detectors (:mod:`.detectors`) for IBAN and BSN with
  checksums, for the formats deduce misses, and for what it has no annotator
  for (licence plates, exact ages, birth years, social-media profiles);
* names in lower case after a title or family role (:mod:`.lowercase_names`),
  looked up in deduce's name lists.

What deduce recognises but Waakhond keeps: municipality, province and region
names (the municipality is already a coarse dimension of every signal), and
names of care providers and organisations. The second pass
(:mod:`.quasi_identifiers`) then generalises smaller places, street names and
named care homes, schools and clinics, and flags rare conditions. deduce's age annotator is off:
it cannot tell a person's age from an age limit in a rule, which Waakhond's own
age detector does. A name annotation on a
region name, on a place the context shows to be a place ("in Lisse"), or on a
multi-word institution name is dropped, and titles such as "mevrouw" stay in
front of the ``[NAAM]`` placeholder.

Build one :class:`Redactor` per process and share it (:func:`shared_redactor`):
construction loads deduce's lookup structures, which takes noticeable time even
with the cache built at install time (bench/README.md, "Figures moved from code
comments"), and :meth:`Redactor.redact` is safe to call from several threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from waakhond_contract.regions import RegionLevel, load_region_reference
from waakhond_intake.processing.privacy.deduce_adapter import Annotation, Category, DeduceEngine
from waakhond_intake.processing.privacy.detectors import (
    ROLE_WORDS,
    age_after_name,
    detect_patterns,
    find_name_after_role,
)
from waakhond_intake.processing.privacy.findings import (
    KIND_PRECEDENCE,
    PLACEHOLDERS,
    Finding,
    KindCount,
    PiiKind,
    RedactionResult,
)
from waakhond_intake.processing.privacy.lowercase_names import (
    DeduceNameLexicon,
    NameLexicon,
    NoNameLexicon,
    find_lowercase_names,
)
from waakhond_intake.processing.privacy.quasi_identifiers import (
    GENERALISATION_PLACEHOLDERS,
    Generalisation,
    SpanIndex,
    find_quasi_identifiers,
)

__all__ = [
    "PLACEHOLDERS",
    "Finding",
    "KindCount",
    "PiiKind",
    "RedactionResult",
    "Redactor",
    "shared_redactor",
]

_REDACTED_CATEGORIES: dict[Category, PiiKind] = {
    Category.NAME: PiiKind.NAME,
    Category.ADDRESS: PiiKind.ADDRESS,
    Category.POSTCODE: PiiKind.POSTCODE,
    Category.DATE: PiiKind.DATE,
    Category.BSN: PiiKind.BSN,
    Category.IDENTIFIER: PiiKind.IDENTIFIER,
    Category.PHONE: PiiKind.PHONE,
    Category.EMAIL: PiiKind.EMAIL,
    Category.URL: PiiKind.URL,
}

# Characters that are invisible or only typographic variants; detection runs on
# a copy where they are removed or normalised, so "06\u200b12345678" or a BSN
# with non-breaking spaces is still found. Spans map back to the original.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_NORMALISE = str.maketrans(
    {
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\uff0b": "+",
        "\uff20": "@",
    }
)
# Scanning with a character class runs in C; the common text has none of these
# characters, and then neither removal nor translation changes it.
_INVISIBLE_CHARS = re.compile("[" + "".join(map(re.escape, sorted(_INVISIBLE))) + "]")
_NORMALISED_CHARS = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in sorted(_NORMALISE)) + "]"
)

# Titles, forms of address and family roles are not identifying and keep the
# sentence readable ("mevrouw [NAAM]", "oma [NAAM]"), so they are cut off the
# front of a name.
_LEADING_TITLES = re.compile(
    r"(?i)(?:(?:mevrouw|mevr|mw|mej|meneer|mijnheer|mr|dhr|de\s+heer|heer|dr|drs|ir|ing"
    r"|prof|ds|dokter|zuster|broeder|juf|juffrouw|meester|rechter|fam|wijlen|collega"
    rf"|bacc|kand|lec|{ROLE_WORDS})(?:\.|\b)\s*)+"
)
# Organisations and colloquial place names that deduce's name patterns take
# for persons. They are part of the picture a signal paints (which provider has
# a client stop, which body does not answer), and none of them is a resident.
_KEEP_PLACE_NAMES: tuple[str, ...] = (
    "Den Bosch",
    "Den Helder",
    "Den Haag",
    "Den Ham",
    "Den Burg",
    "Den Hoorn",
)
_KEEP_NAMES: tuple[str, ...] = (
    *_KEEP_PLACE_NAMES,
    # public bodies and national organisations
    "Zilveren Kruis",
    "Rode Kruis",
    "Leger des Heils",
    "Sociale Verzekeringsbank",
    "Raad voor de Kinderbescherming",
    "Veilig Thuis",
    "Nationale ombudsman",
    "Centrum Indicatiestelling Zorg",
    "Humanitas",
    "Vluchtelingenwerk",
    "Zorgbelang",
    "Voedselbank",
    "ABN AMRO",
    "Rabobank",
    "Triodos",
    # care providers that signals name when they turn clients away
    "Philadelphia",
    "'s Heeren Loo",
    "Ipse de Bruggen",
    "Pameijer",
    "Cordaan",
    "Amarant",
    "Dichterbij",
    "Reinaerde",
    "Severinus",
    "Sherpa",
    "Esdégé-Reigersdaal",
    "ASVZ",
    "Gemiva",
    "Prisma",
    "Lunet",
    "Tragel",
    "Zuidwester",
    "Abrona",
    "Kwintes",
    "Lister",
    "Parnassia",
    "Arkin",
    "Valente",
    "Limor",
    "Trajectum",
    "Elver",
    "Cosis",
    "Talant",
    "Ambiq",
    "Aveleijn",
    "Estinea",
    "Koraal",
    "Pluryn",
    "Siza",
    "Sensire",
    "Buurtzorg",
    "Tactus",
    "Novadic-Kentron",
    "Jellinek",
    "Emergis",
    "Lentis",
    "Altrecht",
    "Mondriaan",
    "Pro Persona",
    "Dimence",
)
_KEEP_PHRASES = re.compile(
    r"(?<!\w)(?:"
    + "|".join(r"\s+".join(map(re.escape, name.split())) for name in _KEEP_NAMES)
    + r")(?!\w)"
)
# Words after which a capitalised word is a place, not a person.
_PLACE_CUE = re.compile(
    r"(?i)\b(?:in|uit|te|naar|bij|nabij|rond|rondom|omgeving|gemeente|gemeenten|regio|provincie"
    r"|stad|dorp|kern|plaats|woonplaats|richting|buiten|binnen|heel|zorgkantoorregio)\s+$"
)
_LIST_SEPARATOR = re.compile(r"(?:\s*,\s*|\s*/\s*|\s+(?:en|of|en/of)\s+)$")
_SHOUTED_RUN = re.compile(r"\b[A-ZÀ-Þ'’]{2,}(?:[ \t-]+[A-ZÀ-Þ'’]{2,})+\b")
_PLACEHOLDER_TEXT = re.compile(
    "|".join(
        re.escape(placeholder)
        for placeholder in (*PLACEHOLDERS.values(), *GENERALISATION_PLACEHOLDERS)
    )
)
# Parts of one name or one address that were annotated separately.
_MERGEABLE_KINDS = frozenset({PiiKind.NAME, PiiKind.ADDRESS})
_MERGEABLE_GAP = re.compile(r"^[ \t-]*$")


@dataclass(frozen=True, slots=True)
class _TextView:
    """The text detection runs on, and where each of its characters came from."""

    text: str
    # origin[i] is the index in the original of view character i; None when
    # nothing was removed and indices are the same.
    origin: tuple[int, ...] | None

    @classmethod
    def of(cls, original: str) -> _TextView:
        if not _INVISIBLE_CHARS.search(original):
            if not _NORMALISED_CHARS.search(original):
                return cls(original, None)
            return cls(original.translate(_NORMALISE), None)
        kept = [(index, char) for index, char in enumerate(original) if char not in _INVISIBLE]
        text = "".join(char for _, char in kept).translate(_NORMALISE)
        return cls(text, tuple(index for index, _ in kept))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


class Redactor:
    """Finds identifying details in Dutch free text and replaces them by placeholders."""

    def __init__(self, engine: DeduceEngine | None = None) -> None:
        self._engine = engine if engine is not None else DeduceEngine()
        self._names = _name_lexicon(self._engine)

    @property
    def engine(self) -> DeduceEngine:
        """The shared deduce instance (for measurements that time deduce alone)."""
        return self._engine

    @property
    def deduce_version(self) -> str:
        return self._engine.version

    def redact(self, text: str) -> RedactionResult:
        """The redacted and generalised text, the findings and generalisations with
        spans in ``text``, and the privacy flags."""
        if not text.strip():
            return RedactionResult(text=text, findings=())
        view = _TextView.of(text)
        detection = self._detect(view.text)
        names = [(f.start, f.end) for f in detection.findings if f.kind is PiiKind.NAME]
        quasi = find_quasi_identifiers(
            view.text,
            detection.annotations,
            taken=[
                *((f.start, f.end) for f in detection.findings if f.kind is not PiiKind.NAME),
                *detection.placeholders,
            ],
            kept=_generalisable_keep(view.text, detection.curated),
            names=names,
        )
        # A "name" wholly inside a place, street or institution name ("Baken" in
        # "zorgcentrum Het Baken") is part of that name; the generalisation
        # replaces it all.
        kept_findings = detection.findings
        if quasi.generalisations and names:
            covered = SpanIndex((g.start, g.end) for g in quasi.generalisations)
            kept_findings = tuple(
                f
                for f in detection.findings
                if f.kind is not PiiKind.NAME or not covered.contains(f.start, f.end)
            )
        findings = tuple(Finding(f.kind, *view.to_original(f.start, f.end)) for f in kept_findings)
        generalisations = tuple(
            Generalisation(g.kind, *view.to_original(g.start, g.end), g.replacement)
            for g in quasi.generalisations
        )
        return RedactionResult(
            text=_apply(text, findings, generalisations),
            findings=findings,
            generalisations=generalisations,
            privacy_flags=quasi.privacy_flags,
        )

    def redact_many(self, texts: Sequence[str]) -> list[RedactionResult]:
        """``redact`` for each text, in order; a text repeated in the batch is analysed once."""
        known: dict[str, RedactionResult] = {}
        results = []
        for text in texts:
            result = known.get(text)
            if result is None:
                result = known[text] = self.redact(text)
            results.append(result)
        return results

    def find(self, text: str) -> tuple[Finding, ...]:
        """Sorted, non-overlapping findings with spans in ``text``.

        Nothing is cached across requests on purpose: a cache shared by all
        organisations answers a text seen before faster, which would tell an
        organisation whether someone else submitted it.
        """
        return self.redact(text).findings

    def _detect(self, text: str) -> _Detection:
        """The first pass on the normalised text (spans in it)."""
        candidates = detect_patterns(text)
        annotations = self._engine.annotate(_unshout(text))
        role_names = find_name_after_role(text)
        role_names += find_lowercase_names(text, self._names)
        curated = [(m.start(), m.end()) for m in _KEEP_PHRASES.finditer(text)]
        candidates.extend(_name_and_deduce_findings(text, annotations, role_names, curated))
        placeholders = [(m.start(), m.end()) for m in _PLACEHOLDER_TEXT.finditer(text)]
        candidates = [c for c in candidates if not _inside_any(c, placeholders)]
        resolved = _merge_adjacent(text, _resolve_overlaps(candidates))
        ages = _ages_after_names(text, resolved, placeholders)
        if ages:
            resolved = _resolve_overlaps([*resolved, *ages])
        return _Detection(tuple(resolved), tuple(annotations), tuple(placeholders), tuple(curated))


@dataclass(frozen=True, slots=True)
class _Detection:
    findings: tuple[Finding, ...]
    annotations: tuple[Annotation, ...]
    placeholders: tuple[tuple[int, int], ...]
    curated: tuple[tuple[int, int], ...]  # matches of the curated keep list


def _generalisable_keep(text: str, curated: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Curated organisations: never generalised either. The curated place names
    ("Den Burg") are kept from the name detectors only; the second pass decides
    whether a place is smaller than a municipality."""
    return [
        (start, end)
        for start, end in curated
        if " ".join(text[start:end].split()) not in _KEEP_PLACE_NAMES
    ]


def _name_lexicon(engine: DeduceEngine) -> NameLexicon:
    """deduce's name lists, for names written in lower case.

    An engine without them (a stand-in in a test) gets a lexicon that knows no names.
    """
    lookup_structs = getattr(engine, "lookup_structs", None)
    if lookup_structs is None:
        return NoNameLexicon()
    return DeduceNameLexicon(lookup_structs)


def _ages_after_names(
    text: str, findings: Sequence[Finding], placeholders: Sequence[tuple[int, int]]
) -> list[Finding]:
    """Ages written right after a name ("Jansen (82)", "[NAAM], 79,")."""
    ends = [f.end for f in findings if f.kind is PiiKind.NAME]
    ends += [end for start, end in placeholders if text[start:end] == PLACEHOLDERS[PiiKind.NAME]]
    ages = [age for end in ends if (age := age_after_name(text, end)) is not None]
    return [age for age in ages if not any(f.start <= age.start < f.end for f in findings)]


_shared: Redactor | None = None
_shared_lock = threading.Lock()


def shared_redactor() -> Redactor:
    """The process-wide redactor, built on first use (loading deduce) and then reused.

    Intake calls this at start-up so the first request does not pay for it.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Redactor()
        return _shared


def _unshout(text: str) -> str:
    """Capitalise runs of two or more all-caps words, keeping every offset.

    deduce recognises names by their capitalisation, so "MEVROUW DE KONING"
    escapes it while "Mevrouw De Koning" does not. Single all-caps words and
    runs of short ones are acronyms (CIZ, MEE, ABN AMRO) and stay as they are.
    """
    if not _SHOUTED_RUN.search(text):
        return text

    def capitalise(match: re.Match[str]) -> str:
        word = match.group()
        lowered = [c.lower() if len(c.lower()) == 1 else c for c in word[1:]]
        return word[0] + "".join(lowered)

    def fix_run(run: re.Match[str]) -> str:
        # Runs of short words are acronyms side by side (ABN AMRO, WMO WLZ).
        if max(len(word) for word in re.findall(r"\w+", run.group())) < 5:
            return run.group()
        return re.sub(r"\w+", capitalise, run.group())

    return _SHOUTED_RUN.sub(fix_run, text)


def _name_and_deduce_findings(
    text: str,
    annotations: Sequence[Annotation],
    role_names: Sequence[Finding] = (),
    curated: Sequence[tuple[int, int]] | None = None,
) -> list[Finding]:
    """deduce's annotations and the names after role words, with names vetted.

    Names on places and institutions are dropped; leading titles and role
    words are cut off; what remains is trimmed of punctuation.
    """
    places = [a for a in annotations if a.category is Category.PLACE]
    institutions = [
        a
        for a in annotations
        if a.category is Category.INSTITUTION and len(text[a.start : a.end].split()) > 1
    ]
    if curated is None:
        curated = [(m.start(), m.end()) for m in _KEEP_PHRASES.finditer(text)]
    keep = [*curated, *((a.start, a.end) for a in institutions)]
    keep += _places_in_place_context(text, places)
    spans = [
        (kind, a.start, a.end)
        for a in annotations
        if (kind := _REDACTED_CATEGORIES.get(a.category)) is not None
    ]
    spans += [(f.kind, f.start, f.end) for f in role_names]
    findings = []
    for kind, start, end in spans:
        if kind is PiiKind.NAME:
            if _is_place_or_institution(text, start, end, keep, places):
                continue
            title = _LEADING_TITLES.match(text, start, end)
            if title and title.end() < end:
                start = title.end()
            elif title:
                continue
        start, end = _strip(text, start, end)
        if start < end:
            findings.append(Finding(kind, start, end))
    return findings


def _is_place_or_institution(
    text: str,
    start: int,
    end: int,
    keep: Sequence[tuple[int, int]],
    places: Sequence[Annotation],
) -> bool:
    if any(k_start <= start and end <= k_end for k_start, k_end in keep):
        return True
    if " ".join(text[start:end].split()).casefold() in region_names():
        return True
    # Part of a longer place name ("Limburg" in "Zuid-Limburg"), or a place with
    # a district after a hyphen ("Almere-Haven").
    return any(
        (place.start <= start and end <= place.end and place.end - place.start > end - start)
        or (place.start == start and place.end < end and text[place.end] == "-")
        for place in places
    )


@cache
def region_names() -> frozenset[str]:
    """Names of every municipality and region in the project's reference (casefolded).

    A name annotation on exactly such a name is a place: the municipality is a
    coarse dimension of every signal, and deduce otherwise redacts "Rijssen-Holten"
    or "Drenthe" when they start a sentence.
    """
    names = {
        region.name
        for region_map in load_region_reference().maps.values()
        for municipality in region_map.municipalities.values()
        for region in municipality.regions
        if region.level is not RegionLevel.NATIONAL
    }
    return frozenset(" ".join(name.split()).casefold() for name in names)


def _places_in_place_context(text: str, places: Sequence[Annotation]) -> list[tuple[int, int]]:
    """Place annotations that the words before them show to be places.

    Hundreds of Dutch first and family names are also place names (Wessel,
    Lisse, Houten, Horst), so a place annotation alone does not overrule a
    name: "in Houten", "gemeente Ede", "regio Twente" or a list continuing
    such a place ("in Groningen, Drenthe en Friesland") does.
    """
    kept: list[tuple[int, int]] = []
    for place in sorted(places, key=lambda a: a.start):
        before = text[max(0, place.start - 40) : place.start]
        if _PLACE_CUE.search(before):
            kept.append((place.start, place.end))
            continue
        separator = _LIST_SEPARATOR.search(before)
        if separator and kept and kept[-1][1] == place.start - len(separator.group()):
            kept.append((place.start, place.end))
    return kept


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and text[end - 1] in " \t\n,;:-(":
        end -= 1
    return start, end


def _inside_any(finding: Finding, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= finding.start and finding.end <= end for start, end in spans)


_VALIDATED_KINDS = frozenset({PiiKind.BSN, PiiKind.IBAN})


def _resolve_overlaps(candidates: Sequence[Finding]) -> list[Finding]:
    """Merge overlapping candidates into one finding per cluster.

    Every character any detector flagged stays redacted: the cluster spans all
    its members. Its kind is that of a checksum-validated member (BSN, IBAN)
    unless that member lies strictly inside a longer one, and otherwise that
    of the longest member, ties broken by ``KIND_PRECEDENCE``. So
    "+31 6 12345678" is a phone even when its last nine digits pass the
    11-proef, while a BSN followed by "2024" stays a BSN although
    "010 003 2024" also reads as a Rotterdam phone number.
    """
    precedence = {kind: rank for rank, kind in enumerate(KIND_PRECEDENCE)}
    resolved: list[Finding] = []
    cluster: list[Finding] = []

    def rank(finding: Finding) -> tuple[bool, int, int]:
        validated = finding.kind in _VALIDATED_KINDS and not any(
            other.start <= finding.start
            and finding.end <= other.end
            and other.end - other.start > finding.end - finding.start
            for other in cluster
        )
        return validated, finding.end - finding.start, -precedence[finding.kind]

    def close() -> None:
        if cluster:
            kind = max(cluster, key=rank).kind
            # A profile address is a URL to every URL detector (deduce's too, whose
            # span may differ by a character); the profile is the more precise kind.
            if kind is PiiKind.URL and any(f.kind is PiiKind.SOCIAL_MEDIA for f in cluster):
                kind = PiiKind.SOCIAL_MEDIA
            resolved.append(
                Finding(kind, min(f.start for f in cluster), max(f.end for f in cluster))
            )
            cluster.clear()

    for candidate in sorted(candidates, key=lambda f: (f.start, -f.end)):
        if cluster and candidate.start >= max(f.end for f in cluster):
            close()
        cluster.append(candidate)
    close()
    return resolved


def _merge_adjacent(text: str, findings: Sequence[Finding]) -> list[Finding]:
    merged: list[Finding] = []
    for finding in findings:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.kind is finding.kind
            and finding.kind in _MERGEABLE_KINDS
            and _MERGEABLE_GAP.match(text[previous.end : finding.start])
        ):
            merged[-1] = Finding(finding.kind, previous.start, finding.end)
        else:
            merged.append(finding)
    return merged


def _apply(
    text: str, findings: Sequence[Finding], generalisations: Sequence[Generalisation] = ()
) -> str:
    replacements = sorted(
        [
            *((f.start, f.end, PLACEHOLDERS[f.kind]) for f in findings),
            *((g.start, g.end, g.replacement) for g in generalisations),
        ]
    )
    parts: list[str] = []
    position = 0
    for start, end, replacement in replacements:
        parts.append(text[position:start])
        parts.append(replacement)
        position = end
    parts.append(text[position:])
    return "".join(parts)

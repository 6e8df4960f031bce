"""Checksum-validated and pattern detectors for identifying details.

These cover what deduce does not: BSN written with dots or spaces, IBAN (deduce
has no IBAN detector at all), the Dutch phone formats its phone pattern misses
(``+31 6 ...``, ``0031 ...``, ``+31 (0)...``, more than one hyphen), e-mail and
URL outside its short list of top-level domains, lower-case and spaced
postcodes, street names that are not in its street list, client and dossier
numbers with letters, and date spellings such as ``3 apr. 2024``; and what it
has no annotator for: licence plates, exact ages and birth years, social-media
handles and profiles, e-mail addresses written out ("naam at domein punt nl").

Every detector is a pure function ``text -> list[Finding]``; overlaps between
detectors are resolved by the redactor, not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from waakhond_intake.processing.privacy.findings import Finding, PiiKind

Detector = Callable[[str], list[Finding]]

# Most signal texts hold no digit at all, and every detector below except e-mail,
# URL and phone needs one; a single C-level scan lets them return at once
# instead of trying their patterns at every position. Each guard is a necessary
# condition of the pattern it protects, so results do not change.
_ANY_DIGIT = re.compile(r"\d")


def _has_digit(text: str) -> bool:
    return _ANY_DIGIT.search(text) is not None


# --------------------------------------------------------------------------- checksums


def is_valid_bsn(digits: str) -> bool:
    """The 11-proef for a BSN: 9 digits, weights 9..2 and -1, sum divisible by 11."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return False
    if digits == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


# Lengths of the IBAN countries a Dutch resident's account is likely to be in;
# other countries fall back to the ISO 13616 bounds.
_IBAN_LENGTHS: dict[str, int] = {
    "NL": 18,
    "BE": 16,
    "DE": 22,
    "FR": 27,
    "LU": 20,
    "GB": 22,
    "ES": 24,
    "IT": 27,
    "PT": 25,
    "AT": 20,
    "CH": 21,
    "PL": 28,
    "TR": 26,
    "IE": 22,
}


def is_valid_iban(iban: str) -> bool:
    """ISO 13616 check: known length for the country, then mod-97 == 1."""
    compact = iban.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isascii() or not compact.isalnum():
        return False
    if not (compact[:2].isalpha() and compact[2:4].isdigit()):
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


# --------------------------------------------------------------------------- BSN

# 9 digits, optionally grouped by single spaces, dots or hyphens
# (123456782, 123 456 782, 1234.56.782). Not part of a longer number, but
# letters may touch it ("BSN123456782").
_BSN_CANDIDATE = re.compile(r"(?<!\d)(?<!\d[.,/-])\d(?:[ .\-]?\d){8}(?!\d|[.,/\-]\d)")


def find_bsn(text: str) -> list[Finding]:
    """BSNs: 9 digits in any common grouping that pass the 11-proef."""
    found: list[Finding] = []
    if not _has_digit(text):
        return found
    for match in _BSN_CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if is_valid_bsn(digits):
            found.append(Finding(PiiKind.BSN, match.start(), match.end()))
    return found


# --------------------------------------------------------------------------- IBAN

_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2}")


def _iban_ends(text: str, start: int) -> Iterator[tuple[int, int]]:
    """Yield (end offset, alphanumeric count) after each alphanumeric char from start.

    A single space may separate characters, since IBANs are written in groups of
    four (and sometimes "NL 91 ABNA ..."). Stops at 34 characters or any other
    separator.
    """
    count = 0
    pos = start
    while pos < len(text) and count < 34:
        char = text[pos]
        if char.isascii() and char.isalnum():
            count += 1
            pos += 1
            yield pos, count
        elif char == " " and pos + 1 < len(text) and text[pos + 1].isalnum() and count >= 2:
            pos += 1
        else:
            return


def find_iban(text: str) -> list[Finding]:
    """IBANs, compact or in groups of four, upper or lower case, that pass mod-97."""
    found: list[Finding] = []
    if not _has_digit(text):
        return found
    taken_until = 0
    for match in _IBAN_START.finditer(text):
        start = match.start()
        if start < taken_until:
            continue
        best_end = None
        for end, count in _iban_ends(text, start):
            at_boundary = end == len(text) or not text[end].isalnum()
            if count >= 15 and at_boundary and is_valid_iban(text[start:end]):
                best_end = end
        if best_end is not None:
            found.append(Finding(PiiKind.IBAN, start, best_end))
            taken_until = best_end
    return found


# --------------------------------------------------------------------------- e-mail

_EMAIL = re.compile(
    r"(?<![\w.+%-])[\w.+%-]*\w"  # local part
    r"(?:\s?@\s?|\s?[\[(]\s?(?:at|AT|apenstaartje)\s?[\])]\s?)"  # @, or (at) / [at]
    r"\w[\w-]*(?:\.[\w-]+)*\.[A-Za-z]{2,24}\b"
)
# Addresses written out to fool harvesters: "naam at domein punt nl",
# "naam (at) domein (dot) com", "k punt jansen apenstaartje ziggo punt nl". A
# bare " at " or " punt " is an ordinary word too ("jongeren at risk", "het
# punt is"), so the written form needs both a separator and a common top-level
# domain at the end.
_AT_WORD = r"(?:\s?@\s?|\s?[\[(]\s?(?:at|AT|apenstaartje)\s?[\])]\s?|\s(?:at|AT|apenstaartje)\s)"
_DOT_WORD = r"(?:\.|\s?[\[(]\s?(?:dot|DOT|punt|PUNT)\s?[\])]\s?|\s(?:dot|DOT|punt|PUNT)\s)"
_COMMON_TLDS = r"(?i:nl|com|org|net|eu|be|de|fr|uk|info|nu|frl|io|email|online|amsterdam)"
_EMAIL_WRITTEN = re.compile(
    rf"(?<![\w.+%-])[\w+%-]+(?:{_DOT_WORD}[\w+%-]+)*"  # local part
    rf"{_AT_WORD}"
    rf"\w[\w-]*(?:{_DOT_WORD}\w[\w-]*)*?{_DOT_WORD}{_COMMON_TLDS}\b"
)
# The separator of _EMAIL and _EMAIL_WRITTEN other than "@", reduced to the
# characters around the word: no address without "@" or this.
_AT_WORD_SEPARATOR = re.compile(r"[\s\[(](?:at|AT|apenstaartje)[\s\])]")


def find_email(text: str) -> list[Finding]:
    """E-mail addresses, including ``naam(at)domein.nl`` and ``naam at domein punt nl``."""
    if "@" not in text and not _AT_WORD_SEPARATOR.search(text):
        return []
    spans = [m.span() for m in _EMAIL.finditer(text)]
    # Both patterns read "naam(at)domein.nl"; one finding is enough.
    seen = set(spans)
    spans.extend(m.span() for m in _EMAIL_WRITTEN.finditer(text) if m.span() not in seen)
    return [Finding(PiiKind.EMAIL, start, end) for start, end in spans]


# --------------------------------------------------------------------------- URL

_URL_EXPLICIT = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'\[\]]+")
_URL_BARE = re.compile(
    r"(?<![\w@.\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+"
    r"(?:nl|com|org|net|eu|info|be|nu|frl|io|amsterdam)\b(?![@\-])(?:/[^\s<>\"']*)?"
)
_URL_TRAILING = ".,;:!?)'\""
# What every match of _URL_EXPLICIT or _URL_BARE contains: a scheme or "www.",
# or a dot right before a known top-level domain.
_URL_MARKER = re.compile(
    r"(?i:https?://|www\.)|\.(?:nl|com|org|net|eu|info|be|nu|frl|io|amsterdam)\b"
)


def _url_end(text: str, start: int, end: int) -> int:
    """Where a matched web address really ends: trailing punctuation is the sentence's."""
    while end > start and text[end - 1] in _URL_TRAILING:
        # a closing parenthesis is part of the URL only if it opened inside it
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


def find_url(text: str) -> list[Finding]:
    """Web addresses: with scheme or www., or a bare domain on a common TLD."""
    found: list[Finding] = []
    if not _URL_MARKER.search(text):
        return found
    for pattern in (_URL_EXPLICIT, _URL_BARE):
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(f.start <= start < f.end for f in found):
                continue
            end = _url_end(text, start, end)
            if end > start:
                found.append(Finding(PiiKind.URL, start, end))
    return found


# --------------------------------------------------------------------------- social media

# A profile address names one person as surely as an e-mail address does. Only
# the platforms' own hosts count; any other address stays a URL.
_PROFILE_URL = re.compile(
    r"(?i)(?<![\w@.-])(?:https?://)?(?:(?:www|m|mobile|nl|nl-nl)\.)?"
    r"(?:(?:facebook\.com|fb\.com|fb\.me|instagram\.com|linkedin\.com|tiktok\.com"
    r"|twitter\.com|x\.com|snapchat\.com|threads\.net|bsky\.app)/"
    r"|youtube\.com/(?:@|c/|user/|channel/))"
    r"[^\s<>\"'\[\]]+"
)
# @name as the platforms allow it (letters, digits, underscore, inner dots, at
# most 30), not inside an e-mail address (a word character or dot before the @).
_HANDLE = re.compile(
    r"(?<![\w@.+/-])@(?=[\w.]*[A-Za-z])[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])"
)
# "op Instagram als annie_dekker52", "TikTok-account: jayden.2008": a name
# without the @ counts only after the platform and only when it has what
# ordinary words lack (a digit, an underscore or an inner dot).
_HANDLE_AFTER_PLATFORM = re.compile(
    r"(?ai:\b(?:instagram|insta|tiktok|snapchat|snap|twitter|facebook|threads|bluesky)"
    r"(?:-?(?:account|naam|profiel))?)"
    r"(?:\s*:|\s+(?:als|heet(?:\s+(?:hij|zij|ze))?|onder\s+de\s+naam))\s+"
    r"(?P<handle>(?=[\w.]*[A-Za-z])(?=[\w.]*(?:\d|_|[A-Za-z0-9]\.[A-Za-z0-9]))"
    r"[A-Za-z0-9_][A-Za-z0-9_.]{2,28}[A-Za-z0-9_])(?![\w@])"
)


# Every match of _HANDLE_AFTER_PLATFORM holds one of these (in lower case).
_PLATFORMS = ("insta", "tiktok", "snap", "twitter", "facebook", "threads", "bluesky")


def find_social_media(text: str) -> list[Finding]:
    """Social-media profile addresses, @handles, and handles named after the platform."""
    found: list[Finding] = []
    if "/" in text:
        for match in _PROFILE_URL.finditer(text):
            end = _url_end(text, match.start(), match.end())
            if end > match.start():
                found.append(Finding(PiiKind.SOCIAL_MEDIA, match.start(), end))
    if "@" in text:
        # The "@" of "tiktok.com/@naam" follows a slash, so it is no separate handle;
        # one that overlaps a profile otherwise is merged with it by the redactor.
        found.extend(
            Finding(PiiKind.SOCIAL_MEDIA, m.start(), m.end()) for m in _HANDLE.finditer(text)
        )
    lowered = text.lower()
    if any(platform in lowered for platform in _PLATFORMS):
        found.extend(
            Finding(PiiKind.SOCIAL_MEDIA, m.start("handle"), m.end("handle"))
            for m in _HANDLE_AFTER_PLATFORM.finditer(text)
        )
    return found


# --------------------------------------------------------------------------- phone

_PHONE_START = re.compile(r"(?<![\d+])(?<!\d[.,/-])(?:\(\s?)?(?:(?P<intl>\+|00)\s?31|0)")
_PHONE_SEPARATORS = frozenset(" -./()")
_SERVICE_PREFIXES = ("0800", "0900", "0906", "0909")
_DATE_PREFIX = re.compile(r"^\(?\d{1,2}([-/.])\d{1,2}\1(?:19|20)\d{2}")


def _collect_digits(text: str, pos: int, wanted: set[int]) -> tuple[int, str] | None:
    """Read digits from pos, allowing up to 3 separator chars between them.

    Returns (end, digits) for the longest digit count in ``wanted`` that ends the
    number: no digit follows directly or after a single '-' or '.'.
    """
    digits = ""
    best: tuple[int, str] | None = None
    gap = 0
    while pos < len(text) and len(digits) < max(wanted):
        char = text[pos]
        if char.isdigit() and char.isascii():
            digits += char
            gap = 0
            pos += 1
            if len(digits) in wanted:
                best = (pos, digits)
        elif char in _PHONE_SEPARATORS and gap < 3 and digits:
            gap += 1
            pos += 1
        else:
            break
    if best is None:
        return None
    end, found = best
    rest = text[end : end + 2]
    if rest[:1].isdigit() or rest[:1].isalpha() or (rest[:1] in "-." and rest[1:2].isdigit()):
        return None
    return end, found


def find_phone(text: str) -> list[Finding]:
    """Dutch phone numbers: 06, area codes, +31/0031 with or without (0), 0800/0900."""
    found: list[Finding] = []
    # Every start _PHONE_START accepts holds a "0" or a "+".
    if "0" not in text and "+" not in text:
        return found
    taken_until = 0
    for match in _PHONE_START.finditer(text):
        start = match.start()
        if start < taken_until:
            continue
        if match.group("intl"):
            pos = match.end()
            while pos < len(text) and text[pos] in " -)":
                pos += 1
            trunk = re.match(r"\(\s?0\s?\)\s?-?\s?", text[pos:])
            if trunk:
                pos += trunk.end()
            if pos >= len(text) or not ("1" <= text[pos] <= "9"):
                continue
            result = _collect_digits(text, pos, {9})
        else:
            pos = text.index("0", start)
            national = re.sub(r"\D", "", text[pos : pos + 8])
            wanted = {8, 11} if national.startswith(_SERVICE_PREFIXES) else {10}
            if len(national) > 1 and national[1] == "0" and wanted == {10}:
                continue
            result = _collect_digits(text, pos, wanted)
        if result is None:
            continue
        end, _ = result
        if text[start] == "(" and text.count("(", start, end) > text.count(")", start, end):
            start += 1
            while text[start] == " ":
                start += 1
        if _DATE_PREFIX.match(text[start:end]):
            continue
        found.append(Finding(PiiKind.PHONE, start, end))
        taken_until = end
    return found


# --------------------------------------------------------------------------- postcode

# Letter pairs SA, SD and SS are never issued; lower case without a space is
# accepted, except units that read like a postcode (2000mg, 1500km).
_POSTCODE = re.compile(r"(?<![\w.,/€-])[1-9]\d{3}(?: {0,2}[A-Z]{2}|[a-z]{2})(?!\w)")
_POSTCODE_AFTER_KEYWORD = re.compile(r"(?i)\bpostcode\s*:?\s*([1-9]\d{3}\s?[a-z]{2})(?!\w)")
_NOT_POSTCODE_LETTERS = frozenset(
    {"SA", "SD", "SS", "mg", "gr", "kg", "km", "cm", "mm", "ml", "cl", "dl", "kb", "mb"}
    | {"gb", "pk", "ha", "jr", "uu", "st", "ct", "pp", "mn", "ie", "kw", "hz", "eu"}
)


def find_postcode(text: str) -> list[Finding]:
    """Dutch postcodes: 1234 AB, 1234AB, 1234ab, and 'postcode 1234 ab'."""
    if not _has_digit(text):
        return []
    found = [
        Finding(PiiKind.POSTCODE, m.start(), m.end())
        for m in _POSTCODE.finditer(text)
        if m.group()[-2:] not in _NOT_POSTCODE_LETTERS
    ]
    found.extend(
        Finding(PiiKind.POSTCODE, m.start(1), m.end(1))
        for m in _POSTCODE_AFTER_KEYWORD.finditer(text)
    )
    return found


# --------------------------------------------------------------------------- street + number

_SUFFIX_ANY_CASE = (
    r"(?:straat|straatweg|str\.|str|laan|plein|gracht|kade|singel|dreef|steeg|plantsoen"
    r"|boulevard|dijk)"
)
_SUFFIX_CAPITALISED = (
    r"(?:straat|straatweg|str\.|str|laan|plein|gracht|kade|singel|dreef|steeg|plantsoen"
    r"|boulevard|dijk"
    r"|weg|hof|pad|park|markt|dam|wal|baan|ring|erf|allee|haven|zijde|veld|hoven|akker|kamp"
    r"|burcht|wetering|vaart|horst|hage|donk|brink|es|stede|gaarde|ven|dreve|lei)"
)
_LETTER = r"[A-Za-zÀ-ÖØ-öø-ÿ'’]"
# Words that start multi-word street names in the BAG (Burgemeester de Withstraat,
# Prins Hendrikkade, 2e Hugo de Grootstraat); ordinary sentence words never do.
_STREET_LEAD_WORDS = (
    r"(?:Burgemeester|Burg\.|Prins|Prinses|Koning|Koningin|Graaf|Gravin|Hertog|Jonkheer"
    r"|Dokter|Dr\.|Professor|Prof\.|Pastoor|Kapelaan|Generaal|Admiraal|Kolonel|Majoor|Kardinaal"
    r"|Sint|St\.|Lange|Korte|Oude|Nieuwe|Hoge|Lage|Grote|Kleine|Groot|Klein|Noord|Zuid|Oost"
    r"|West|Binnen|Buiten|Eerste|Tweede|Derde|Vierde|[1-4]e|Van|De|Den|Ter|Ten|Het|Jan|Piet"
    r"|Willem|Johan|Hendrik|Pieter|Cornelis|Laan|Plein|Hof|Weg|Kade|Singel|Gracht|Dreef|Ring)"
)
_STREET_PARTICLES = r"(?:van|de|der|den|het|'t|ter|ten|te|op|aan|in|la|le|du|des|v\.d\.)"
_HOUSE_NUMBER = (
    r"(?:(?:op\s+)?(?:nr\.?|no\.?|nummer|huisnummer)\s*)?\d{1,5}"
    r"(?:\s?-?\s?(?:bis|hs|huis|bg|bel|boven|beneden|zw|rd|[IV]{1,3}|[A-Za-z]|\d{1,4})(?![\w']))?"
)
_UNIT_WORDS = (
    r"(?:jaar|jaren|jr|uur|keer|weken|week|maanden|maand|dagen|dag|minuten|procent|%|euro"
    r"|kinderen|mensen|cliënten|clienten|gezinnen|personen|plekken|plaatsen|bedden|km|kilometer"
    r"|meter|m|inwoners|woningen|huizen|aanvragen|signalen)\b"
)
_STREET_WORD = (
    rf"(?:[A-Z]{_LETTER}*(?:-{_LETTER}+)*{_SUFFIX_CAPITALISED}"
    rf"|[a-zà-ÿ]{_LETTER}+{_SUFFIX_ANY_CASE})"
)
_STREET_WITH_NUMBER = re.compile(
    rf"(?<![\w-])(?:{_STREET_LEAD_WORDS}\s+(?:(?:{_STREET_PARTICLES}|[A-Z]{_LETTER}*\.?)\s+){{0,3}})?"
    rf"{_STREET_WORD}\s*,?\s+(?P<number>{_HOUSE_NUMBER})(?![\w,.]\d)(?!\s+{_UNIT_WORDS})(?!\d)"
)
# "Laan van Meerdervoort 55", "Plein 1992 3": the generic word comes first.
_STREET_GENERIC_FIRST = re.compile(
    r"(?<![\w-])(?:Laan|Plein|Hof|Weg|Kade|Singel|Gracht|Dreef|Ring|Park|Markt|Wal|Dijk)"
    rf"\s+(?:{_STREET_PARTICLES}\s+){{1,3}}(?:[A-Z]{_LETTER}*[\s-]?){{1,3}}?\s*"
    rf"(?P<number>{_HOUSE_NUMBER})(?![\w,.]\d)(?!\s+{_UNIT_WORDS})(?!\d)"
)


def find_street_address(text: str) -> list[Finding]:
    """A street name followed by a house number (with additions like 12a, 12-3, 12 bis)."""
    found: list[Finding] = []
    if not _has_digit(text):
        return found
    for pattern in (_STREET_WITH_NUMBER, _STREET_GENERIC_FIRST):
        for match in pattern.finditer(text):
            start, end = match.span()
            while end > start and text[end - 1] in " ,":
                end -= 1
            found.append(Finding(PiiKind.ADDRESS, start, end))
    return found


# --------------------------------------------------------------------------- dates

_MONTHS = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november"
    r"|december|jan|feb|febr|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)"
)
_YEAR = r"(?:(?:19|20)\d{2}|['’`]\d{2})"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])"
_DATE_PATTERNS = (
    # 3 april 1952, 3 apr. 2024, 3e april '52, 03-apr-2024
    re.compile(
        rf"(?i)(?<![\w.,/-]){_DAY}(?:e|ste|de)?[\s.\-/]{{0,2}}{_MONTHS}\.?[\s.\-/]{{1,2}}{_YEAR}(?!\d)"
    ),
    # 03-04-1952, 3/4/52, 03.04.1952
    re.compile(
        rf"(?<![\w.,/-]){_DAY}(?P<sep>[-/.]){_MONTH_NUMBER}(?P=sep)(?:(?:19|20)\d{{2}}|\d{{2}}|['’`]\d{{2}})(?![\w]|[-/.]\d)"
    ),
    # 1952-04-03
    re.compile(
        rf"(?<![\w.,/-])(?:19|20)\d{{2}}(?P<sep>[-/.]){_MONTH_NUMBER}(?P=sep){_DAY}(?![\w]|[-/.]\d)"
    ),
)


def find_date(text: str) -> list[Finding]:
    """Full dates (day, month and year); a month and year alone are kept."""
    if not _has_digit(text):
        return []
    return [
        Finding(PiiKind.DATE, m.start(), m.end())
        for pattern in _DATE_PATTERNS
        for m in pattern.finditer(text)
    ]


# --------------------------------------------------------------------------- identifiers

_ID_KEYWORD = re.compile(
    r"(?i)\b(?:(?:cli[eë]nt|dossier|zaak|klant|relatie|registratie|polis|referentie|aanvraag"
    r"|beschikkings?|factuur|verzekerden?|debiteur|inschrijf|pas|zorgpas|lid|personeels|cak|svb"
    r"|uwv|digid|wmo|wlz|pgb|paspoort|rijbewijs|id-kaart|contract|ref|cl\.?)[\s-]*"
    r"(?:nummer|nr\.?|no\.?|id|code)"
    r"|kenmerk|ref\.|polis|dossier|zaak)"
    r"(?:\s*(?:is|was|:|#|\.)\s*){0,2}\s*"
    r"(?=[A-Za-z0-9])"
)
# A value is one token ("WMO-2023-11872", "Z/23/004512") or groups of one, split
# by single spaces or a spaced hyphen or slash ("1234 567 89", "ZV 12345678",
# "K 0012 3344"). A group after the first holds a digit; a first group of
# letters only is a short upper-case prefix.
_ID_GROUP = re.compile(r"[A-Za-z0-9](?:[\w/.-]*[A-Za-z0-9])?")
_ID_NEXT_GROUP = re.compile(r"(?: | ?[-/] ?)([A-Za-z0-9](?:[\w/.-]*[A-Za-z0-9])?)")
_ID_PREFIX = re.compile(r"^[A-Z]{1,4}$")
_YEAR_ONLY = re.compile(r"^(?:19|20)\d{2}$")
_LONG_TOKEN = re.compile(r"(?<![\w/.-])[A-Za-z0-9]+(?:[-/._][A-Za-z0-9]+)*(?![\w/-])")
_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d{2}[-/](?:19|20)?\d{2}$")
_AMOUNT_CONTEXT_BEFORE = re.compile(r"(?:€|EUR|eur)\s*$")
_AMOUNT_CONTEXT_AFTER = re.compile(r"^\s*(?:euro|EUR)\b")
_QUANTITY_AFTER = re.compile(rf"\s+{_UNIT_WORDS}")


def _identifier_value(text: str, position: int) -> tuple[int, int] | None:
    """The span of the value that starts at ``position`` after a keyword, if it is one."""
    first = _ID_GROUP.match(text, position)
    if first is None:
        return None
    end = first.end()
    if first.group().isalpha() and not _ID_PREFIX.match(first.group()):
        return None
    while (group := _ID_NEXT_GROUP.match(text, end)) is not None:
        part = group.group(1)
        # "12345 3 keer", "12345 en": a short or digitless word is the sentence going on,
        # and "12345 18 jaar" a quantity.
        if len(part) < 2 or not any(char.isdigit() for char in part):
            break
        if _QUANTITY_AFTER.match(text, group.end()):
            break
        end = group.end()
    value = text[position:end]
    if sum(char.isdigit() for char in value) < 3:
        return None
    if _YEAR_ONLY.match(value) or _YEAR_RANGE.match(value):
        return None
    return position, end


def find_identifier(text: str) -> list[Finding]:
    """Client, dossier and case numbers, and other long numeric identifiers.

    After a keyword (cliëntnummer, dossiernr., zaaknummer, polis, kenmerk ...)
    a value with at least 3 digits is an identifier, also in spaced groups
    ("1234 567 89", "ZV 12345678"). Without a keyword a token needs 7 digits
    (digits only) or 6 digits (mixed with letters or separators), and amounts,
    thousands-grouped numbers and year ranges are kept.
    """
    found: list[Finding] = []
    if not _has_digit(text):
        return found
    for match in _ID_KEYWORD.finditer(text):
        span = _identifier_value(text, match.end())
        if span is not None:
            found.append(Finding(PiiKind.IDENTIFIER, *span))
    for match in _LONG_TOKEN.finditer(text):
        token = match.group()
        # A token shorter than six characters cannot hold six digits.
        if len(token) < 6:
            continue
        digits = sum(char.isdigit() for char in token)
        mixed = not token.isdigit()
        if digits < (6 if mixed else 7):
            continue
        if any(f.start <= match.start() < f.end for f in found):
            continue
        if _THOUSANDS.match(token) or _YEAR_RANGE.match(token):
            continue
        before = text[max(0, match.start() - 5) : match.start()]
        after = text[match.end() : match.end() + 6]
        if _AMOUNT_CONTEXT_BEFORE.search(before) or _AMOUNT_CONTEXT_AFTER.match(after):
            continue
        found.append(Finding(PiiKind.IDENTIFIER, match.start(), match.end()))
    return found


# --------------------------------------------------------------------------- licence plates

# The fourteen sidecodes of Dutch registration plates (L a letter, D a digit),
# in the order the RDW issued them since 1951.
SIDECODES: tuple[str, ...] = (
    "LL-DD-DD",
    "DD-DD-LL",
    "DD-LL-DD",
    "LL-DD-LL",
    "LL-LL-DD",
    "DD-LL-LL",
    "DD-LLL-D",
    "D-LLL-DD",
    "LL-DDD-L",
    "L-DDD-LL",
    "LLL-DD-L",
    "L-DD-LLL",
    "D-LL-DDD",
    "DDD-LL-D",
)
# Since sidecode 4 plates have no vowels, and never C, Q or Y (too like 0 or
# each other); the first three sidecodes used nearly every letter.
_PLATE_LETTERS_OLD = "A-Z"
_PLATE_LETTERS = "BDFGHJKLMNPRSTVWXZ"


def _plate(sidecode: str, letters: str, separator: str) -> str:
    return separator.join(
        f"[{letters if group[0] == 'L' else '0-9'}]{{{len(group)}}}"
        for group in sidecode.split("-")
    )


def _plate_alternatives(separator: str, *, compact: bool = False) -> str:
    patterns = []
    for number, sidecode in enumerate(SIDECODES, 1):
        # Written without hyphens, a plate of two groups reads as a postcode
        # ("1234AB") or a code ("NL2030"); only plates of three groups are
        # recognised compact.
        if compact and number in (1, 2, 5, 6):
            continue
        upper = _PLATE_LETTERS_OLD if number <= 3 else _PLATE_LETTERS
        patterns.append(_plate(sidecode, upper, separator))
        if number > 3 and not compact:
            patterns.append(_plate(sidecode, _PLATE_LETTERS.lower(), separator))
    return "|".join(patterns)


# Written as issued: upper case (or, without vowels, lower case) with hyphens,
# or upper case without them. Never part of a longer hyphenated word.
_PLATE = re.compile(
    rf"(?<![\w-])(?:{_plate_alternatives('-')}|{_plate_alternatives('', compact=True)})"
    r"(?![\w]|-\w)"
)
# After "kenteken" anything shaped like a plate counts: any case, and groups
# split by a hyphen, a space, a dot or nothing.
_PLATE_AFTER_KEYWORD = re.compile(
    r"(?i)\b(?:kenteken(?:nummer|plaat)?|nummerbord)\s*(?::|is)?\s*"
    rf"(?P<plate>(?<![\w-])(?:{_plate_alternatives('[-. ]?')})"
    r"(?![\w]|-\w))"
)


def find_licence_plate(text: str) -> list[Finding]:
    """Dutch licence plates of every sidecode, with or without hyphens."""
    if not _has_digit(text):
        return []
    spans = [m.span() for m in _PLATE.finditer(text)]
    seen = set(spans)
    spans.extend(
        m.span("plate") for m in _PLATE_AFTER_KEYWORD.finditer(text) if m.span("plate") not in seen
    )
    return [Finding(PiiKind.LICENCE_PLATE, start, end) for start, end in spans]


# --------------------------------------------------------------------------- ages

# An exact age next to a diagnosis and a small place can single out one person
# ("een 97-jarige met ALS op het eiland"); the age band every signal carries is
# coarse on purpose. Only ages that describe a person count: an age limit in a
# rule ("vanaf 18 jaar", "jongeren van 16 tot 27", "18-jarigen"), a duration
# ("wacht al 2 jaar") or the age of a building or contract is kept.
#
# Each form is read around a number: what must stand before it (a pattern
# that ends the text before the number) and after it (one that starts the text
# after it). Numbers are rare in signal texts, so this costs next to nothing
# for most of them.
PERSON_NOUNS = (
    r"(?:man|vrouw|meisje|jongen|jongere|jongeman|jongedame|dame|heer|meneer|mijnheer|mevrouw"
    r"|cliënte?|cliente?|moeder|vader|oma|opa|zoon|dochter|kind|kindje|baby|peuter|kleuter"
    r"|tiener|puber|weduwe|weduwnaar|bewoner|bewoonster|patiënte?|patiente?|oudere"
    r"|mantelzorger|broer|zus|student|studente|leerling|echtgenoot|echtgenote|partner|buurman"
    r"|buurvrouw|jeugdige|jochie|knul|meid)"
)
# Nouns after which "van 58" is an age without "jaar": not "moeder van 3".
_AGE_VAN_NOUNS = (
    r"(?:man|vrouw|meisje|jongen|jongere|jongeman|dame|heer|meneer|mevrouw|cliënte?|cliente?"
    r"|kind|baby|peuter|kleuter|tiener|puber|weduwe|weduwnaar|bewoner|bewoonster|patiënte?"
    r"|patiente?|oudere|jeugdige|zoon|dochter)"
)
_PERSON_SUBJECTS = rf"(?:hij|zij|ze|{PERSON_NOUNS})"
_NUMBER = re.compile(r"(?<![\d.,])\d{1,4}(?![\d]|[.,]\d)")
_OLDEST_AGE = 120
# Ages at which the law changes what someone is entitled to (Jeugdwet, verlengde
# jeugdhulp, Participatiewet, AOW): "op 18-jarige leeftijd", "vanaf de leeftijd
# van 18 jaar" and "na zijn 18e verjaardag" state a rule, not a person's age.
_LEGAL_AGE_LIMITS = frozenset({16, 18, 21, 23, 27, 65, 66, 67})
# Words after "NN-jarige" that make it the age of a thing, not of a person.
_NOT_A_PERSON_AFTER_JARIGE = frozenset(
    {"bestaan", "jubileum", "huwelijk", "dienstverband", "dienst", "loopbaan", "carrière"}
    | {"ervaring", "looptijd", "periode", "termijn", "contract", "hypotheek", "garantie"}
    | {"geschiedenis", "traditie", "samenwerking", "project", "relatie", "verblijf"}
    | {"opleiding", "wachttijd", "lidmaatschap", "aanwezigheid", "huurcontract"}
)
# How far before a number its form is looked for: the longest form needs
# fewer characters ("de leeftijd van ", "echtgenote was nog maar ").
_BEFORE_WINDOW = 48


@dataclass(frozen=True, slots=True)
class _AgeForm:
    """One way of writing an age: the text before the number, and from the number on."""

    before: re.Pattern[str]  # searched up to the number (endpos); ends with $
    after: re.Pattern[str]  # matched at the number's end; the span ends at group "unit" or 0
    # True when an age limit of the law in this form is a rule, not a person's age.
    rule_at_limits: bool = False


_AGE_FORMS: tuple[_AgeForm, ...] = (
    # "een 97-jarige", "de 17-jarige zoon"; "18-jarigen" is a group
    _AgeForm(
        re.compile(r"(?:^|[^\w,/-])$"),
        re.compile(r"(?i)(?P<unit>\s?-?\s?jarige)(?![\w-])(?:\s+(?P<next>\w+))?"),
    ),
    # "cliënte (45)", "een man (82 jaar)"
    _AgeForm(
        re.compile(rf"(?i)\b{PERSON_NOUNS}\s*\(\s*$"),
        re.compile(r"(?i)(?P<unit>\s*(?:jaar|jr\b\.?))?\s*\)"),
    ),
    # "zij is 91 en", "meneer is 88 jaar oud", "hij was pas 17 toen"
    _AgeForm(
        re.compile(
            rf"(?i)\b{_PERSON_SUBJECTS}\s+(?:is|was)\s+"
            r"(?:(?:nu|inmiddels|pas|bijna|ruim|net|ongeveer|zelf|toen|nog\s+maar)\s+)?$"
        ),
        re.compile(
            r"(?i)(?P<unit>\s+jaar)?"
            r"(?=\s+oud\b|\s*[.,;:!?)]|\s*$|\s+(?:en|maar|toen)\b(?!\s+(?:\d|een\s+half)))"
        ),
    ),
    # "een vrouw van 71 met dementie"
    _AgeForm(
        re.compile(rf"(?i)\b{_AGE_VAN_NOUNS}\s+van\s+$"),
        re.compile(
            r"(?i)(?=\s*[.,;:!?)]|\s*$|\s+(?:met|die|en|maar|uit|in|zonder|woont|heeft|had|is"
            r"|was|wacht|krijgt|kreeg|kan|kon|wil|moet|zit|valt|viel|op|bij|voor|toen|werd"
            r"|wordt|raakt|vindt|komt|kwam|gaat|ging|staat|ligt|lag|leeft)\b)"
        ),
    ),
    # "een man van 64 jaar"
    _AgeForm(
        re.compile(rf"(?i)\b{PERSON_NOUNS}\s+van\s+$"),
        re.compile(r"(?i)(?P<unit>\s+jaar)(?!\s+(?:geleden|lang)\b)"),
    ),
    # "een 93 jaar oude weduwe"
    _AgeForm(
        re.compile(r"(?:^|[^\w,.-])$"),
        re.compile(rf"(?i)(?P<unit>\s+jaar)\s+oude\s+{PERSON_NOUNS}\b"),
    ),
    # "leeftijd: 16 jaar", "een leeftijd van 97"; not "vanaf de leeftijd van 18 jaar"
    _AgeForm(
        re.compile(r"(?i)(?<!\bde\s)\bleeftijd(?:\s*:\s*|\s+van\s+|\s+)$"),
        re.compile(r"(?i)(?P<unit>\s+jaar)?(?!\s*(?:-|tot|à|t/m|en\s+\d))"),
    ),
    _AgeForm(
        re.compile(r"(?i)\bde\s+leeftijd\s+van\s+$"),
        re.compile(r"(?i)(?P<unit>\s+jaar)?(?!\s*(?:-|tot|à|t/m|en\s+\d))"),
        rule_at_limits=True,
    ),
    # "haar 100ste verjaardag"; "na zijn 18e verjaardag" is the rule
    _AgeForm(
        re.compile(r"(?:^|[^\w-])$"),
        re.compile(r"(?i)(?P<unit>e|ste|de)\s+verjaardag\b"),
        rule_at_limits=True,
    ),
)


def find_age(text: str) -> list[Finding]:
    """Exact ages of a person: "97-jarige", "zij is 91", "een man van 64 jaar", "(45)"."""
    found: list[Finding] = []
    if not _has_digit(text):
        return found
    for number in _NUMBER.finditer(text):
        age = int(number.group())
        if age > _OLDEST_AGE:
            continue
        ends = [
            form_end
            for form in _AGE_FORMS
            if (form_end := _age_form_end(form, text, number, age)) is not None
        ]
        if ends:
            found.append(Finding(PiiKind.AGE, number.start(), max(ends)))
    return found


def _age_form_end(form: _AgeForm, text: str, number: re.Match[str], age: int) -> int | None:
    """Where the age ends in this form; None if the number is not an age in this form."""
    start, end = number.span()
    match = form.after.match(text, end)
    if match is None or form.before.search(text, max(0, start - _BEFORE_WINDOW), start) is None:
        return None
    if form.rule_at_limits and age in _LEGAL_AGE_LIMITS:
        return None
    groups = match.groupdict()
    following = (groups.get("next") or "").casefold()
    if following in _NOT_A_PERSON_AFTER_JARIGE:
        return None
    if following == "leeftijd" and age in _LEGAL_AGE_LIMITS:
        return None
    return match.end("unit") if groups.get("unit") else end


# "Mevrouw Jansen (82)", "Meneer De Graaf, 79, woont": an age right after a name.
_AGE_AFTER_NAME = re.compile(
    r"\s*\(\s*(?P<paren>(?:1[01]\d|120|\d{1,2})(?:\s*(?:jaar|jr\b\.?))?)\s*\)"
    r"|,\s*(?P<comma>(?:1[01]\d|120|\d{1,2})(?:\s+jaar)?)\s*,"
)


def age_after_name(text: str, name_end: int) -> Finding | None:
    """The age written right after a name that ends at ``name_end``, if there is one."""
    match = _AGE_AFTER_NAME.match(text, name_end)
    if match is None:
        return None
    group = "paren" if match.group("paren") else "comma"
    return Finding(PiiKind.AGE, match.start(group), match.end(group))


# --------------------------------------------------------------------------- birth years

# A year that can be someone's birth year, read as a whole number ("'52" too).
_YEAR_CANDIDATE = re.compile(r"(?<![\w.,/'’`-])(?:(?:19|20)\d{2}|['’`]\d{2})(?![\w'’]|[-/.,]\d)")
_BIRTH_YEAR_BEFORE = (
    # "geboren in 1931", "(geb. 1948)", "geboren in maart 1939", "geboren in '52"
    re.compile(
        rf"(?i)\b(?:geboren|geb\.?)\s*:?\s+(?:in\s+)?(?:het\s+jaar\s+)?(?P<month>{_MONTHS}\.?\s+)?$"
    ),
    # "geboortejaar: 2006"
    re.compile(r"(?i)\b(?:geboortejaar|jaar\s+van\s+geboorte)\s*(?::|is)?\s*$"),
    # "mevrouw is van 1929"
    re.compile(rf"(?i)\b{_PERSON_SUBJECTS}\s+(?:is|was)\s+van\s+$"),
)
# "hij is in 2007 geboren"
_BORN_IN_YEAR_BEFORE = re.compile(r"(?i)\b(?:is|was|werd)\s+in\s+$")
_BORN_AFTER = re.compile(r"(?i)\s+geboren\b")


def find_birth_year(text: str) -> list[Finding]:
    """A person's year of birth (with the month when given); a full date is a date."""
    found: list[Finding] = []
    if not _has_digit(text):
        return found
    for year in _YEAR_CANDIDATE.finditer(text):
        start, end = year.span()
        window = max(0, start - _BEFORE_WINDOW)
        for pattern in _BIRTH_YEAR_BEFORE:
            match = pattern.search(text, window, start)
            if match is not None:
                if match.groupdict().get("month"):
                    start = match.start("month")
                found.append(Finding(PiiKind.BIRTH_YEAR, start, end))
                break
        else:
            if _BORN_IN_YEAR_BEFORE.search(text, window, start) and _BORN_AFTER.match(text, end):
                found.append(Finding(PiiKind.BIRTH_YEAR, start, end))
    return found


# --------------------------------------------------------------------------- names after a role

# Family and neighbourhood roles are followed by a first or family name far more
# often than by anything else ("haar zoon Kevin", "oma Riet", "gezin El Khatib").
# deduce only uses formal titles (mevrouw, dhr.) that way, so names missing from
# its lists slip through after these words.
ROLE_WORDS = (
    r"(?:oma|opa|zoon|zoontje|dochter|dochtertje|zus|zusje|broer|broertje|moeder|vader|tante|oom"
    r"|neef|nicht|buurman|buurvrouw|partner|echtgenoot|echtgenote|vriend|vriendin|kleinzoon"
    r"|kleindochter|schoonzoon|schoondochter|gezin|familie|cliënte?|mantelzorger|begeleider"
    r"|man|vrouw|jongen|meisje|stiefvader|stiefmoeder|pleegmoeder|pleegvader|ex)"
)
_NAME_PARTICLES = (
    r"(?:El|Al|Ben|Bin|Abu|Ait|Van|De|Ter|Ten|Den|Du|Le|La|Da|Di|Dos"
    r"|Van\s+der|Van\s+den|Van\s+de|Van\s+het)"
)
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+"
_NAME_AFTER_ROLE = re.compile(
    rf"(?<![\w-])(?i:{ROLE_WORDS})\s+"
    rf"(?P<name>(?:{_NAME_PARTICLES}\s+)?{_NAME_WORD}(?:[\s-](?:{_NAME_PARTICLES}\s+)?{_NAME_WORD})*)"
)


def find_name_after_role(text: str) -> list[Finding]:
    """A capitalised name right after a family or neighbourhood role word."""
    return [
        Finding(PiiKind.NAME, m.start("name"), m.end("name"))
        for m in _NAME_AFTER_ROLE.finditer(text)
    ]


PATTERN_DETECTORS: tuple[Detector, ...] = (
    find_bsn,
    find_iban,
    find_email,
    find_url,
    find_social_media,
    find_phone,
    find_licence_plate,
    find_postcode,
    find_street_address,
    find_date,
    find_birth_year,
    find_age,
    find_identifier,
)


def detect_patterns(text: str) -> list[Finding]:
    """All pattern detectors' findings, unsorted and possibly overlapping."""
    return [finding for detector in PATTERN_DETECTORS for finding in detector(text)]

"""Import and wrap deduce without letting it take over logging or stdout.

Waakhond's own adapter. The parts of the prescreen that reproduce deduce's and docdeid's
internals are in ``deduce_internals``, with their upstream, versions and licence notices.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any

from waakhond_intake.processing.privacy.compact_lookup import (
    compact_lookup_structs,
    load_compact_cache,
)
from waakhond_intake.processing.privacy.deduce_internals import (
    TokenTextList,
    deduce_with_lookup_structs,
    leaf_processors,
    lookup_finds,
    token_pattern_finds,
    token_splitter,
    words_finds,
)

logger = logging.getLogger(__name__)
_import_lock = threading.Lock()


def import_deduce() -> ModuleType:
    """Import deduce, undoing the logging set-up it does at import time.

    ``deduce.deduce`` calls ``logging.basicConfig(stream=sys.stdout,
    level=logging.DEBUG)`` when imported. In a process whose root logger has no
    handler yet, that sends every library's debug logging to stdout, which
    breaks JSON Lines output and floods the service logs. The root logger is
    restored to what it was before the import.
    """
    with _import_lock:
        loaded: ModuleType | None = sys.modules.get("deduce")
        if loaded is not None:
            return loaded
        root = logging.getLogger()
        handlers = list(root.handlers)
        level = root.level
        with contextlib.redirect_stdout(sys.stderr):
            deduce = importlib.import_module("deduce")
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
        return deduce


def lookup_dir() -> Path:
    """deduce's lookup directory inside the installed package (sources and cache)."""
    return Path(str(import_deduce().__file__)).parent / "data" / "lookup"


def lookup_cache_file() -> Path:
    """Where deduce keeps its pickled lookup structures."""
    return lookup_dir() / "cache" / "lookup_structs.pickle"


def compact_cache_file() -> Path:
    """Where Waakhond keeps deduce's lookup structures with compact tries (``warmup``)."""
    return lookup_dir() / "cache" / "waakhond_compact_lookup.pickle"


def deduce_lookup_structs() -> Any:
    """deduce's own lookup structures: from its cache, or built (minutes) without one."""
    deduce = import_deduce()
    lookup_structs = importlib.import_module("deduce.lookup_structs")
    with contextlib.redirect_stdout(sys.stderr):
        return lookup_structs.get_lookup_structs(
            lookup_path=lookup_dir(),
            cache_path=lookup_dir(),
            tokenizer=deduce.Deduce._initialize_tokenizer(lookup_dir()),
            deduce_version=deduce.__version__,
        )


def load_lookup_structs() -> Any:
    """The lookup structures intake uses: deduce's, with its tries made compact."""
    cached = load_compact_cache(compact_cache_file())
    if cached is not None:
        return cached
    logger.warning(
        "compact lookup cache is missing or stale; building it from deduce's lists now, "
        "which holds deduce's full structures in memory for a while. "
        "Run 'python -m waakhond_intake.processing.privacy.warmup' at install time."
    )
    return compact_lookup_structs(deduce_lookup_structs())


class Category(StrEnum):
    """What a deduce annotation means for Waakhond."""

    NAME = "name"
    ADDRESS = "address"
    POSTCODE = "postcode"
    DATE = "date"
    BSN = "bsn"
    IDENTIFIER = "identifier"
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    # Kept in the text, but used to veto name annotations on the same words.
    PLACE = "place"
    INSTITUTION = "institution"


@dataclass(frozen=True, slots=True)
class Annotation:
    """A deduce annotation reduced to what the redactor needs."""

    category: Category
    start: int
    end: int


# Deduce tags placenames, postcodes, postbus addresses and street + number all
# as "locatie"; distinct tags keep municipality names (not identifying here)
# apart from the addresses that are.
_CONFIG_OVERRIDES: dict[str, Any] = {
    "annotators": {
        "placename": {"args": {"tag": "plaatsnaam"}},
        "postal_code": {"args": {"tag": "postcode"}},
        "postbus": {"args": {"tag": "postbus"}},
    }
}

_TAG_CATEGORIES: dict[str, Category] = {
    "persoon": Category.NAME,
    "patient": Category.NAME,
    "locatie": Category.ADDRESS,  # only street + house number after the overrides
    "postbus": Category.ADDRESS,
    "postcode": Category.POSTCODE,
    "plaatsnaam": Category.PLACE,
    "zorginstelling": Category.INSTITUTION,
    "ziekenhuis": Category.INSTITUTION,
    "datum": Category.DATE,
    "bsn": Category.BSN,
    "id": Category.IDENTIFIER,
    "telefoonnummer": Category.PHONE,
    "emailadres": Category.EMAIL,
    "url": Category.URL,
}

# deduce's age annotator is off: Waakhond's own detectors find ages and birth years and
# keep the age limits of rules ("vanaf 18 jaar"), which deduce's would not. The
# redaction step is Waakhond's own too: it needs the raw annotations, before deduce
# merges a postcode with the placename next to it.
_DISABLED_PROCESSORS = frozenset({"ages", "post_processing"})


class DeduceEngine:
    """One deduce instance, safe to share between threads.

    deduce does not document thread safety, so calls are serialised. Nothing is
    lost by that: annotation is pure-Python CPU work, which threads cannot run
    in parallel anyway.
    """

    def __init__(self) -> None:
        deduce = import_deduce()
        # The lookup structures are a few hundred thousand long-lived objects (strings of
        # the word lists, the tries' start words). Collections while they load find
        # nothing to free, and afterwards they are moved out of the collector's sight, so
        # that no full collection walks them again. Objects that exist at this point are
        # never collected as cycles, which is why this runs once, at start-up.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._deduce = deduce_with_lookup_structs(
                deduce, _CONFIG_OVERRIDES, load_lookup_structs()
            )
        finally:
            gc.collect()
            gc.freeze()
            if gc_was_enabled:
                gc.enable()
        self._lock = threading.Lock()
        self._document_class: Any = importlib.import_module("docdeid").Document
        self._prescreen = Prescreen.of(
            self._deduce.processors, _DISABLED_PROCESSORS, self._deduce.tokenizers.get("default")
        )
        self.version: str = deduce.__version__

    @property
    def lookup_structs(self) -> Any:
        """deduce's word lists as loaded (names, streets, places; tries are compact)."""
        return self._deduce.lookup_structs

    def annotate(self, text: str, *, prescreen: bool = True) -> list[Annotation]:
        """Annotations for every tag Waakhond uses, with spans in ``text``.

        With ``prescreen`` (the default) deduce's full pipeline is skipped for
        a window that :class:`Prescreen` proves it annotates nothing in; the
        result is the same either way.
        """
        annotations: list[Annotation] = []
        for start, end in windows(text):
            window = text[start:end]
            if prescreen and not self.may_annotate(window):
                continue
            with self._lock:
                found = self._annotate_window(window)
            annotations.extend(
                Annotation(_category(a.tag), start + a.start_char, start + a.end_char)
                for a in found
            )
        return annotations

    def may_annotate(self, text: str) -> bool:
        """False when deduce provably annotates nothing in ``text`` (one window)."""
        return self._prescreen is None or self._prescreen.may_annotate(text)

    def _annotate_window(self, text: str) -> list[Any]:
        # What Deduce.deidentify does, keeping the raw annotations.
        document = self._document_class(text, tokenizers=self._deduce.tokenizers)
        self._deduce.processors.process(document, disabled=_DISABLED_PROCESSORS)
        return list(document.annotations)


# --------------------------------------------------------------------------- prescreen


class TokenTexts(TokenTextList):
    """A text as deduce's tokenizer splits it, as strings.

    deduce's own tokens are frozen dataclasses linked to their neighbours, several times
    dearer to build than the strings; every question the prescreen asks can be answered
    from the strings.
    """

    __slots__ = ("_has_digit",)

    def __init__(self, text: str, tokens: list[str]) -> None:
        super().__init__(text, tokens)
        self._has_digit: bool | None = None

    @property
    def has_digit(self) -> bool:
        """Whether ``\\d`` matches anywhere in the text."""
        if self._has_digit is None:
            self._has_digit = _DIGIT.search(self.text) is not None
        return self._has_digit


# A step gets the token texts and the tags that may be present so far, and
# returns the tags that may be present after it, or None when it cannot tell.
_Step = Callable[[TokenTexts, frozenset[str]], frozenset[str] | None]
# Whether an annotator that makes annotations from nothing (a seed) finds
# anything in a text.
_Finds = Callable[[TokenTexts], bool]


class Prescreen:
    """Proves, cheaply, that deduce's pipeline annotates nothing in a text.

    Most signal texts hold no name, address or date, and deduce spends most of
    its time on them all the same: it builds a token object per word and every
    one of its thirty processors walks them. Every annotation deduce returns
    starts as the output of a *seed* annotator (a lookup in its lists, a token
    pattern, a regular expression); context annotators only extend
    annotations that exist, and annotation processors only transform or
    remove them. So the prescreen asks each seed annotator whether it finds
    anything, answered from the token texts alone (:class:`TokenTexts`, with
    deduce's own lists, tries and pattern matcher; for the BSN and phone
    annotators a match of their regular expression, before the check digit or
    digit count), and follows what the later processors could do with the
    tags found: street names without a house number are removed again, and
    any other survivor means "run deduce".

    Built from the tokenizer and processors actually loaded; a type it does not
    know makes it give up (``of`` returns None), so a deduce upgrade cannot
    silently skip work. Tests compare it with the full pipeline. It only reads
    deduce's structures, so it runs outside the engine's lock.
    """

    def __init__(self, steps: Sequence[_Step], split: Callable[[str], list[str]]) -> None:
        self._steps = tuple(steps)
        self._split = split

    @classmethod
    def of(cls, processors: Any, disabled: frozenset[str], tokenizer: Any) -> Prescreen | None:
        split = token_splitter(tokenizer)
        if split is None:
            logger.info("deduce tokenizer %r is not understood; no prescreen", type(tokenizer))
            return None
        steps: list[_Step] = []
        for name, processor in leaf_processors(processors, disabled):
            step = _step_for(processor)
            if step is None:
                logger.info("deduce processor %r is not understood; no prescreen", name)
                return None
            steps.append(step)
        return cls(steps, split)

    def token_texts(self, text: str) -> TokenTexts:
        return TokenTexts(text, self._split(text))

    def may_annotate(self, text: str) -> bool:
        """False only when the pipeline would leave ``text`` without annotations."""
        texts = self.token_texts(text)
        tags: frozenset[str] = frozenset()
        for step in self._steps:
            after = step(texts, tags)
            if after is None:
                return True
            tags = after
        return bool(tags)


def _seed_step(tag: str, finds: _Finds) -> _Step:
    """An annotator that only adds annotations (tagged ``tag``), whatever is present."""
    added = frozenset({tag})

    def step(texts: TokenTexts, tags: frozenset[str]) -> frozenset[str] | None:
        return tags | added if finds(texts) else tags

    return step


def _regexp_finds(pattern: re.Pattern[str], pre_match: _Finds | None = None) -> _Finds:
    # Most signal texts have no digit, and most of deduce's patterns (dates,
    # numbers, postcodes) cannot match without one; one scan for a digit then
    # answers for all of them.
    needs_digit = needs_a_digit(pattern)

    def finds(texts: TokenTexts) -> bool:
        if needs_digit and not texts.has_digit:
            return False
        if pre_match is not None and not pre_match(texts):
            return False
        return pattern.search(texts.text) is not None

    return finds


_DIGIT = re.compile(r"\d")
# The standard library's own regular-expression parser (private, no type stubs).
_re_parser: Any = importlib.import_module("re._parser")
_re_constants: Any = importlib.import_module("re._constants")
_REPEATS = (_re_constants.MAX_REPEAT, _re_constants.MIN_REPEAT, _re_constants.POSSESSIVE_REPEAT)


def needs_a_digit(pattern: re.Pattern[str]) -> bool:
    """True when every match of ``pattern`` contains a character ``\\d`` matches.

    Read from the parsed pattern: a sequence needs a digit when one of its
    items does, an alternation when all its branches do, a repeat when it
    repeats at least once something that does, a character class when it
    holds digits only. Lookarounds and back-references count as nothing, and
    anything not understood answers False, which only costs a search.
    """
    try:
        return _sequence_needs_digit(_re_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # a pattern this parser version reads differently: no shortcut
        logger.debug("pattern %r not analysed", pattern.pattern, exc_info=True)
        return False


def _sequence_needs_digit(sequence: Iterable[tuple[Any, Any]]) -> bool:
    return any(_item_needs_digit(op, argument) for op, argument in sequence)


def _item_needs_digit(op: Any, argument: Any) -> bool:
    c = _re_constants
    if op is c.LITERAL:
        return "0" <= chr(argument) <= "9"
    if op is c.IN:
        return all(_class_item_is_digit(item_op, item) for item_op, item in argument)
    if op is c.BRANCH:
        return all(_sequence_needs_digit(branch) for branch in argument[1])
    if op is c.SUBPATTERN:
        return _sequence_needs_digit(argument[3])
    if op is c.ATOMIC_GROUP:
        return _sequence_needs_digit(argument)
    if op in _REPEATS:
        minimum, _maximum, repeated = argument
        return bool(minimum >= 1 and _sequence_needs_digit(repeated))
    return False


def _class_item_is_digit(op: Any, item: Any) -> bool:
    c = _re_constants
    if op is c.LITERAL:
        return "0" <= chr(item) <= "9"
    if op is c.RANGE:
        low, high = item
        return chr(low) >= "0" and chr(high) <= "9"
    if op is c.CATEGORY:
        return item is c.CATEGORY_DIGIT
    return False  # NEGATE among them, or anything else


def _context_step(context_patterns: Sequence[dict[str, Any]]) -> _Step:
    """A context annotator: extends annotations whose tag it names, never makes new ones.

    An extension needs every position of its token pattern to match some
    token; a position that is a regular expression no token matches rules it
    out (a street name with no house-number-like token anywhere).
    """
    rules = [
        (
            frozenset(pattern["pre_tag"]),
            [re.compile(p["re_match"]) for p in pattern["pattern"] if set(p) == {"re_match"}],
        )
        for pattern in context_patterns
    ]

    def step(texts: TokenTexts, tags: frozenset[str]) -> frozenset[str] | None:
        if not tags:
            return tags
        parts = {part for tag in tags for part in tag.split("+")}
        for pre_tags, token_patterns in rules:
            if pre_tags.isdisjoint(parts):
                continue
            if all(any(p.match(token) for token in texts.tokens) for p in token_patterns):
                return None
        return tags

    return step


def _unchanged_step(_texts: TokenTexts, tags: frozenset[str]) -> frozenset[str]:
    return tags


def _removal_step(removed: frozenset[str]) -> _Step:
    def step(_texts: TokenTexts, tags: frozenset[str]) -> frozenset[str]:
        return tags - removed

    return step


def _transform_step(_texts: TokenTexts, tags: frozenset[str]) -> frozenset[str] | None:
    # Annotation processors return at once on an empty set; on anything else
    # the prescreen does not try to predict them.
    return None if tags else tags


def _step_for(processor: Any) -> _Step | None:
    annotator = importlib.import_module("deduce.annotator")
    annotation_processor = importlib.import_module("deduce.annotation_processor")
    finds = seed_finds(processor)
    if finds is not None:
        return _seed_step(processor.tag, finds)
    # Exact types: a subclass may behave differently, so it is not understood.
    kind = type(processor)
    if kind is annotator.ContextAnnotator:
        return _context_step(processor.pattern)
    if kind is annotator.PatientNameAnnotator:
        # Only annotates with patient metadata, which Waakhond never passes.
        return _unchanged_step
    if kind is annotation_processor.RemoveAnnotations:
        return _removal_step(frozenset(processor.tags))
    if kind in (
        annotation_processor.PersonAnnotationConverter,
        annotation_processor.CleanAnnotationTag,
    ):
        return _transform_step
    return None


def seed_finds(processor: Any) -> _Finds | None:
    """For a seed annotator: whether it finds anything in a text; None for other processors.

    Exact (true if and only if its ``annotate`` returns annotations) for the
    lookups, token patterns and plain regular expressions; for the BSN and
    phone annotators true for every match of their regular expression, also
    one their check digit or digit count then drops.
    """
    dd = importlib.import_module("docdeid")
    annotator = importlib.import_module("deduce.annotator")
    kind = type(processor)
    if kind is annotator.TokenPatternAnnotator:
        return token_pattern_finds(processor)
    if kind is dd.process.MultiTokenLookupAnnotator:
        return lookup_finds(processor._start_words, processor._matching_pipeline, processor._trie)
    if kind is dd.process.RegexpAnnotator:
        # Every match becomes an annotation (its _validate_match accepts all).
        pre_match = (
            None
            if processor.pre_match_words is None
            else words_finds(processor.pre_match_words, processor.matching_pipeline)
        )
        return _regexp_finds(processor.regexp_pattern, pre_match)
    if kind is annotator.BsnAnnotator:
        return _regexp_finds(processor.bsn_regexp)
    if kind is annotator.PhoneNumberAnnotator:
        return _regexp_finds(processor.phone_regexp)
    return None


# deduce's context annotators grow names and addresses one token per pass over
# all annotations, which is worse than quadratic in the number of consecutive
# name-like tokens: 2000 characters of "Jan Jan Jan ..." take 14 s. Long texts
# are therefore annotated in overlapping windows, which bounds the worst case
# (about 1 s for 2000 characters) without changing results: every detail
# shorter than the overlap lies wholly inside one window.
WINDOW_CHARS = 300
WINDOW_OVERLAP = 80
_WHITESPACE = re.compile(r"\s")


def windows(
    text: str, size: int = WINDOW_CHARS, overlap: int = WINDOW_OVERLAP
) -> Iterator[tuple[int, int]]:
    """Spans [start, end) covering text, cut at whitespace, overlapping by >= overlap chars."""
    start = 0
    while True:
        end = min(start + size, len(text))
        if end < len(text):
            cuts = [m.start() for m in _WHITESPACE.finditer(text, start + overlap + 1, end)]
            if cuts:
                end = cuts[-1]
        yield start, end
        if end >= len(text):
            return
        restart = _WHITESPACE.search(text, end - overlap, end)
        start = restart.end() if restart else end


def _category(tag: str) -> Category:
    category = _TAG_CATEGORIES.get(tag)
    if category is not None:
        return category
    # A tag this mapping does not know (another deduce version or config) is
    # still something deduce thinks is identifying: redact it rather than let it through.
    logger.warning("unknown deduce tag %r redacted as an identifier", tag)
    if "straat" in tag or "huisnummer" in tag:
        return Category.ADDRESS
    return Category.IDENTIFIER

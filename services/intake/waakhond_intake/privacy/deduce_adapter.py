"""Import and wrap deduce without letting it take over logging or stdout."""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any

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

# Ages are kept (the age band is a dimension of every signal anyway), and the
# redaction step is Waakhond's own: it needs the raw annotations, before
# deduce merges a postcode with the placename next to it.
_DISABLED_PROCESSORS = frozenset({"ages", "post_processing"})


class DeduceEngine:
    """One deduce instance, safe to share between threads.

    deduce does not document thread safety, so calls are serialised. Nothing is
    lost by that: annotation is pure-Python CPU work, which threads cannot run
    in parallel anyway.
    """

    def __init__(self) -> None:
        deduce = import_deduce()
        if not lookup_cache_file().is_file():
            logger.warning(
                "deduce lookup cache is missing; building it now takes about two minutes. "
                "Run 'python -m waakhond_intake.privacy.warmup' at install time."
            )
        # Loading the lookup cache unpickles about 4.5 million objects that live
        # as long as the process. Collections during the load find nothing to
        # free (7 s with the collector running, 2 s without). Afterwards they
        # are moved out of the collector's sight: a full collection over them
        # takes about 4 s, a pause every request would feel, and interpreter
        # exit would take 10 s more. Objects that exist at this point are
        # never collected as cycles, which is why this runs once, at start-up.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            with contextlib.redirect_stdout(sys.stderr):
                self._deduce = deduce.Deduce(config=_CONFIG_OVERRIDES)
        finally:
            gc.freeze()
            if gc_was_enabled:
                gc.enable()
        self._lock = threading.Lock()
        self._document_class: Any = importlib.import_module("docdeid").Document
        self._prescreen = Prescreen.of(self._deduce.processors, _DISABLED_PROCESSORS)
        self.version: str = deduce.__version__

    def annotate(self, text: str, *, prescreen: bool = True) -> list[Annotation]:
        """Annotations for every tag Waakhond uses, with spans in ``text``.

        With ``prescreen`` (the default) deduce's full pipeline is skipped for
        a window that :class:`Prescreen` proves it annotates nothing in; the
        result is the same either way.
        """
        annotations: list[Annotation] = []
        for start, end in windows(text):
            with self._lock:
                found = self._annotate_window(text[start:end], prescreen)
            annotations.extend(
                Annotation(_category(a.tag), start + a.start_char, start + a.end_char)
                for a in found
            )
        return annotations

    def may_annotate(self, text: str) -> bool:
        """False when deduce provably annotates nothing in ``text`` (one window)."""
        with self._lock:
            document = self._document_class(text, tokenizers=self._deduce.tokenizers)
            return self._prescreen is None or self._prescreen.may_annotate(document)

    def _annotate_window(self, text: str, prescreen: bool) -> list[Any]:
        # What Deduce.deidentify does, with the Document built here so the
        # prescreen and the full pipeline share one tokenisation.
        document = self._document_class(text, tokenizers=self._deduce.tokenizers)
        if prescreen and self._prescreen is not None and not self._prescreen.may_annotate(document):
            return []
        self._deduce.processors.process(document, disabled=_DISABLED_PROCESSORS)
        return list(document.annotations)


# --------------------------------------------------------------------------- prescreen

# A step gets the document and the tags that may be present so far, and returns
# the tags that may be present after it, or None when it cannot tell.
_Step = Callable[[Any, frozenset[str]], frozenset[str] | None]


class Prescreen:
    """Proves, cheaply, that deduce's pipeline annotates nothing in a document.

    Most signal texts hold no name, address or date, and deduce spends most of
    its time on them all the same: every one of its thirty processors walks
    the tokens. Every annotation deduce returns starts as the output of a
    *seed* annotator (a lookup in its lists, a token pattern, a regular
    expression); context annotators only extend annotations that exist, and
    annotation processors only transform or remove them. So the prescreen
    runs the seed annotators alone, each behind a necessary condition that
    costs a set intersection or one regular-expression scan (a lookup needs a
    token among the list's first words), and follows what the later
    processors could do with what was found: street names without a house
    number are removed again, and any other survivor means "run deduce".

    Built from the processors actually loaded; a processor type it does not
    know makes it give up (``of`` returns None), so a deduce upgrade cannot
    silently skip work. Tests compare it with the full pipeline.
    """

    def __init__(self, steps: Sequence[_Step]) -> None:
        self._steps = tuple(steps)

    @classmethod
    def of(cls, processors: Any, disabled: frozenset[str]) -> Prescreen | None:
        steps: list[_Step] = []
        for name, processor in _leaf_processors(processors, disabled):
            step = _step_for(processor)
            if step is None:
                logger.info("deduce processor %r is not understood; no prescreen", name)
                return None
            steps.append(step)
        return cls(steps)

    def may_annotate(self, document: Any) -> bool:
        """False only when the pipeline would leave ``document`` without annotations."""
        tags: frozenset[str] = frozenset()
        for step in self._steps:
            after = step(document, tags)
            if after is None:
                return True
            tags = after
        return bool(tags)


def _leaf_processors(group: Any, disabled: frozenset[str]) -> Iterator[tuple[str, Any]]:
    """The processors ``DocProcessorGroup.process`` runs, in its order and with its skips."""
    dd = importlib.import_module("docdeid")
    for name, processor in group:
        if name in disabled:
            continue
        if isinstance(processor, dd.process.DocProcessorGroup):
            yield from _leaf_processors(processor, disabled)
        else:
            yield name, processor


def _token_texts(document: Any) -> list[str]:
    return [token.text for token in document.get_tokens()]


def _seed_step(annotator: Any, precondition: Callable[[Any], bool] | None) -> _Step:
    """An annotator that only adds annotations, independent of those already present."""

    def step(document: Any, tags: frozenset[str]) -> frozenset[str] | None:
        if precondition is not None and not precondition(document):
            return tags
        found = annotator.annotate(document)
        return tags | {a.tag for a in found} if found else tags

    return step


def _lookup_precondition(start_words: Any, pipeline: Any) -> Callable[[Any], bool]:
    # The annotator only looks further at tokens whose (normalised) text starts
    # an entry of its list.
    def precondition(document: Any) -> bool:
        words = document.get_tokens().get_words(pipeline)
        return not words.isdisjoint(start_words)

    return precondition


def _any_token_matches(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    def precondition(document: Any) -> bool:
        return any(pattern.match(text) for text in _token_texts(document))

    return precondition


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

    def step(document: Any, tags: frozenset[str]) -> frozenset[str] | None:
        if not tags:
            return tags
        parts = {part for tag in tags for part in tag.split("+")}
        for pre_tags, token_patterns in rules:
            if pre_tags.isdisjoint(parts):
                continue
            texts = _token_texts(document)
            if all(any(p.match(text) for text in texts) for p in token_patterns):
                return None
        return tags

    return step


def _unchanged_step(_document: Any, tags: frozenset[str]) -> frozenset[str] | None:
    return tags


def _removal_step(removed: frozenset[str]) -> _Step:
    def step(_document: Any, tags: frozenset[str]) -> frozenset[str] | None:
        return tags - removed

    return step


def _transform_step(_document: Any, tags: frozenset[str]) -> frozenset[str] | None:
    # Annotation processors return at once on an empty set; on anything else
    # the prescreen does not try to predict them.
    return None if tags else tags


def _step_for(processor: Any) -> _Step | None:
    dd = importlib.import_module("docdeid")
    annotator = importlib.import_module("deduce.annotator")
    annotation_processor = importlib.import_module("deduce.annotation_processor")
    # Exact types: a subclass may behave differently, so it is not understood.
    kind = type(processor)
    if kind is annotator.ContextAnnotator:
        return _context_step(processor.pattern)
    if kind is annotator.TokenPatternAnnotator:
        if processor._start_words is not None:
            return _seed_step(
                processor,
                _lookup_precondition(processor._start_words, processor._matching_pipeline),
            )
        first = processor.pattern[0] if processor.pattern else {}
        if set(first) == {"re_match"}:
            return _seed_step(processor, _any_token_matches(re.compile(first["re_match"])))
        return _seed_step(processor, None)
    if kind is dd.process.MultiTokenLookupAnnotator:
        return _seed_step(
            processor, _lookup_precondition(processor._start_words, processor._matching_pipeline)
        )
    if kind in (dd.process.RegexpAnnotator, annotator.BsnAnnotator, annotator.PhoneNumberAnnotator):
        return _seed_step(processor, None)
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

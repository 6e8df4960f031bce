"""Import and wrap deduce without letting it take over logging or stdout."""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import re
import sys
import threading
from collections.abc import Iterator
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
        self.version: str = deduce.__version__

    def annotate(self, text: str) -> list[Annotation]:
        """Annotations for every tag Waakhond uses, with spans in ``text``."""
        annotations: list[Annotation] = []
        for start, end in windows(text):
            with self._lock:
                document = self._deduce.deidentify(
                    text[start:end], disabled=set(_DISABLED_PROCESSORS)
                )
                found = list(document.annotations)
            annotations.extend(
                Annotation(_category(a.tag), start + a.start_char, start + a.end_char)
                for a in found
            )
        return annotations


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

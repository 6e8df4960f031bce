"""Build deduce's lookup cache, and Waakhond's compact one from it, at install time.

The first ``Deduce()`` in a fresh environment builds its lookup structures
(name, street and institution tries), far slower than loading them, and pickles
them inside the installed package (bench/README.md, "Figures moved from code
comments"). Intake loads neither: it loads the same structures with compact tries
(``compact_lookup``), converted from deduce's cache. Intake must never pay either
build on a user's first request, so ``make venv`` and the image run
``python -m waakhond_intake.processing.privacy.warmup`` once.

The cache is built in a temporary directory next to its final place and moved
in with an atomic rename: deduce itself writes the pickle in place, and a build
interrupted half-way would leave a truncated file that every later start-up
fails to unpickle.

Usage: ``python -m waakhond_intake.processing.privacy.warmup [--force]``. Without
``--force`` an existing valid cache is kept (checking it means loading it once);
exit code 1 if a cache is still not valid after building. Progress goes to stderr.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from waakhond_intake.processing.privacy.compact_lookup import (
    compact_lookup_structs,
    load_compact_cache,
    save_compact_cache,
)
from waakhond_intake.processing.privacy.deduce_adapter import (
    compact_cache_file,
    deduce_lookup_structs,
    import_deduce,
    lookup_cache_file,
    lookup_dir,
)

logger = logging.getLogger(__name__)


def cache_is_valid() -> bool:
    """True when deduce would load its lookup structures from the cache."""
    deduce = import_deduce()
    from deduce import lookup_structs

    # Unpickling millions of small objects triggers collection after collection;
    # none of them is garbage, so collecting is pure waste here.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            loaded = lookup_structs.load_lookup_structs_from_cache(
                cache_path=lookup_dir(), deduce_version=deduce.__version__
            )
    except Exception:  # a truncated or foreign pickle is as good as none
        logger.warning("deduce lookup cache is unreadable; it will be rebuilt", exc_info=True)
        return False
    finally:
        if gc_was_enabled:
            gc.enable()
    return loaded is not None


def build_lookup_cache(*, force: bool = False) -> bool:
    """Build the lookup cache unless a valid one exists. Returns True when it built."""
    if not force and cache_is_valid():
        logger.info("deduce lookup cache is present and valid: %s", lookup_cache_file())
        return False
    deduce = import_deduce()
    target = lookup_cache_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as scratch:
        # deduce validates a cache against the mtimes of <cache_path>/src; the
        # scratch directory has no src, and the built pickle records a build
        # time later than the installed sources, so it stays valid once moved.
        with contextlib.redirect_stdout(sys.stderr):
            deduce.Deduce(cache_path=Path(scratch), build_lookup_structs=True)
        built = Path(scratch) / "cache" / "lookup_structs.pickle"
        os.replace(built, target)
    logger.info("built deduce lookup cache in %.0f s: %s", time.perf_counter() - started, target)
    return True


def build_compact_cache(*, force: bool = False) -> bool:
    """Convert deduce's cache into the compact one intake loads. True when it built."""
    target = compact_cache_file()
    if not force and load_compact_cache(target) is not None:
        logger.info("compact lookup cache is present and valid: %s", target)
        return False
    started = time.perf_counter()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        save_compact_cache(compact_lookup_structs(deduce_lookup_structs()), target)
    finally:
        if gc_was_enabled:
            gc.enable()
    logger.info("built compact lookup cache in %.0f s: %s", time.perf_counter() - started, target)
    return True


def main() -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    force = "--force" in sys.argv[1:]
    if build_lookup_cache(force=force) and not cache_is_valid():
        logger.error("deduce lookup cache is still not valid after building")
        return 1
    # A rebuilt deduce cache may hold other lists: the compact one follows it.
    rebuilt = build_compact_cache(force=force)
    if rebuilt and load_compact_cache(compact_cache_file()) is None:
        logger.error("compact lookup cache is still not valid after building")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

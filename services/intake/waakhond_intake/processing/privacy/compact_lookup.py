"""deduce's lookup tries held compactly, and cached that way.

deduce keeps its name, street, place and institution lists as ``docdeid.ds.LookupTrie``:
one Python object and one dict per trie node, millions of them. Together they are most of
intake's resident memory, paid by every intake process. :class:`CompactLookupTrie` holds
the same sequences in one ``marisa_trie.Trie`` (a succinct, read-only trie in C++) and
answers the questions deduce and docdeid ask of a trie (``longest_matching_prefix``,
``in``, ``is_terminal``, ``children``) with the same answers; a test compares the two on
every list and on generated token sequences.

Every node of the trie is a key: the path ``[t1, t2]`` is ``t1 SEP t2 SEP``, and a node
that ends a sequence also has the key ``t1 SEP t2 SEP END``. So every question is an exact
lookup. SEP and END are control characters that no list entry contains (checked when the
trie is built); a query token containing SEP matches nothing.

:func:`compact_lookup_structs` converts deduce's collection; :func:`save_compact_cache` and
:func:`load_compact_cache` keep the converted collection beside deduce's own cache, tagged
with the versions it was built from, so intake never loads deduce's full structures at
start-up (``warmup`` builds the file at install time).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import logging
import os
import pickle
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import marisa_trie

logger = logging.getLogger(__name__)

SEP = "\x1f"
END = "\x1e"
# Raised when what a compact cache holds, or how it is built, changes.
CACHE_FORMAT = 2
_LOOKUP_TRIE: Any = importlib.import_module("docdeid.ds.lookup").LookupTrie


class CompactLookupTrie(_LOOKUP_TRIE):  # type: ignore[misc]
    """A read-only ``docdeid.ds.LookupTrie`` backed by a ``marisa_trie.Trie``.

    A subclass so that deduce hands it to ``MultiTokenLookupAnnotator`` as a trie. An
    instance is a node: the root has the empty path; ``children`` gives the nodes below.
    """

    # Not slots: the base class sets attributes in its __init__, which is not called.

    def __init__(
        self,
        keys: marisa_trie.Trie,
        matching_pipeline: Sequence[Any] | None = None,
        path_key: str = "",
    ) -> None:
        # LookupTrie.__init__ would create an empty ``children`` dict; that name is ours.
        self.matching_pipeline = None if matching_pipeline is None else list(matching_pipeline)
        self._keys = keys
        self._path_key = path_key

    @classmethod
    def of(cls, trie: Any) -> CompactLookupTrie:
        """The compact equivalent of a ``docdeid.ds.LookupTrie`` (its whole contents)."""
        return cls(marisa_trie.Trie(_sequence_keys(trie, "")), trie.matching_pipeline)

    def add_item(self, item: list[str]) -> None:  # noqa: ARG002 (the base signature)
        raise TypeError("a CompactLookupTrie is read-only; build a LookupTrie and convert it")

    @property
    def is_terminal(self) -> bool:
        return bool(self._path_key) and self._path_key + END in self._keys

    @property
    def children(self) -> Mapping[str, CompactLookupTrie]:
        return _Children(self)

    def __len__(self) -> int:
        """Number of sequences at or below this node."""
        return sum(1 for key in self._keys.iterkeys(self._path_key) if key.endswith(END))

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, list):
            return False
        key = self._path_key
        for token in item:
            head = self._apply_matching_pipeline(token)
            if SEP in head:
                return False
            key += head + SEP
        return bool(key) and key + END in self._keys

    def longest_matching_prefix(self, item: list[str], start_i: int = 0) -> list[str] | None:
        """As ``LookupTrie.longest_matching_prefix``: the matched heads, or None."""
        keys = self._keys
        key = self._path_key
        heads: list[str] = []
        longest = 0
        i = 0
        while True:
            if key and key + END in keys:
                longest = i
            if start_i + i >= len(item):
                break
            head = self._apply_matching_pipeline(item[start_i + i])
            if SEP in head:
                break
            deeper = key + head + SEP
            if deeper not in keys:
                break
            key = deeper
            heads.append(head)
            i += 1
        return heads[:longest] if longest else None

    def _child(self, head: str) -> CompactLookupTrie:
        return CompactLookupTrie(self._keys, self.matching_pipeline, self._path_key + head + SEP)

    def _child_heads(self) -> Iterator[str]:
        offset = len(self._path_key)
        for key in self._keys.iterkeys(self._path_key):
            rest = key[offset:]
            # A child's own key: one more head and its separator, nothing after.
            if rest.find(SEP) == len(rest) - 1 and len(rest) > 1:
                yield rest[:-1]

    def _has_child(self, head: str) -> bool:
        return SEP not in head and self._path_key + head + SEP in self._keys

    def __reduce__(self) -> tuple[Any, ...]:
        return (CompactLookupTrie, (self._keys, self.matching_pipeline, self._path_key))


class _Children(Mapping[str, CompactLookupTrie]):
    """The nodes below one node, by head token, computed from the keys on demand."""

    __slots__ = ("_node",)

    def __init__(self, node: CompactLookupTrie) -> None:
        self._node = node

    def __getitem__(self, head: str) -> CompactLookupTrie:
        if not isinstance(head, str) or not self._node._has_child(head):
            raise KeyError(head)
        return self._node._child(head)

    def __contains__(self, head: object) -> bool:
        return isinstance(head, str) and self._node._has_child(head)

    def __iter__(self) -> Iterator[str]:
        return self._node._child_heads()

    def __len__(self) -> int:
        return sum(1 for _ in self._node._child_heads())


def _sequence_keys(node: Any, path_key: str) -> Iterator[str]:
    """Every node and sequence end in a ``LookupTrie``, as keys. Iterative: names can be long."""
    stack = [(node, path_key)]
    while stack:
        current, key = stack.pop()
        if key:
            yield key
            if current.is_terminal:
                yield key + END
        for head, child in current.children.items():
            if SEP in head or END in head:
                raise ValueError(f"a lookup entry contains a separator: {head!r}")
            stack.append((child, key + head + SEP))


def compact_lookup_structs(structs: Mapping[str, Any]) -> Any:
    """deduce's lookup collection with every ``LookupTrie`` made compact; sets unchanged."""
    collection: Any = importlib.import_module("docdeid.ds").DsCollection()
    for name, struct in structs.items():
        is_trie = isinstance(struct, _LOOKUP_TRIE) and not isinstance(struct, CompactLookupTrie)
        collection[name] = CompactLookupTrie.of(struct) if is_trie else struct
    return collection


def built_from() -> dict[str, Any]:
    """What a compact cache depends on: the installed versions and the cache format."""
    return {
        "format": CACHE_FORMAT,
        **{name: importlib.metadata.version(name) for name in ("deduce", "docdeid", "marisa-trie")},
    }


def save_compact_cache(structs: Any, target: Path) -> None:
    """Write ``structs`` (already compact) to ``target`` atomically, tagged with its origin.

    Written beside its final place and renamed in, so that an interrupted write never leaves
    a truncated file for the next start-up to fail on.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {"built_from": built_from(), "lookup_structs": structs}
    handle, scratch = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(payload, file, protocol=pickle.HIGHEST_PROTOCOL)
        # mkstemp creates it for its owner only; images build it as root and run as a user.
        os.chmod(scratch, 0o644)
        os.replace(scratch, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)
        raise


def load_compact_cache(source: Path) -> Any | None:
    """The compact collection in ``source``, or None when absent, unreadable or stale."""
    try:
        with source.open("rb") as file:
            # Written by save_compact_cache inside the installed package, at install time.
            payload = pickle.load(file)  # noqa: S301
    except FileNotFoundError:
        return None
    except Exception:  # truncated or foreign: as good as none
        logger.warning("compact lookup cache %s is unreadable", source, exc_info=True)
        return None
    if not isinstance(payload, dict) or payload.get("built_from") != built_from():
        logger.info("compact lookup cache %s was built by other versions", source)
        return None
    return payload["lookup_structs"]

"""deduce's and docdeid's token handling and seed matching, mirrored on token texts.

Third-party logic: this module re-expresses internals of two libraries, for the prescreen in
``deduce_adapter`` (``Prescreen``). No upstream file is copied whole; each item below
follows the named upstream function step by step, on strings instead of token objects.

Upstream projects and versions (:data:`UPSTREAM_VERSIONS`, pinned in requirements-runtime.txt):

* deduce 3.0.6 (https://github.com/vmenger/deduce)
* docdeid 1.0.1 (https://github.com/vmenger/docdeid)

Upstream licence: LGPL-3.0-or-later (deduce, as its metadata declares) and MIT (docdeid).
The licence file deduce ships is the GPL v3, though; see the notices at the end.

What is mirrored, from where:

* :func:`token_splitter`: deduce/tokenizer.py, ``DeduceTokenizer._split_text`` and
  ``DeduceTokenizer._merge`` (the same pattern, merge trie and start words, read from the
  tokenizer); a merged token's text is the text from its first part's start to its last
  part's end, as ``DeduceTokenizer._join_tokens`` makes it.
* :class:`TokenTextList`: docdeid/tokenizer.py, ``TokenList._init_token_lookup`` and
  ``TokenList.get_words`` (each token's text after a matching pipeline, kept per pipeline
  key); :func:`pipeline_key` is their key, ``str(matching_pipeline)``.
* :class:`TextToken`: the one attribute of docdeid's ``Token`` that deduce's
  ``_PatternPositionMatcher`` reads.
* :func:`leaf_processors`: docdeid/process/doc_processor.py, ``DocProcessorGroup.process``
  (the order of the processors and the skipping of disabled names, into nested groups).
* :func:`lookup_finds`: docdeid/process/annotator.py, ``MultiTokenLookupAnnotator.annotate``
  (start tokens by the matching pipeline, then the longest prefix in the trie), reduced to
  whether it makes any annotation.
* :func:`token_pattern_finds`: deduce/annotator.py, ``TokenPatternAnnotator.annotate``,
  ``_match_sequence`` (direction "right") and ``_get_chained_token`` (the skip words), with
  deduce's own ``_PatternPositionMatcher`` called on :class:`TextToken` stand-ins; reduced
  to whether it makes any annotation.
* :func:`words_finds`: docdeid/process/annotator.py, ``RegexpAnnotator.annotate``, its
  ``pre_match_words`` check.
* :func:`deduce_with_lookup_structs`: deduce/deduce.py, ``Deduce.__init__``, with the lookup
  structures passed in instead of loaded by ``get_lookup_structs`` (for the compact tries of
  ``compact_lookup``, without first loading deduce's own).

Why: deduce builds a token object per word, linked to its neighbours, and every processor
walks them; for the many signal texts in which deduce finds nothing, the prescreen answers
the same questions from the token texts alone, at a fraction of the cost. The answers must
equal deduce's, so the logic is deduce's. What Waakhond adds lives in ``deduce_adapter``
(which processors can be skipped, the regular-expression and context steps, the digit
check), except two shortcuts here that give the same answer sooner: a disjoint-set test
before looking at positions, and a pattern whose first position is a lone ``re_match``
tried only from the tokens that match it.

These are private parts of deduce and docdeid and may change in any release, even a patch.
The tests in tests/intake/processing/privacy/ compare this mirror with the installed
libraries, and test_deduce_internals.py fails when the installed versions differ from
:data:`UPSTREAM_VERSIONS`: re-check every item above against the new upstream code before
moving a pin.

Licence notices
---------------

deduce 3.0.6 (deduce-3.0.6.dist-info): its METADATA says

    License: LGPL-3.0-or-later
    Classifier: License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)
    Classifier: License :: OSI Approved :: GNU Lesser General Public License v3 or later
    (LGPLv3+)

while the README in that METADATA says

    This project is licensed under the GNU General Public License v3.0 - see the
    [LICENSE.md](LICENSE.md) file for details

and the LICENSE.md it ships holds the text of the GNU General Public License, version 3,
29 June 2007. It names no copyright holder; its authors are listed as Vincent Menger
(initial work), Jonathan de Bruin and Pablo Mosteiro. Waakhond is licensed under the
EUPL-1.2; to the extent this module is a derivative of deduce, deduce's licence applies to
it as well. The EUPL-1.2 lists both the GPL v3 and the LGPL v3 as compatible licences
(Appendix; Article 5, compatibility clause). NOTICE at the repository root records this.

docdeid 1.0.1 (docdeid-1.0.1.dist-info): ``License: MIT``; its LICENSE.md, which names no
copyright holder (the author is Vincent Menger), reads:

    Permission is hereby granted, free of charge, to any person obtaining a copy
    of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights
    to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
    copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all
    copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
    FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
    AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
    LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
    SOFTWARE.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

UPSTREAM_VERSIONS: dict[str, str] = {"deduce": "3.0.6", "docdeid": "1.0.1"}


class TextToken:
    """A stand-in for a docdeid token where only its text is read."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class TokenTextList:
    """The token texts of one text, with docdeid's per-pipeline words."""

    __slots__ = ("_normalised", "_stand_ins", "text", "tokens")

    def __init__(self, text: str, tokens: list[str]) -> None:
        self.text = text
        self.tokens = tokens
        self._normalised: dict[str, tuple[list[str], set[str]]] = {}
        self._stand_ins: list[TextToken] | None = None

    def normalised(self, pipeline: Sequence[Any], key: str) -> tuple[list[str], set[str]]:
        """Each token's text after ``pipeline``, and the set of them (docdeid's ``get_words``)."""
        found = self._normalised.get(key)
        if found is None:
            texts = []
            for token in self.tokens:
                for modifier in pipeline:
                    token = modifier.process(token)
                texts.append(token)
            found = self._normalised[key] = (texts, set(texts))
        return found

    def stand_ins(self) -> list[TextToken]:
        if self._stand_ins is None:
            self._stand_ins = [TextToken(token) for token in self.tokens]
        return self._stand_ins


Finds = Callable[[TokenTextList], bool]


def token_splitter(tokenizer: Any) -> Callable[[str], list[str]] | None:
    """The texts of the tokens ``tokenizer`` makes; None for one this does not replicate."""
    deduce_tokenizer = importlib.import_module("deduce.tokenizer")
    if type(tokenizer) is not deduce_tokenizer.DeduceTokenizer or not tokenizer.link_tokens:
        return None
    pattern: Any = tokenizer._pattern
    trie: Any = tokenizer._trie
    merge_starts: set[str] = tokenizer._start_words

    def split(text: str) -> list[str]:
        # DeduceTokenizer._split_text and _merge, on strings: a merged token
        # ("van der") is the text from its first part's start to its last's end.
        matches = list(pattern.finditer(text))
        tokens: list[str] = [match.group() for match in matches]
        if trie is None or merge_starts.isdisjoint(tokens):
            return tokens
        merged: list[str] = []
        i = 0
        while i < len(tokens):
            prefix = (
                trie.longest_matching_prefix(tokens, start_i=i)
                if tokens[i] in merge_starts
                else None
            )
            if not prefix:
                merged.append(tokens[i])
                i += 1
                continue
            last = i + len(prefix) - 1
            merged.append(text[matches[i].start() : matches[last].end()])
            i = last + 1
        return merged

    return split


def leaf_processors(group: Any, disabled: frozenset[str]) -> Iterator[tuple[str, Any]]:
    """The processors ``DocProcessorGroup.process`` runs, in its order and with its skips."""
    dd = importlib.import_module("docdeid")
    for name, processor in group:
        if name in disabled:
            continue
        if isinstance(processor, dd.process.DocProcessorGroup):
            yield from leaf_processors(processor, disabled)
        else:
            yield name, processor


def pipeline_key(pipeline: Sequence[Any]) -> str:
    return str(list(pipeline))  # docdeid's own key for a matching pipeline


def lookup_finds(start_words: Any, pipeline: Any, trie: Any) -> Finds:
    """docdeid's MultiTokenLookupAnnotator: a token sequence from its trie, from a start word."""
    pipeline = pipeline or []
    key = pipeline_key(pipeline)

    def finds(texts: TokenTextList) -> bool:
        normalised, words = texts.normalised(pipeline, key)
        if words.isdisjoint(start_words):
            return False
        return any(
            trie.longest_matching_prefix(texts.tokens, start_i=i) is not None
            for i, word in enumerate(normalised)
            if word in start_words
        )

    return finds


def token_pattern_finds(annotator: Any) -> Finds:
    """deduce's TokenPatternAnnotator: its pattern matched rightwards from a (start) token.

    Its position matcher reads nothing of a token but its text, and the
    tokenizer links each token to the next, so the same match runs on the
    token texts.
    """
    matcher = importlib.import_module("deduce.annotator")._PatternPositionMatcher
    pattern = list(annotator.pattern)
    ds = annotator.ds
    skip = frozenset(annotator.skip)
    start_words = annotator._start_words
    pipeline = annotator._matching_pipeline or []
    key = pipeline_key(pipeline)

    def matches_from(tokens: list[TextToken], i: int) -> bool:
        for position in pattern:
            if i >= len(tokens) or not matcher.match(
                pattern_position=position, token=tokens[i], ds=ds
            ):
                return False
            i += 1
            while i < len(tokens) and tokens[i].text in skip:
                i += 1
        return True

    first = pattern[0] if pattern else {}
    first_match = re.compile(first["re_match"]).match if set(first) == {"re_match"} else None

    def finds(texts: TokenTextList) -> bool:
        if first_match is not None:
            # The matcher compiles per call; a street-name pattern on every token is costly.
            starts: Iterable[int] = [
                i for i, token in enumerate(texts.tokens) if first_match(token)
            ]
        elif start_words is None:
            starts = range(len(texts.tokens))
        else:
            normalised, words = texts.normalised(pipeline, key)
            if words.isdisjoint(start_words):
                return False
            starts = [i for i, word in enumerate(normalised) if word in start_words]
        tokens = texts.stand_ins()
        return any(matches_from(tokens, i) for i in starts)

    return finds


def words_finds(words_needed: set[str], pipeline: Any) -> Finds:
    """docdeid's RegexpAnnotator's pre-match words: one of them must be a token."""
    key = pipeline_key(pipeline)

    def finds(texts: TokenTextList) -> bool:
        return not texts.normalised(pipeline, key)[1].isdisjoint(words_needed)

    return finds


def deduce_with_lookup_structs(deduce: Any, config: Any, lookup_structs: Any) -> Any:
    """A ``deduce.Deduce`` built as its ``__init__`` builds one, with these lookup structures.

    ``deduce`` is the imported package; ``config`` the user config ``Deduce(config=...)``
    would take. Paths are deduce's defaults, as ``Deduce()`` has them.
    """
    module = importlib.import_module("deduce.deduce")
    dd = importlib.import_module("docdeid")
    cls = deduce.Deduce
    model = cls.__new__(cls)
    dd.DocDeid.__init__(model)
    model.config = cls._initialize_config(load_base_config=True, user_config=config)
    model.lookup_data_path = cls._initialize_path_or_str(module._LOOKUP_LIST_PATH)
    model.cache_path = cls._initialize_path_or_str(module._LOOKUP_LIST_PATH)
    model.tokenizers = {"default": cls._initialize_tokenizer(model.lookup_data_path)}
    model.lookup_structs = lookup_structs
    extras = {"tokenizer": model.tokenizers["default"], "ds": lookup_structs}
    model.processors = module._DeduceProcessorLoader().load(config=model.config, extras=extras)
    return model

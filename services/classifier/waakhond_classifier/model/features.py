"""Sparse features of a signal text: stemmed word n-grams, character n-grams, lexicon.

Three blocks, each TF-IDF weighted (sublinear term frequency) and L2-normalised
on its own, then scaled and put side by side:

- word uni- and bigrams of Snowball stems: the vocabulary of the reports;
- character 3-5-grams within words (padded with spaces): robust to typos
  ("wachtlyst") and to Dutch compounds ("budgetplafond", "wachtlijstproblematiek");
- optionally one binary feature per domain-lexicon phrase.

Scikit-learn's vectorisers would do the same, but they analyse every word of
every text again; here the analysis of a word is cached, since signals repeat
the same words and the worker classifies a stream of them (its rate:
bench/README.md, "What changed on 4 Dec", 4). The fitted vocabulary and IDF
weights are plain lists, so the artefact is JSON, not a pickle.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from waakhond_classifier.model.arrays import FloatArray, decode_array, encode_array
from waakhond_classifier.model.lexicon import LEXICON, LexiconMatcher
from waakhond_classifier.model.text import normalise_with_tokens, stem

_CACHE_LIMIT = 100_000
_Key = TypeVar("_Key")


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    char_min: int = 3
    char_max: int = 5
    min_df: int = 2
    use_word_bigrams: bool = True
    use_chars: bool = True
    use_lexicon: bool = True
    word_weight: float = 1.0
    char_weight: float = 1.0
    lexicon_weight: float = 0.5

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FeatureConfig:
        return cls(**raw)


@dataclass(frozen=True, slots=True)
class Analysed:
    """One text, taken apart; kept so explanations can point at the words."""

    normalised: str
    words: tuple[str, ...]
    stems: tuple[str, ...]


def analyse(text: str) -> Analysed:
    normalised, found = normalise_with_tokens(text)
    words = tuple(found)
    return Analysed(normalised, words, tuple(map(stem, words)))


def word_terms(stems: Sequence[str], bigrams: bool) -> list[str]:
    terms = list(stems)
    if bigrams:
        terms.extend(f"{a} {b}" for a, b in itertools.pairwise(stems))
    return terms


def char_terms(word: str, low: int, high: int) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]


_LEXICON = LexiconMatcher()


@dataclass(slots=True)
class Featurizer:
    """A fitted feature space. Build with ``Featurizer.fit`` or ``from_json``."""

    config: FeatureConfig
    word_vocabulary: list[str]
    word_idf: FloatArray
    char_vocabulary: list[str]
    char_idf: FloatArray
    lexicon_features: list[str]
    _word_index: dict[str, int] = field(init=False, repr=False)
    # The word bigrams of ``_word_index`` by their pair of stems, which saves
    # joining every pair of a text into a string to look it up.
    _bigram_index: dict[tuple[str, str], int] = field(init=False, repr=False)
    _char_index: dict[str, int] = field(init=False, repr=False)
    _lexicon_index: dict[str, int] = field(init=False, repr=False)
    _char_cache: dict[str, npt.NDArray[np.int32]] = field(init=False, repr=False)
    _idf: FloatArray = field(init=False, repr=False)
    _block_weights: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._word_index = {term: i for i, term in enumerate(self.word_vocabulary)}
        self._bigram_index = {
            (first, second): i
            for term, i in self._word_index.items()
            for first, _, second in [term.partition(" ")]
            if second
        }
        # Columns: word block, then character block, then lexicon block.
        start_char = len(self.word_vocabulary)
        start_lex = start_char + len(self.char_vocabulary)
        self._char_index = {term: start_char + i for i, term in enumerate(self.char_vocabulary)}
        self._lexicon_index = {term: start_lex + i for i, term in enumerate(self.lexicon_features)}
        self._idf = np.concatenate(
            [self.word_idf, self.char_idf, np.ones(len(self.lexicon_features))]
        )
        self._block_weights = np.array(
            [self.config.word_weight, self.config.char_weight, self.config.lexicon_weight]
        )
        self._char_cache = {}

    # -- fitting ------------------------------------------------------------

    @classmethod
    def fit(cls, texts: Sequence[str], config: FeatureConfig) -> Featurizer:
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        for text in texts:
            analysed = analyse(text)
            word_df.update(set(word_terms(analysed.stems, config.use_word_bigrams)))
            if config.use_chars:
                char_df.update(
                    {
                        t
                        for w in set(analysed.words)
                        for t in char_terms(w, config.char_min, config.char_max)
                    }
                )
        n_docs = len(texts)

        def keep(df: Counter[str]) -> tuple[list[str], FloatArray]:
            vocabulary = sorted(term for term, count in df.items() if count >= config.min_df)
            # Smoothed IDF, as scikit-learn's TfidfVectorizer(smooth_idf=True).
            idf = np.array(
                [math.log((1 + n_docs) / (1 + df[t])) + 1.0 for t in vocabulary], dtype=np.float64
            )
            return vocabulary, idf

        word_vocabulary, word_idf = keep(word_df)
        char_vocabulary, char_idf = keep(char_df)
        lexicon_features = [entry.feature for entry in LEXICON] if config.use_lexicon else []
        return cls(config, word_vocabulary, word_idf, char_vocabulary, char_idf, lexicon_features)

    # -- transforming -------------------------------------------------------

    @property
    def n_features(self) -> int:
        return len(self.word_vocabulary) + len(self.char_vocabulary) + len(self.lexicon_features)

    @property
    def block_offsets(self) -> tuple[int, int]:
        """Where the character block and the lexicon block start."""
        start_char = len(self.word_vocabulary)
        return start_char, start_char + len(self.char_vocabulary)

    def known_share(self, stems: Sequence[str]) -> float | None:
        """Share of the words that are in the vocabulary; None for no words."""
        if not stems:
            return None
        return sum(map(self._word_index.__contains__, stems)) / len(stems)

    def _char_columns(self, words: Sequence[str]) -> list[npt.NDArray[np.int32]]:
        """The character n-gram columns of each word, computed once per distinct word."""
        cache = self._char_cache
        missing = set(words).difference(cache)
        if len(cache) + len(missing) > _CACHE_LIMIT:
            cache.clear()
            missing = set(words)
        if missing:
            index = self._char_index
            low, high = self.config.char_min, self.config.char_max
            for word in missing:
                cache[word] = np.fromiter(
                    (i for t in char_terms(word, low, high) if (i := index.get(t)) is not None),
                    dtype=np.int32,
                )
        return list(map(cache.__getitem__, words))

    def transform(self, analysed: Sequence[Analysed]) -> sp.csr_matrix:
        return self.transform_with_phrases(analysed)[0]

    def transform_with_phrases(
        self, analysed: Sequence[Analysed]
    ) -> tuple[sp.csr_matrix, list[dict[int, str]]]:
        """``transform``, and per text the words each of its lexicon features matched.

        Explanations show those words; keeping them here saves running the
        lexicon's regexes again.
        """
        text_rows = np.arange(len(analysed), dtype=np.int32)
        # The terms of the whole batch are looked up in one pass each, so the
        # loops run in C instead of once per text in Python; a term outside the
        # vocabulary gets column -1 and is dropped at the end.
        stems = [doc.stems for doc in analysed]
        n_stems = list(map(len, stems))
        rows = [np.repeat(text_rows, n_stems)]
        cols = [_lookup(self._word_index, itertools.chain.from_iterable(stems))]
        if self.config.use_word_bigrams:
            rows.append(np.repeat(text_rows, [max(n - 1, 0) for n in n_stems]))
            pairs = itertools.chain.from_iterable(map(itertools.pairwise, stems))
            cols.append(_lookup(self._bigram_index, pairs))
        phrases: list[dict[int, str]] = [{} for _ in analysed]
        if self.lexicon_features:
            lexicon_index = self._lexicon_index
            for doc, matched in zip(analysed, phrases, strict=True):
                for entry, match in _LEXICON.search(doc.normalised, doc.words):
                    matched[lexicon_index[entry.feature]] = match.group(0)
            rows.append(np.repeat(text_rows, list(map(len, phrases))))
            cols.append(np.fromiter(itertools.chain.from_iterable(phrases), dtype=np.int32))
        if self.config.use_chars and self.char_vocabulary:
            words = list(itertools.chain.from_iterable(doc.words for doc in analysed))
            char_arrays = self._char_columns(words)
            word_rows = np.repeat(text_rows, [len(doc.words) for doc in analysed])
            rows.append(np.repeat(word_rows, list(map(len, char_arrays))))
            cols.extend(char_arrays)
        all_rows = np.concatenate(rows)
        all_cols = np.concatenate(cols)
        known = all_cols >= 0
        all_rows, all_cols = all_rows[known], all_cols[known]
        return self._tfidf(all_rows, all_cols, len(analysed)), phrases

    def _tfidf(
        self, rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32], n_rows: int
    ) -> sp.csr_matrix:
        """Sublinear TF-IDF, each block of a row L2-normalised and scaled by its weight."""
        counts = _count_matrix(rows, cols, (n_rows, self.n_features))
        data = (1.0 + np.log(counts.data)) * self._idf[counts.indices]
        char_start, lex_start = self.block_offsets
        block = (counts.indices >= char_start).astype(np.int64) + (counts.indices >= lex_start)
        entry_rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(counts.indptr))
        key = entry_rows * 3 + block
        norms = np.sqrt(np.bincount(key, weights=data**2, minlength=3 * n_rows))
        counts.data = data * (self._block_weights[block] / norms[key])
        return counts

    def transform_texts(self, texts: Iterable[str]) -> sp.csr_matrix:
        return self.transform([analyse(t) for t in texts])

    # -- persistence --------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "config": self.config.to_json(),
            "word_vocabulary": self.word_vocabulary,
            "word_idf": encode_array(self.word_idf),
            "char_vocabulary": self.char_vocabulary,
            "char_idf": encode_array(self.char_idf),
            "lexicon_features": self.lexicon_features,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Featurizer:
        return cls(
            FeatureConfig.from_json(raw["config"]),
            list(raw["word_vocabulary"]),
            decode_array(raw["word_idf"]),
            list(raw["char_vocabulary"]),
            decode_array(raw["char_idf"]),
            list(raw["lexicon_features"]),
        )


# numpy sorts 16-bit keys by radix, the whole batch at once, where scipy sorts each
# row's columns on its own (bench/README.md, "What changed on 4 Dec", 4, and "Figures
# moved from code comments"); rows and columns beyond that range take scipy's way.
_RADIX_LIMIT = 1 << 16


def _count_matrix(
    rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32], shape: tuple[int, int]
) -> sp.csr_matrix:
    """How often each (row, column) pair occurs, as a canonical CSR matrix.

    The same matrix as ``csr_matrix((ones, (rows, cols)))`` after
    ``sum_duplicates``: columns in order within each row, each once.
    """
    ones = np.ones(len(rows), dtype=np.float64)
    n_rows, n_cols = shape
    if n_rows > _RADIX_LIMIT or n_cols > _RADIX_LIMIT:
        counts = sp.csr_matrix((ones, (rows, cols)), shape=shape)
    else:
        order = np.lexsort((cols.astype(np.uint16), rows.astype(np.uint16)))
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        # Sorted already, so this only adds up the duplicates.
        counts = sp.csr_matrix((ones, cols[order], indptr), shape=shape)
    counts.sum_duplicates()
    return counts


def _lookup(index: dict[_Key, int], keys: Iterable[_Key]) -> npt.NDArray[np.int32]:
    """The column of each key, -1 for a key that has none."""
    return np.fromiter(map(index.get, keys, itertools.repeat(-1)), dtype=np.int32)

"""Sparse features of a signal text: stemmed word n-grams, character n-grams, lexicon.

Three blocks, each TF-IDF weighted (sublinear term frequency) and L2-normalised
on its own, then scaled and put side by side:

- word uni- and bigrams of Snowball stems: the vocabulary of the reports;
- character 3-5-grams within words (padded with spaces): robust to typos
  ("wachtlyst") and to Dutch compounds ("budgetplafond", "wachtlijstproblematiek");
- optionally one binary feature per domain-lexicon phrase.

Scikit-learn's vectorisers would do the same, but they analyse every word of
every text again; here the analysis of a word is cached, which is what makes
thousands of signals per second possible on one core. The fitted vocabulary
and IDF weights are plain lists, so the artefact is JSON, not a pickle.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from waakhond_classifier.model.arrays import FloatArray, decode_array, encode_array
from waakhond_classifier.model.lexicon import LEXICON, LexiconMatcher
from waakhond_classifier.model.text import normalise_with_tokens, stem

_CACHE_LIMIT = 100_000


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


def lexicon_terms(normalised: str, words: Sequence[str]) -> list[str]:
    return [entry.feature for entry in _LEXICON.matches(normalised, words)]


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
    _char_index: dict[str, int] = field(init=False, repr=False)
    _lexicon_index: dict[str, int] = field(init=False, repr=False)
    _char_cache: dict[str, npt.NDArray[np.int32]] = field(init=False, repr=False)
    _idf: FloatArray = field(init=False, repr=False)
    _block_weights: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._word_index = {term: i for i, term in enumerate(self.word_vocabulary)}
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
        return sum(1 for s in stems if s in self._word_index) / len(stems)

    def _char_indices(self, word: str) -> npt.NDArray[np.int32]:
        cached = self._char_cache.get(word)
        if cached is None:
            index = self._char_index
            config = self.config
            cached = np.fromiter(
                (
                    i
                    for t in char_terms(word, config.char_min, config.char_max)
                    if (i := index.get(t)) is not None
                ),
                dtype=np.int32,
            )
            if len(self._char_cache) >= _CACHE_LIMIT:
                self._char_cache.clear()
            self._char_cache[word] = cached
        return cached

    def transform(self, analysed: Sequence[Analysed]) -> sp.csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        # Character n-grams come per word as cached arrays of global column
        # numbers and are joined once per batch, not once per text.
        char_arrays: list[npt.NDArray[np.int32]] = []
        char_rows: list[int] = []
        char_lengths: list[int] = []
        word_index = self._word_index
        lexicon_index = self._lexicon_index
        bigrams = self.config.use_word_bigrams
        use_chars = self.config.use_chars and bool(self.char_vocabulary)
        use_lexicon = bool(self.lexicon_features)
        char_indices = self._char_indices
        for row, doc in enumerate(analysed):
            for term in word_terms(doc.stems, bigrams):
                col = word_index.get(term)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
            if use_chars:
                for word in doc.words:
                    indices = char_indices(word)
                    char_arrays.append(indices)
                    char_rows.append(row)
                    char_lengths.append(len(indices))
            if use_lexicon:
                for term in lexicon_terms(doc.normalised, doc.words):
                    rows.append(row)
                    cols.append(lexicon_index[term])
        all_rows = np.asarray(rows, dtype=np.int32)
        all_cols = np.asarray(cols, dtype=np.int32)
        if char_arrays:
            all_rows = np.concatenate(
                [all_rows, np.repeat(np.asarray(char_rows, dtype=np.int32), char_lengths)]
            )
            all_cols = np.concatenate([all_cols, *char_arrays])
        return self._tfidf(all_rows, all_cols, len(analysed))

    def _tfidf(
        self, rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32], n_rows: int
    ) -> sp.csr_matrix:
        """Sublinear TF-IDF, each block of a row L2-normalised and scaled by its weight."""
        counts = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n_rows, self.n_features)
        )
        counts.sum_duplicates()
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

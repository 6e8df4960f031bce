"""The fast paths of the model equal the plain code they replace, on varied texts.

Each reference below is the straightforward version of a step (as the model
did it before it was optimised); the model's outputs must not change by a bit.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from waakhond_classifier.model import features as features_module
from waakhond_classifier.model.base import ClassifierInput
from waakhond_classifier.model.features import (
    FeatureConfig,
    Featurizer,
    analyse,
    char_terms,
    word_terms,
)
from waakhond_classifier.model.lexicon import BY_FEATURE, LexiconMatcher, matches
from waakhond_classifier.model.linear import LinearSignalClassifier, _Surface
from waakhond_classifier.model.loader import load_linear_classifier
from waakhond_classifier.model.text import (
    FUNCTION_WORDS,
    MAX_TEXT_CHARS,
    TOKEN_RE,
    _ascii_tokens,
    _mostly_non_latin,
    _non_latin_share,
)
from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import Split, load_split
from waakhond_tools.training.corpus_generator import GeneratorConfig, generate

ODD_TEXTS = [
    "",
    "   ",
    "ab",
    "1234567890",
    "0612345678 0612345678 2025",
    "The client has not received any decision from the municipality and they are waiting.",
    "Der Klient hat keine Entscheidung und wird nicht informiert, das ist nicht gut.",
    "Le client est très malade et il ne reçoit pas de soins pour sa maison.",
    "Клиент не получил решения от муниципалитета уже три месяца.",
    "العميل لم يتلق أي قرار من البلدية منذ ثلاثة أشهر",
    "客户三个月来没有收到市政府的任何决定，等待名单很长。",
    "Cliënt wacht al maanden; Клиент не получил решения, wachtlijst.",
    "Cliënt 👍 wacht al 🙁 maanden op een plek 🏠 in beschermd wonen.",
    "ﬁnanciering ﬂexibel ＷＭＯ cliënt ™ ² ½ wacht op plek_snel",
    "Mw. heeft ivm ZIN geen HH, clt wacht 3 mnd op ind. van gem. i.v.m. p/w bgl",
    "geen plek geen plek, tussen wal en schip, 18+ jongere, Wmo/Wlz knip",
    "Wachtlijst wachtlijst wachtlijst wachtlijst wachtlijst wachtlijst",
    "qwrt zxcv bnml kjhg fdsa poiu ytre wqas dfgh",
    "De de de de de de de de de de de",
    "Geen beschikking ontvangen, de termijn is verstreken. " * 60,
]


def _texts() -> list[str]:
    corpus = [r.text for split in (Split.DEV, Split.TEST) for r in load_split(split)]
    generated = [r.text for r in generate(GeneratorConfig(seed=8080, size=300))]
    return corpus + generated + ODD_TEXTS


TEXTS = _texts()


@pytest.fixture(scope="module")
def classifier() -> LinearSignalClassifier:
    return load_linear_classifier()


# -- text checks -------------------------------------------------------------

_MIXED = "abcXYZ  ,.1_ëéïÉøßﬁﬀ㎏ⅫİK™\u0301\u0308Клиентعميل客户αβ😀\u00a0\u200bＷ"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_MIXED), max_size=60))
def test_the_non_latin_shortcut_decides_as_the_share_does(text: str) -> None:
    assert _mostly_non_latin(text) == (_non_latin_share(text) > 0.3)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_tokens_are_the_regex_tokens(text: str) -> None:
    assert _ascii_tokens(text) == TOKEN_RE.findall(text)


# -- features ----------------------------------------------------------------


def _reference_matrix(featurizer: Featurizer, texts: list[str]) -> sp.csr_matrix:
    word_index = {term: i for i, term in enumerate(featurizer.word_vocabulary)}
    char_start, lex_start = featurizer.block_offsets
    char_index = {term: char_start + i for i, term in enumerate(featurizer.char_vocabulary)}
    lex_index = {term: lex_start + i for i, term in enumerate(featurizer.lexicon_features)}
    config = featurizer.config
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(texts):
        analysed = analyse(text)
        terms: list[int | None] = [
            word_index.get(t) for t in word_terms(analysed.stems, config.use_word_bigrams)
        ]
        if config.use_chars:
            for word in analysed.words:
                grams = char_terms(word, config.char_min, config.char_max)
                terms.extend(char_index.get(t) for t in grams)
        if featurizer.lexicon_features:
            terms.extend(lex_index[e.feature] for e in matches(analysed.normalised))
        known = [t for t in terms if t is not None]
        rows.extend([row] * len(known))
        cols.extend(known)
    counts = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(texts), featurizer.n_features)
    )
    counts.sum_duplicates()
    idf = np.concatenate(
        [featurizer.word_idf, featurizer.char_idf, np.ones(len(featurizer.lexicon_features))]
    )
    weights = np.array([config.word_weight, config.char_weight, config.lexicon_weight])
    data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    block = (counts.indices >= char_start).astype(np.int64) + (counts.indices >= lex_start)
    entry_rows = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(counts.indptr))
    key = entry_rows * 3 + block
    norms = np.sqrt(np.bincount(key, weights=data**2, minlength=3 * len(texts)))
    counts.data = data * (weights[block] / norms[key])
    return counts


def _assert_same_matrix(actual: sp.csr_matrix, expected: sp.csr_matrix) -> None:
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(actual.indptr, expected.indptr)
    np.testing.assert_array_equal(actual.indices, expected.indices)
    # Bit for bit: the decision values sum these in this order.
    np.testing.assert_array_equal(actual.data.view(np.int64), expected.data.view(np.int64))


def test_features_of_the_trained_model_equal_the_reference(
    classifier: LinearSignalClassifier,
) -> None:
    featurizer = classifier.artefact.featurizer
    for start in range(0, len(TEXTS), 250):
        batch = TEXTS[start : start + 250]
        _assert_same_matrix(featurizer.transform_texts(batch), _reference_matrix(featurizer, batch))


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(FeatureConfig(min_df=1), id="all-blocks"),
        pytest.param(FeatureConfig(min_df=1, use_word_bigrams=False), id="no-bigrams"),
        pytest.param(FeatureConfig(min_df=1, use_chars=False), id="no-chars"),
        pytest.param(FeatureConfig(min_df=1, use_lexicon=False), id="no-lexicon"),
    ],
)
def test_features_of_any_configuration_equal_the_reference(config: FeatureConfig) -> None:
    featurizer = Featurizer.fit(TEXTS[:200], config)
    _assert_same_matrix(featurizer.transform_texts(TEXTS), _reference_matrix(featurizer, TEXTS))
    _assert_same_matrix(featurizer.transform_texts([]), _reference_matrix(featurizer, []))


def test_features_equal_the_reference_when_the_word_cache_overflows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    featurizer = Featurizer.fit(TEXTS[:200], FeatureConfig(min_df=1))
    monkeypatch.setattr(features_module, "_CACHE_LIMIT", 50)
    for start in range(0, 200, 20):
        batch = TEXTS[start : start + 20]
        _assert_same_matrix(featurizer.transform_texts(batch), _reference_matrix(featurizer, batch))


@pytest.mark.parametrize(
    ("shape", "entries"),
    [
        pytest.param((3, 7), 40, id="small"),
        pytest.param((500, 15_000), 100_000, id="batch"),
        pytest.param((1 << 16, 1 << 16), 5_000, id="largest-radix"),
        pytest.param((70_000, 10), 5_000, id="many-rows"),
        pytest.param((10, 70_000), 5_000, id="many-columns"),
        pytest.param((4, 9), 0, id="empty"),
    ],
)
def test_counting_entries_equals_scipy(shape: tuple[int, int], entries: int) -> None:
    rng = np.random.default_rng(entries)
    rows = rng.integers(0, shape[0], entries).astype(np.int32)
    cols = rng.integers(0, shape[1], entries).astype(np.int32)
    expected = sp.csr_matrix((np.ones(entries), (rows, cols)), shape=shape)
    expected.sum_duplicates()
    _assert_same_matrix(features_module._count_matrix(rows, cols, shape), expected)


def test_lexicon_search_gives_the_matches_and_their_first_match() -> None:
    matcher = LexiconMatcher()
    for text in TEXTS:
        analysed = analyse(text)
        found = matcher.search(analysed.normalised, analysed.words)
        assert [entry for entry, _ in found] == matches(analysed.normalised)
        for entry, match in found:
            expected = entry.pattern.search(analysed.normalised)
            assert expected is not None
            assert match.span() == expected.span()


# -- explanations ------------------------------------------------------------


def _reference_explanations(
    classifier: LinearSignalClassifier, texts: list[str], labels: list[tuple[Category, ...]]
) -> list[dict[Category, tuple[str, ...]]]:
    artefact = classifier.artefact
    featurizer = artefact.featurizer
    char_start, lex_start = featurizer.block_offsets
    scored = classifier.score(texts)
    matrix = scored.matrix
    contributions = np.ascontiguousarray(
        (matrix.data[:, None] * np.ascontiguousarray(artefact.coef.T)[matrix.indices]).T
    )

    def surface(column: int, row: int) -> str | None:
        analysed = scored.analysed[row]
        if column < char_start:
            first, _, second = featurizer.word_vocabulary[column].partition(" ")
            for i, stem in enumerate(analysed.stems):
                if stem != first:
                    continue
                if not second:
                    return analysed.words[i]
                if analysed.stems[i + 1 : i + 2] == (second,):
                    return f"{analysed.words[i]} {analysed.words[i + 1]}"
            return None
        if column < lex_start:
            gram = featurizer.char_vocabulary[column - char_start]
            for word in analysed.words:
                if gram in f" {word} ":
                    return word
            return None
        entry = BY_FEATURE[featurizer.lexicon_features[column - lex_start]]
        match = entry.pattern.search(analysed.normalised)
        return match.group(0).strip() if match else None

    def informative(term: str) -> bool:
        return any(w not in FUNCTION_WORDS and not w.isdigit() for w in term.split(" "))

    explanations = []
    for row, row_labels in enumerate(labels):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns = matrix.indices[start:end]
        explained: dict[Category, tuple[str, ...]] = {}
        for category in row_labels:
            values = contributions[artefact.categories.index(category), start:end]
            candidates = (
                np.argpartition(-values, 12)[:12] if len(values) > 12 else np.arange(len(values))
            )
            ordered = candidates[np.argsort(-values[candidates], kind="stable")]
            terms: list[str] = []
            for column, value in zip(
                columns[ordered].tolist(), values[ordered].tolist(), strict=True
            ):
                if value <= 0 or len(terms) == 4:
                    break
                term = surface(column, row)
                if term and term not in terms and informative(term):
                    terms.append(term)
            explained[category] = tuple(terms)
        explanations.append(explained)
    return explanations


def test_explanations_equal_the_reference(classifier: LinearSignalClassifier) -> None:
    # Every category suggested, so that labels just below a threshold are
    # explained too.
    items = [
        ClassifierInput(text=t, suggested_categories=tuple(Category) if i % 2 else ())
        for i, t in enumerate(TEXTS)
    ]
    outputs = classifier.classify_batch(items)
    texts = [t[:MAX_TEXT_CHARS] for t in TEXTS]
    expected = _reference_explanations(classifier, texts, [o.labels for o in outputs])
    assert [o.explanations for o in outputs] == expected
    assert sum(len(o.labels) for o in outputs) > len(TEXTS)


def test_explanations_for_every_category_equal_the_reference(
    classifier: LinearSignalClassifier,
) -> None:
    """Also categories a text is far from, whose strongest features are few and weak."""
    texts = [t[:MAX_TEXT_CHARS] for t in TEXTS]
    scored = classifier.score(texts)
    matrix = scored.matrix
    actual = []
    for row in range(len(texts)):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        actual.append(
            classifier._explain(
                tuple(Category),
                matrix.indices[start:end],
                matrix.data[start:end],
                _Surface(scored.analysed[row], scored.phrases[row]),
            )
        )
    every = [tuple(Category)] * len(texts)
    assert actual == _reference_explanations(classifier, texts, every)

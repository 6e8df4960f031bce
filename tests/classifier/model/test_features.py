"""Feature extraction: TF-IDF blocks, character n-grams, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp

from waakhond_classifier.model.features import (
    FeatureConfig,
    Featurizer,
    analyse,
    char_terms,
    word_terms,
)

TEXTS = [
    "Wachtlijst voor beschermd wonen is veertien maanden.",
    "Wachtlijst dagbesteding, nergens een plek in de regio.",
    "Geen beschikking na twaalf weken, termijn verstreken.",
    "Beschikking te laat, bezwaar gemaakt bij de gemeente.",
    "Statushouders hebben geen DigiD en weten de weg niet.",
    "Laaggeletterde ouders snappen de brieven van de gemeente niet.",
    "De knip tussen Wmo en Wlz: niemand verantwoordelijk.",
    "Budgetplafond bij de gemeente, aanbieders nemen niemand aan.",
]


@pytest.fixture(scope="module")
def featurizer() -> Featurizer:
    return Featurizer.fit(TEXTS, FeatureConfig(min_df=1))


def _block_norms(featurizer: Featurizer, matrix: sp.csr_matrix) -> list[np.ndarray]:
    char_start, lex_start = featurizer.block_offsets
    dense = matrix.toarray()
    blocks = [dense[:, :char_start], dense[:, char_start:lex_start], dense[:, lex_start:]]
    return [np.linalg.norm(block, axis=1) for block in blocks]


def test_each_block_is_l2_normalised_to_its_weight(featurizer: Featurizer) -> None:
    matrix = featurizer.transform_texts(TEXTS)
    word, char, lexicon = _block_norms(featurizer, matrix)
    config = featurizer.config
    np.testing.assert_allclose(word, config.word_weight)
    np.testing.assert_allclose(char, config.char_weight)
    # Only texts that hit the lexicon have a lexicon block.
    assert np.all((np.abs(lexicon - config.lexicon_weight) < 1e-9) | (lexicon == 0))
    assert np.any(lexicon > 0)


def test_unknown_text_gives_an_empty_row(featurizer: Featurizer) -> None:
    matrix = featurizer.transform_texts(["qqq zzz"])
    assert matrix.shape == (1, featurizer.n_features)
    assert matrix.nnz == 0


def test_vocabulary_is_sorted_and_min_df_prunes() -> None:
    pruned = Featurizer.fit(TEXTS, FeatureConfig(min_df=2))
    assert pruned.word_vocabulary == sorted(pruned.word_vocabulary)
    assert "wachtlijst" in pruned.word_vocabulary
    assert "veertien" not in pruned.word_vocabulary


def test_character_ngrams_connect_a_typo_to_the_right_word(featurizer: Featurizer) -> None:
    correct, typo, other = featurizer.transform_texts(
        ["wachtlijst", "wachtlyst", "bezwaar"]
    ).toarray()
    assert float(correct @ typo) > 0.3
    assert float(correct @ other) < float(correct @ typo)


def test_word_terms_add_bigrams() -> None:
    assert word_terms(["geen", "plek"], bigrams=True) == ["geen", "plek", "geen plek"]
    assert word_terms(["geen", "plek"], bigrams=False) == ["geen", "plek"]


def test_char_terms_are_padded_at_word_edges() -> None:
    grams = char_terms("knip", 3, 4)
    assert " kn" in grams
    assert "ip " in grams
    assert " kni" in grams
    assert len(grams) == 4 + 3


def test_analyse_keeps_words_and_stems_aligned() -> None:
    analysed = analyse("Wachtlijsten bij de statushouders")
    assert len(analysed.words) == len(analysed.stems)
    assert analysed.words[0] == "wachtlijsten"
    assert analysed.stems[0] == "wachtlijst"


def test_json_round_trip_gives_the_same_matrix(featurizer: Featurizer) -> None:
    restored = Featurizer.from_json(json.loads(json.dumps(featurizer.to_json())))
    original = featurizer.transform_texts(TEXTS).toarray()
    # IDF weights are stored as float32.
    np.testing.assert_allclose(restored.transform_texts(TEXTS).toarray(), original, atol=1e-6)


def test_rows_do_not_depend_on_the_rest_of_the_batch(featurizer: Featurizer) -> None:
    alone = featurizer.transform_texts([TEXTS[3]]).toarray()[0]
    in_batch = featurizer.transform_texts(TEXTS).toarray()[3]
    np.testing.assert_array_equal(alone, in_batch)

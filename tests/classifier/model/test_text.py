"""Normalising, stemming and the input checks that decide review."""

from __future__ import annotations

import pytest

from waakhond_classifier.model.text import (
    MAX_TEXT_CHARS,
    InputIssue,
    check_text,
    fold,
    normalise,
    stem,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Cliënt", "client", id="diaeresis"),
        pytest.param("ÉÉN café", "een cafe", id="acute"),
        pytest.param("naïef", "naief", id="i-diaeresis"),
        pytest.param("Мой", "", id="cyrillic-dropped"),
    ],
)
def test_fold_lowercases_and_strips_accents(raw: str, expected: str) -> None:
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("clt wacht", "client wacht", id="clt"),
        pytest.param("Mw. en dhr.", "mevrouw. en meneer.", id="mw-dhr"),
        pytest.param("HH 2 uur p/w", "huishoudelijke hulp 2 uur per week", id="hh-pw"),
        pytest.param("bgl i.v.m. NAH", "begeleiding in verband met nah", id="bgl-ivm"),
        pytest.param("liever ZIN dan pgb", "liever zorg in natura dan pgb", id="zin-capitals"),
        pytest.param("dat heeft geen zin", "dat heeft geen zin", id="zin-lowercase-is-a-word"),
        pytest.param("3 mnd, 6 wkn", "3 maanden, 6 weken", id="durations"),
        pytest.param("clte", "client", id="whole-words-only"),
        pytest.param("cltx", "cltx", id="no-partial-words"),
    ],
)
def test_normalise_writes_out_supporter_abbreviations(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "forms",
    [
        pytest.param(("wachtlijst", "wachtlijsten"), id="wachtlijst"),
        pytest.param(("beschikking", "beschikkingen"), id="beschikking"),
        pytest.param(("aanvraag", "aanvragen"), id="aanvraag"),
        pytest.param(("statushouder", "statushouders"), id="statushouder"),
        pytest.param(("maand", "maanden"), id="maand"),
        pytest.param(("wijkteam", "wijkteams"), id="wijkteam"),
    ],
)
def test_stem_groups_inflections(forms: tuple[str, ...]) -> None:
    assert len({stem(form) for form in forms}) == 1


@pytest.mark.parametrize(
    ("left", "right"),
    [
        pytest.param("wachtlijst", "beschikking", id="different-words"),
        pytest.param("knip", "knop", id="one-letter"),
    ],
)
def test_stem_keeps_different_words_apart(left: str, right: str) -> None:
    assert stem(left) != stem(right)


def test_stem_leaves_short_words_and_numbers() -> None:
    assert [stem(w) for w in ("wmo", "18", "ggz")] == ["wmo", "18", "ggz"]


def test_tokens_are_ascii_words_and_numbers() -> None:
    assert tokens(normalise("Wmo-loket: 18+ (jeugd)!")) == ["wmo", "loket", "18", "jeugd"]


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        pytest.param("", InputIssue.EMPTY, id="empty"),
        pytest.param("   \n\t ", InputIssue.EMPTY, id="whitespace"),
        pytest.param("test", InputIssue.TOO_SHORT, id="one-word"),
        pytest.param("x" * (MAX_TEXT_CHARS + 1), InputIssue.TOO_LONG, id="too-long"),
        pytest.param(
            "The municipality did not send a decision and the client is still waiting.",
            InputIssue.NOT_DUTCH,
            id="english",
        ),
        pytest.param(
            "Die Gemeinde hat keine Entscheidung geschickt und der Klient wartet noch.",
            InputIssue.NOT_DUTCH,
            id="german",
        ),
        pytest.param(
            "La commune n'a pas envoyé de décision et le client attend toujours.",
            InputIssue.NOT_DUTCH,
            id="french",
        ),
        pytest.param("Мой клиент ждёт решения уже три месяца", InputIssue.NOT_DUTCH, id="cyrillic"),
        pytest.param("عميلي ينتظر القرار منذ ثلاثة أشهر", InputIssue.NOT_DUTCH, id="arabic"),
        pytest.param("wachtlijst GGZ 9 mnd, geen plek", None, id="terse-dutch"),
        pytest.param(
            "Aanvraag hulp bij het huishouden loopt al vier maanden zonder besluit.",
            None,
            id="dutch-sentence",
        ),
        pytest.param("Cliënt wacht op een intake in de regio.", None, id="dutch-with-accent"),
    ],
)
def test_check_text(text: str, issue: InputIssue | None) -> None:
    assert check_text(text).issue == issue


def test_long_text_keeps_labels_other_issues_do_not() -> None:
    assert check_text("wachtlijst " * 300).keeps_labels
    assert not check_text("").keeps_labels
    assert not check_text("The client is waiting and the municipality is silent.").keeps_labels


def test_known_share_catches_languages_without_function_word_list() -> None:
    indonesian = "Klien sudah menunggu keputusan selama tiga bulan tanpa jawaban"
    words = tokens(normalise(indonesian))
    assert check_text(indonesian, words=words, known_share=0.1).issue == InputIssue.NOT_DUTCH
    assert check_text(indonesian, words=words, known_share=0.9).issue is None


def test_no_known_terms_goes_to_review() -> None:
    text = "Qwerty asdfgh zxcvbn uiop hjkl"
    assert check_text(text, known_share=0.0).issue == InputIssue.NO_KNOWN_TERMS

"""The second pass: places, streets and institutions generalised, rare conditions flagged."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from waakhond_contract.messages import PrivacyFlag, SignalSubmission, SignalSubmitted
from waakhond_intake.processing.privacy import PiiKind, Redactor, shared_redactor
from waakhond_intake.processing.privacy.quasi_identifiers import (
    Generalisation,
    QuasiKind,
    SpanIndex,
    coarse_place_names,
    find_quasi_identifiers,
    find_rare_conditions,
)
from waakhond_intake.processing.submissions import prepare_signal
from waakhond_runtime.codec import decode
from waakhond_tools.privacy.evaluation import RARE_CONDITION, Case, Report, evaluate, load_cases

CASES_FILE = Path(__file__).parent / "data" / "pii_cases.jsonl"


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return shared_redactor()


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(CASES_FILE)


@pytest.fixture(scope="module")
def report(redactor: Redactor, cases: list[Case]) -> Report:
    return evaluate(redactor, cases)


# ----------------------------------------------------------------------------- on the set


@pytest.mark.parametrize("kind", [*QuasiKind, RARE_CONDITION], ids=str)
def test_every_generalisation_is_caught_on_the_set(report: Report, kind: str) -> None:
    score = report.per_kind[kind]
    missed = [m for m in report.missed if m["kind"] == kind]
    assert score.planted >= 8
    assert score.recall == 1.0, missed
    assert score.caught_as_kind == score.caught


def test_the_set_has_look_alikes_that_must_stay(cases: list[Case]) -> None:
    keep = [c for c in cases if c.id.startswith("qi-") and "-keep-" in c.id]
    assert len(keep) >= 12
    assert all(not case.planted for case in keep)


# ----------------------------------------------------------------------------- behaviour


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Mevrouw woont in Den Burg, haar broer in Oosterend, gemeente Texel.",
            "Mevrouw woont in [PLAATS], haar broer in [PLAATS], gemeente Texel.",
            id="villages-removed-municipality-kept",
        ),
        pytest.param(
            "Het gezin woont op Marken; op Texel en op Ameland is ook geen jeugdhulp.",
            "Het gezin woont op [PLAATS]; op Texel en op Ameland is ook geen jeugdhulp.",
            id="island-village-removed-island-municipalities-kept",
        ),
        pytest.param(
            "Een jongere uit de Schilderswijk, een vrouw in de wijk Kanaleneiland en een man "
            "in stadsdeel Nieuw-West.",
            "Een jongere uit de [PLAATS], een vrouw in de wijk [PLAATS] en een man "
            "in stadsdeel [PLAATS].",
            id="districts",
        ),
        pytest.param(
            "In de buurt is geen huisarts en het wijkteam in Den Haag verwijst door.",
            "In de buurt is geen huisarts en het wijkteam in Den Haag verwijst door.",
            id="generic-buurt-wijk-and-spoken-municipality-kept",
        ),
        pytest.param(
            "Mevrouw woont aan de Kerkstraat en haar zoon aan de Kerkstraat 12.",
            "Mevrouw woont aan de [STRAAT] en haar zoon aan de [ADRES].",
            id="street-without-number-generalised-with-number-redacted",
        ),
        pytest.param(
            "Ze woont in verpleeghuis De Wilgenhof; na het Sint Antonius Ziekenhuis was er "
            "geen nazorg en haar kleinzoon zit op basisschool De Regenboog.",
            "Ze woont in verpleeghuis [ZORGINSTELLING]; na het [ZIEKENHUIS] was er "
            "geen nazorg en haar kleinzoon zit op basisschool [SCHOOL].",
            id="institutions-by-kind",
        ),
        pytest.param(
            "Na de operatie in de Sint Maartenskliniek kwam er geen thuiszorg; Polikliniek "
            "en huisarts verwijzen naar elkaar.",
            "Na de operatie in de [KLINIEK] kwam er geen thuiszorg; Polikliniek "
            "en huisarts verwijzen naar elkaar.",
            id="one-word-clinic-name",
        ),
        pytest.param(
            "Arbeidsmigranten uit Polen wonen op een camping; haar zoon ging naar Engeland.",
            "Arbeidsmigranten uit Polen wonen op een camping; haar zoon ging naar Engeland.",
            id="countries-that-are-also-hamlets-kept",
        ),
        pytest.param(
            "Meneer verblijft in zorgcentrum Het Baken.",
            "Meneer verblijft in zorgcentrum [ZORGINSTELLING].",
            id="institution-name-that-looks-like-a-person-name",
        ),
        pytest.param(
            "Cordaan en 's Heeren Loo stoppen de begeleiding; er is geen plek in een "
            "verpleeghuis en het ziekenhuis ontslaat te vroeg.",
            "Cordaan en 's Heeren Loo stoppen de begeleiding; er is geen plek in een "
            "verpleeghuis en het ziekenhuis ontslaat te vroeg.",
            id="providers-and-generic-institutions-kept",
        ),
        pytest.param(
            "Een 97-jarige vrouw met ALS op het eiland krijgt geen Wlz-indicatie.",
            "Een [LEEFTIJD] vrouw met ALS op het eiland krijgt geen Wlz-indicatie.",
            id="rare-condition-stays-in-the-text",
        ),
    ],
)
def test_generalise(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor.redact(text).text == expected


def test_generalisations_have_spans_in_the_original_text(redactor: Redactor) -> None:
    text = "Mevrouw\u00a0woont in\u200b Den Burg, in een flat aan de Kerkstraat."
    result = redactor.redact(text)
    assert [(g.kind, text[g.start : g.end]) for g in result.generalisations] == [
        (QuasiKind.PLACE, "Den Burg"),
        (QuasiKind.STREET, "Kerkstraat"),
    ]
    assert result.findings == ()
    assert result.text == "Mevrouw\u00a0woont in\u200b [PLAATS], in een flat aan de [STRAAT]."


def test_generalisations_are_counted_after_the_redactions(redactor: Redactor) -> None:
    result = redactor.redact("Mevrouw Jansen woont in Lemmer en daarvoor in Joure.")
    assert result.counts() == {PiiKind.NAME: 1}
    assert result.generalisation_counts() == {QuasiKind.PLACE: 2}
    assert [(c.kind, c.count) for c in result.kind_counts()] == [
        (PiiKind.NAME, 1),
        (QuasiKind.PLACE, 2),
    ]
    assert all(isinstance(g, Generalisation) for g in result.generalisations)


def test_generalising_twice_changes_nothing(redactor: Redactor) -> None:
    once = redactor.redact("In verpleeghuis De Wilgenhof in Den Burg aan de Kerkstraat.").text
    twice = redactor.redact(once)
    assert twice.text == once
    assert twice.generalisations == ()


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        pytest.param("Een vrouw met ALS wacht op een traplift.", True, id="als-acronym"),
        pytest.param("Als de indicatie verloopt, stopt de zorg.", False, id="als-word"),
        pytest.param("ALS HET NIET LUKT, BELT ZE DE HUISARTS.", False, id="als-shouted"),
        pytest.param("Hij heeft de ziekte van Huntington.", True, id="huntington"),
        pytest.param("Het meisje heeft het syndroom van Prader-Willi.", True, id="prader-willi"),
        pytest.param("Een kind met spinale musculaire atrofie.", True, id="sma-written-out"),
        pytest.param("Een zeldzame spierziekte maakt werken onmogelijk.", True, id="zeldzame"),
        pytest.param("Mensen met dementie of diabetes wachten.", False, id="common-conditions"),
        pytest.param("Een man met het syndroom van Down.", False, id="down-is-not-rare"),
        pytest.param("Hij heeft de ziekte van Kennedy.", True, id="rare-eponym"),
        pytest.param("Zij heeft de ziekte van Parkinson.", False, id="common-eponym"),
        pytest.param("De stichting ALS Nederland helpt niet.", False, id="als-foundation"),
    ],
)
def test_rare_conditions_raise_the_flag(redactor: Redactor, text: str, flagged: bool) -> None:
    result = redactor.redact(text)
    assert bool(find_rare_conditions(text)) is flagged
    assert result.privacy_flags == ((PrivacyFlag.POSSIBLE_QUASI_IDENTIFIER,) if flagged else ())
    assert result.text == text


@pytest.mark.parametrize(
    "name", ["Texel", "Den Haag", "'s-Hertogenbosch", "Den Bosch", "Bergen", "Friesland", "Twente"]
)
def test_municipalities_provinces_and_regions_are_coarse(name: str) -> None:
    assert " ".join(name.split()).casefold() in coarse_place_names()


@pytest.mark.parametrize("name", ["den burg", "oosterend", "lemmer", "marken", "volendam"])
def test_villages_are_not_coarse(name: str) -> None:
    assert name not in coarse_place_names()


@pytest.mark.parametrize(
    ("span", "overlaps", "contains", "sticks_out"),
    [
        pytest.param((0, 5), False, False, False, id="before-all"),
        pytest.param((5, 10), True, True, False, id="exactly-one"),
        pytest.param((6, 8), True, True, True, id="inside-one"),
        pytest.param((4, 11), True, False, False, id="around-one"),
        pytest.param((8, 12), True, False, True, id="partly-one"),
        pytest.param((10, 20), False, False, False, id="between"),
        pytest.param((4, 31), True, False, False, id="around-both"),
        pytest.param((7, 25), True, False, True, id="partly-both"),
        pytest.param((30, 40), False, False, False, id="after-all"),
    ],
)
def test_span_index(
    span: tuple[int, int], overlaps: bool, contains: bool, sticks_out: bool
) -> None:
    index = SpanIndex([(20, 30), (5, 10)])
    assert index.overlaps(*span) is overlaps
    assert index.contains(*span) is contains
    assert index.sticks_out_of(*span) is sticks_out


@pytest.mark.parametrize(
    "unit",
    [
        "in de Kerkstraat ",
        "verpleeghuis De Aa Bb Cc ",
        "wijk Aa-Bb-Cc ",
        "ziekte van Aa ",
        "de Aakliniek ",
        "ALS als ALS ",
        "in Lemmer, Joure en Sneek ",
    ],
)
def test_long_adversarial_input_stays_fast(redactor: Redactor, unit: str) -> None:
    # Pairwise overlap checks would make thousands of candidates quadratic.
    text = unit * (20_000 // len(unit))
    started = time.perf_counter()
    find_quasi_identifiers(text, [], [])
    assert time.perf_counter() - started < 2.0
    redactor.redact(text)


# ----------------------------------------------------------------------------- what intake sends


def _submission(description: str) -> SignalSubmission:
    return SignalSubmission.model_validate(
        {
            "client_ref": "2025-000123",
            "observed_on": "2025-03-03",
            "municipality_code": "GM0448",
            "law_domains": ["wlz"],
            "life_domains": ["care"],
            "target_groups": ["elderly_dementia"],
            "age_band": "80+",
            "supporter_type": "formal",
            "description": description,
        }
    )


def test_signal_submitted_carries_the_flag_and_the_generalised_text(redactor: Redactor) -> None:
    description = (
        "De enige vrouw met ALS in Den Burg woont in verpleeghuis De Wilgenhof en krijgt geen "
        "aangepaste rolstoel van de gemeente."
    )
    prepared = prepare_signal(
        _submission(description), "mee-noord", dt.datetime.now(dt.UTC), redactor, strict=False
    )
    message = decode(SignalSubmitted, prepared.record.value)
    assert message.privacy_flags == [PrivacyFlag.POSSIBLE_QUASI_IDENTIFIER]
    assert message.description == (
        "De enige vrouw met ALS in [PLAATS] woont in verpleeghuis [ZORGINSTELLING] en krijgt "
        "geen aangepaste rolstoel van de gemeente."
    )
    assert [(c.kind, c.count) for c in prepared.redactions] == [
        (QuasiKind.PLACE, 1),
        (QuasiKind.INSTITUTION, 1),
    ]


def test_signal_without_rare_condition_has_no_flag(redactor: Redactor) -> None:
    prepared = prepare_signal(
        _submission("Gemeente en zorgkantoor wijzen naar elkaar; mevrouw krijgt geen zorg."),
        "mee-noord",
        dt.datetime.now(dt.UTC),
        redactor,
        strict=False,
    )
    assert decode(SignalSubmitted, prepared.record.value).privacy_flags == []
    assert prepared.redactions == ()


def test_strict_mode_generalises_but_does_not_refuse(redactor: Redactor) -> None:
    prepared = prepare_signal(
        _submission("Mevrouw woont in Den Burg en het vervoer naar de dagbesteding stopt."),
        "mee-noord",
        dt.datetime.now(dt.UTC),
        redactor,
        strict=True,
    )
    assert "[PLAATS]" in prepared.description

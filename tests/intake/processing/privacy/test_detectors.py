"""The checksum and pattern detectors, without deduce."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waakhond_intake.processing.privacy.deduce_adapter import windows
from waakhond_intake.processing.privacy.detectors import (
    SIDECODES,
    Detector,
    age_after_name,
    find_age,
    find_birth_year,
    find_bsn,
    find_date,
    find_email,
    find_iban,
    find_identifier,
    find_licence_plate,
    find_name_after_role,
    find_phone,
    find_postcode,
    find_social_media,
    find_street_address,
    find_url,
    is_valid_bsn,
    is_valid_iban,
)
from waakhond_intake.processing.privacy.findings import PiiKind


def found(detector: Detector, text: str) -> list[str]:
    return [text[f.start : f.end] for f in detector(text)]


def bsn_with_check_digit(first_eight: str) -> str | None:
    """Complete eight digits to a BSN that passes the 11-proef (None if impossible)."""
    total = sum(int(d) * w for d, w in zip(first_eight, (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
    check = total % 11
    return None if check == 10 else first_eight + str(check)


def iban_with_check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(char, 36)) for char in rearranged))
    return f"{country}{98 - number % 97:02d}{bban}"


# ----------------------------------------------------------------------------- checksums


@pytest.mark.parametrize(
    ("is_valid", "number", "valid"),
    [
        pytest.param(is_valid_bsn, "111222333", True, id="bsn-passes-11-proef"),
        pytest.param(is_valid_bsn, "123456782", True, id="bsn-textbook-example"),
        pytest.param(is_valid_bsn, "123456789", False, id="bsn-fails-11-proef"),
        pytest.param(is_valid_bsn, "000000000", False, id="bsn-all-zero"),
        pytest.param(is_valid_bsn, "12345678", False, id="bsn-eight-digits"),
        pytest.param(is_valid_bsn, "1234567820", False, id="bsn-ten-digits"),
        pytest.param(is_valid_bsn, "12345678a", False, id="bsn-letter"),
        pytest.param(is_valid_bsn, "١٢٣٤٥٦٧٨٢", False, id="bsn-non-ascii-digits"),
        pytest.param(is_valid_iban, "NL91ABNA0417164300", True, id="iban-nl-compact"),
        pytest.param(is_valid_iban, "NL91 ABNA 0417 1643 00", True, id="iban-nl-grouped"),
        pytest.param(is_valid_iban, "nl91abna0417164300", True, id="iban-nl-lower"),
        pytest.param(is_valid_iban, "BE68539007547034", True, id="iban-be"),
        pytest.param(is_valid_iban, "DE89370400440532013000", True, id="iban-de"),
        pytest.param(is_valid_iban, "NL92ABNA0417164300", False, id="iban-wrong-check-digits"),
        pytest.param(is_valid_iban, "NL91ABNA041716430", False, id="iban-nl-too-short"),
        pytest.param(is_valid_iban, "NL91ABNA04171643000", False, id="iban-nl-too-long"),
        pytest.param(is_valid_iban, "9191ABNA0417164300", False, id="iban-no-country"),
    ],
)
def test_checksum(is_valid: Callable[[str], bool], number: str, valid: bool) -> None:
    assert is_valid(number) is valid


@given(st.from_regex(r"[1-9][0-9]{7}", fullmatch=True))
def test_every_generated_bsn_passes(first_eight: str) -> None:
    bsn = bsn_with_check_digit(first_eight)
    if bsn is not None:
        assert is_valid_bsn(bsn)
        assert found(find_bsn, f"BSN {bsn[:4]}.{bsn[4:6]}.{bsn[6:]} is bekend") == [
            f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}"
        ]


@given(st.from_regex(r"[1-9][0-9]{8}", fullmatch=True))
def test_nine_digits_failing_the_11_proef_are_no_bsn(digits: str) -> None:
    if not is_valid_bsn(digits):
        assert found(find_bsn, f"nummer {digits} in de brief") == []


@given(
    st.sampled_from(["ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ"]),
    st.from_regex(r"[0-9]{10}", fullmatch=True),
)
def test_generated_dutch_ibans_are_found_grouped_and_compact(bank: str, account: str) -> None:
    iban = iban_with_check_digits("NL", bank + account)
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    assert found(find_iban, f"op rekening {iban} gestort") == [iban]
    assert found(find_iban, f"IBAN {grouped} ten name van de cliënt") == [grouped]


# ----------------------------------------------------------------------------- detectors


@pytest.mark.parametrize(
    ("detector", "text", "expected"),
    [
        pytest.param(find_bsn, "BSN 123456782.", ["123456782"], id="bsn-compact"),
        pytest.param(find_bsn, "bsn:123 456 782", ["123 456 782"], id="bsn-spaces"),
        pytest.param(find_bsn, "(1234.56.782)", ["1234.56.782"], id="bsn-dots-4-2-3"),
        pytest.param(find_bsn, "bsn 123-456-782", ["123-456-782"], id="bsn-hyphens"),
        pytest.param(find_bsn, "BSN123.456.782", ["123.456.782"], id="bsn-glued-to-word"),
        pytest.param(find_bsn, "tel 0123456782 9", [], id="bsn-inside-longer-number"),
        pytest.param(find_bsn, "1123456782", [], id="bsn-ten-digits"),
        pytest.param(find_bsn, "€ 123.456,78", [], id="bsn-amount"),
        pytest.param(
            find_iban,
            "naar NL 91 ABNA 0417 1643 00 gestort",
            ["NL 91 ABNA 0417 1643 00"],
            id="iban-space-after-country",
        ),
        pytest.param(find_iban, "iban NL91ABNA0417164300.", ["NL91ABNA0417164300"], id="iban-dot"),
        pytest.param(find_iban, "NL91ABNA0417164301", [], id="iban-bad-checksum"),
        pytest.param(find_iban, "NL12 3456 7890 1234 56", [], id="iban-digits-only"),
        pytest.param(
            find_email,
            "mail j.de-vries+wmo@zorg.example.nl.",
            ["j.de-vries+wmo@zorg.example.nl"],
            id="email-plus-and-subdomain",
        ),
        pytest.param(find_email, "jan(at)ziggo.nl", ["jan(at)ziggo.nl"], id="email-at-word"),
        pytest.param(
            find_email,
            "mail naar r.jansen @ hotmail.com",
            ["r.jansen @ hotmail.com"],
            id="email-spaces-around-at",
        ),
        pytest.param(find_email, "het @-teken en 3@4", [], id="email-no-domain"),
        pytest.param(
            find_url,
            "zie https://example.org/a?b=1, en verder",
            ["https://example.org/a?b=1"],
            id="url-trailing-comma",
        ),
        pytest.param(find_url, "(www.regelhulp.nl)", ["www.regelhulp.nl"], id="url-in-parens"),
        pytest.param(find_url, "via mantelzorg.nl/hulp", ["mantelzorg.nl/hulp"], id="url-bare"),
        pytest.param(find_url, "de cliënt.De gemeente", [], id="url-missing-space"),
        pytest.param(find_url, "mail a@zorg.nl", [], id="url-not-inside-email"),
        pytest.param(find_phone, "bel 06-12345678.", ["06-12345678"], id="phone-mobile"),
        pytest.param(find_phone, "tel:0612345678", ["0612345678"], id="phone-colon"),
        pytest.param(find_phone, "tel06-12345678", ["06-12345678"], id="phone-glued-to-word"),
        pytest.param(find_phone, "06 12 34 56 78", ["06 12 34 56 78"], id="phone-pairs"),
        pytest.param(find_phone, "06-12-34-56-78", ["06-12-34-56-78"], id="phone-hyphen-pairs"),
        pytest.param(find_phone, "+31 6 1234 5678", ["+31 6 1234 5678"], id="phone-plus31"),
        pytest.param(find_phone, "(+31) 6 12345678", ["(+31) 6 12345678"], id="phone-paren-cc"),
        pytest.param(
            find_phone, "0031 (0)70 123 4567", ["0031 (0)70 123 4567"], id="phone-0031-trunk"
        ),
        pytest.param(find_phone, "(0592) 12 34 56", ["(0592) 12 34 56"], id="phone-area-parens"),
        pytest.param(find_phone, "(020-1234567)", ["020-1234567"], id="phone-in-parens"),
        pytest.param(find_phone, "0800-1234", ["0800-1234"], id="phone-service-short"),
        pytest.param(find_phone, "0900-1234567", ["0900-1234567"], id="phone-service-long"),
        pytest.param(
            find_phone,
            "06-87654321 06-12345678",
            ["06-87654321", "06-12345678"],
            id="phone-two-numbers",
        ),
        pytest.param(find_phone, "op 06-12-2023 gebeld", [], id="phone-date"),
        pytest.param(find_phone, "nummer 0123-456-789-012", [], id="phone-longer-identifier"),
        pytest.param(find_phone, "kinderen van 0-4 jaar", [], id="phone-age-range"),
        pytest.param(find_phone, "bel 112 of 14 020", [], id="phone-short-numbers"),
        pytest.param(find_postcode, "1234 AB Zwolle", ["1234 AB"], id="postcode-space"),
        pytest.param(find_postcode, "9712CP", ["9712CP"], id="postcode-compact"),
        pytest.param(find_postcode, "3511ln", ["3511ln"], id="postcode-lower"),
        pytest.param(find_postcode, "postcode 2517 kh", ["2517 kh"], id="postcode-after-keyword"),
        pytest.param(find_postcode, "2000mg per dag", [], id="postcode-unit"),
        pytest.param(find_postcode, "sinds 2023 en later", [], id="postcode-year-and-word"),
        pytest.param(find_postcode, "0123 AB", [], id="postcode-leading-zero"),
        pytest.param(find_postcode, "1234 SS", [], id="postcode-unissued-letters"),
        pytest.param(
            find_street_address, "woont aan de Kerkstraat 12a.", ["Kerkstraat 12a"], id="street"
        ),
        pytest.param(
            find_street_address,
            "op Burgemeester de Withstraat 87-2 in",
            ["Burgemeester de Withstraat 87-2"],
            id="street-multiword",
        ),
        pytest.param(
            find_street_address,
            "op Laan van Meerdervoort 55,",
            ["Laan van Meerdervoort 55"],
            id="street-generic-first",
        ),
        pytest.param(find_street_address, "Kerkstr. 12", ["Kerkstr. 12"], id="street-abbr"),
        pytest.param(find_street_address, "kerkstraat 23", ["kerkstraat 23"], id="street-lower"),
        pytest.param(
            find_street_address,
            "in de Dorpsstraat op nummer 14",
            ["Dorpsstraat op nummer 14"],
            id="street-op-nummer",
        ),
        pytest.param(find_street_address, "in de Kerkstraat wonen", [], id="street-no-number"),
        pytest.param(
            find_street_address, "de Hoofdweg 3 dagen dicht", [], id="street-number-with-unit"
        ),
        pytest.param(find_street_address, "wachtlijst 12 weken", [], id="no-street-suffix"),
        pytest.param(find_date, "geb. 3 apr. 1952", ["3 apr. 1952"], id="date-abbr-month"),
        pytest.param(find_date, "op 1e mei 2024", ["1e mei 2024"], id="date-ordinal"),
        pytest.param(find_date, "7-8-'57", ["7-8-'57"], id="date-apostrophe-year"),
        pytest.param(find_date, "1985-07-21", ["1985-07-21"], id="date-iso"),
        pytest.param(find_date, "op 12 maart om 10:00", [], id="date-without-year"),
        pytest.param(find_date, "in maart 2024", [], id="date-month-year"),
        pytest.param(find_date, "artikel 2.3.5", [], id="date-article-number"),
        pytest.param(
            find_identifier, "dossiernummer WMO-2023-11872", ["WMO-2023-11872"], id="id-keyword"
        ),
        pytest.param(find_identifier, "Cl.nr. 445566", ["445566"], id="id-clnr"),
        pytest.param(find_identifier, "kenmerk 2024/0815", ["2024/0815"], id="id-kenmerk"),
        pytest.param(find_identifier, "relatie 40012345", ["40012345"], id="id-long-digits"),
        pytest.param(find_identifier, "zaak Z/23/004512", ["Z/23/004512"], id="id-mixed"),
        pytest.param(find_identifier, "in 2023-2024 kregen", [], id="id-year-range"),
        pytest.param(find_identifier, "€ 1.250.000 budget", [], id="id-amount"),
        pytest.param(find_identifier, "2500000 euro", [], id="id-amount-euro"),
        pytest.param(find_identifier, "aanvraagnummer 2024", [], id="id-year-after-keyword"),
        pytest.param(find_identifier, "in Q3-2024", [], id="id-quarter"),
        pytest.param(find_name_after_role, "haar zoon Kevin belde", ["Kevin"], id="role-son"),
        pytest.param(find_name_after_role, "Oma Riet woont", ["Riet"], id="role-capitalised"),
        pytest.param(find_name_after_role, "gezin El Khatib", ["El Khatib"], id="role-particle"),
        pytest.param(find_name_after_role, "haar zoon heeft autisme", [], id="role-lowercase"),
    ],
)
def test_detector(detector: Detector, text: str, expected: list[str]) -> None:
    assert found(detector, text) == expected


# ----------------------------------------------------------------------------- issue 23's kinds


@pytest.mark.parametrize(
    ("detector", "text", "expected"),
    [
        # licence plates: every sidecode, and what only looks like one
        pytest.param(find_licence_plate, "auto HB-34-72 staat", ["HB-34-72"], id="plate-sc1"),
        pytest.param(find_licence_plate, "met 47-21-TN naar", ["47-21-TN"], id="plate-sc2"),
        pytest.param(find_licence_plate, "busje 63-JK-18.", ["63-JK-18"], id="plate-sc3"),
        pytest.param(find_licence_plate, "(RT-45-FH)", ["RT-45-FH"], id="plate-sc4"),
        pytest.param(find_licence_plate, "voor NB-ZL-26 kwam", ["NB-ZL-26"], id="plate-sc5"),
        pytest.param(find_licence_plate, "aan 27-HJ-SV,", ["27-HJ-SV"], id="plate-sc6"),
        pytest.param(find_licence_plate, "de 52-KTR-8 naar", ["52-KTR-8"], id="plate-sc7"),
        pytest.param(find_licence_plate, "auto 4-ZRG-61 is", ["4-ZRG-61"], id="plate-sc8"),
        pytest.param(find_licence_plate, "VB-482-T staat", ["VB-482-T"], id="plate-sc9"),
        pytest.param(find_licence_plate, "met de G-123-BB.", ["G-123-BB"], id="plate-sc10"),
        pytest.param(find_licence_plate, "caravan HNX-42-P op", ["HNX-42-P"], id="plate-sc11"),
        pytest.param(find_licence_plate, "de T-86-LDS staat", ["T-86-LDS"], id="plate-sc12"),
        pytest.param(find_licence_plate, "bus 3-TJ-582 rijdt", ["3-TJ-582"], id="plate-sc13"),
        pytest.param(find_licence_plate, "de 742-BF-6 bij", ["742-BF-6"], id="plate-sc14"),
        pytest.param(find_licence_plate, "voor RT45FH omdat", ["RT45FH"], id="plate-compact"),
        pytest.param(find_licence_plate, "de rt-45-fh", ["rt-45-fh"], id="plate-lower-no-vowels"),
        pytest.param(
            find_licence_plate, "kenteken 4 ZRG 61 van", ["4 ZRG 61"], id="plate-keyword-spaces"
        ),
        pytest.param(
            find_licence_plate, "Kenteken: 27-hj-sv, de", ["27-hj-sv"], id="plate-keyword-lower"
        ),
        pytest.param(find_licence_plate, "kenteken HB3472", ["HB3472"], id="plate-keyword-compact"),
        pytest.param(find_licence_plate, "de GGZ en LVB-poli", [], id="plate-abbreviations"),
        pytest.param(find_licence_plate, "zorgprofiel VG-7 of ZZP-5", [], id="plate-care-profile"),
        pytest.param(find_licence_plate, "na COVID-19 en 18-/18+", [], id="plate-covid-18plus"),
        pytest.param(find_licence_plate, "in Q3-2024 en A2-diploma", [], id="plate-quarter"),
        pytest.param(find_licence_plate, "postcode 1234AB en NL2030", [], id="plate-two-groups"),
        pytest.param(find_licence_plate, "de ab-12-cd", [], id="plate-lower-with-vowels"),
        pytest.param(find_licence_plate, "code XX-HB-34-72-YY", [], id="plate-inside-longer"),
        # exact ages, and ages that are rules, durations or of things
        pytest.param(find_age, "Een 97-jarige vrouw", ["97-jarige"], id="age-jarige"),
        pytest.param(find_age, "de 17 jarige zoon", ["17 jarige"], id="age-jarige-space"),
        pytest.param(find_age, "Cliënte (45) met MS", ["45"], id="age-parens-after-noun"),
        pytest.param(find_age, "een man (82 jaar)", ["82 jaar"], id="age-parens-jaar"),
        pytest.param(find_age, "Zij is 91 en heeft", ["91"], id="age-is"),
        pytest.param(find_age, "Meneer is 88 jaar oud", ["88 jaar"], id="age-is-jaar-oud"),
        pytest.param(find_age, "hij was pas 17 toen", ["17"], id="age-was-pas"),
        pytest.param(find_age, "een vrouw van 71 met dementie", ["71"], id="age-van"),
        pytest.param(find_age, "een man van 64 jaar met", ["64 jaar"], id="age-van-jaar"),
        pytest.param(find_age, "Een 93 jaar oude weduwe", ["93 jaar"], id="age-jaar-oude"),
        pytest.param(find_age, "Leeftijd: 16 jaar.", ["16 jaar"], id="age-leeftijd"),
        pytest.param(find_age, "overleed op 58-jarige leeftijd", ["58-jarige"], id="age-at-death"),
        pytest.param(find_age, "haar 100ste verjaardag", ["100ste"], id="age-birthday"),
        pytest.param(find_age, "op 18-jarige leeftijd vervalt", [], id="age-legal-limit"),
        pytest.param(find_age, "vanaf de leeftijd van 18 jaar", [], id="age-leeftijd-limit"),
        pytest.param(find_age, "na zijn 18e verjaardag stopt", [], id="age-birthday-limit"),
        pytest.param(find_age, "de 18-jarigen in de regio", [], id="age-plural-group"),
        pytest.param(find_age, "jongeren van 16 tot 27 jaar", [], id="age-range"),
        pytest.param(find_age, "een jongere van 16-23 jaar", [], id="age-range-hyphen"),
        pytest.param(find_age, "wacht al 2 jaar op een plek", [], id="age-duration"),
        pytest.param(find_age, "hij is 2 jaar geleden verhuisd", [], id="age-ago"),
        pytest.param(find_age, "De flat is 50 jaar oud", [], id="age-of-a-building"),
        pytest.param(find_age, "het 25-jarige bestaan", [], id="age-of-an-organisation"),
        pytest.param(find_age, "een 40-jarige loopbaan", [], id="age-of-a-career"),
        pytest.param(find_age, "een moeder van 3 kinderen", [], id="age-number-of-children"),
        pytest.param(find_age, "Hij is vader van 2.", [], id="age-father-of-two"),
        pytest.param(find_age, "boven de 75 jaar, 65-plussers", [], id="age-groups"),
        pytest.param(find_age, "Zij is 130 en", [], id="age-too-old"),
        # birth years
        pytest.param(find_birth_year, "geboren in 1931, wacht", ["1931"], id="by-geboren-in"),
        pytest.param(find_birth_year, "(geb. 1948) heeft", ["1948"], id="by-geb"),
        pytest.param(find_birth_year, "Geboortejaar: 2006.", ["2006"], id="by-geboortejaar"),
        pytest.param(find_birth_year, "geboren in '52 en", ["'52"], id="by-apostrophe"),
        pytest.param(
            find_birth_year, "geboren in maart 1939 en", ["maart 1939"], id="by-with-month"
        ),
        pytest.param(find_birth_year, "Mevrouw is van 1929, heeft", ["1929"], id="by-is-van"),
        pytest.param(find_birth_year, "Hij is in 2007 geboren", ["2007"], id="by-in-geboren"),
        pytest.param(find_birth_year, "geboren 12-03-1948", [], id="by-full-date-is-a-date"),
        pytest.param(find_birth_year, "bouwjaar 1931", [], id="by-bouwjaar"),
        pytest.param(find_birth_year, "wie geboren is voor 1960", [], id="by-rule"),
        pytest.param(find_birth_year, "sinds 2015 en in 1931 gebouwd", [], id="by-other-years"),
        pytest.param(find_birth_year, "geboren in de jaren '30", [], id="by-decade"),
        # identifiers in more shapes
        pytest.param(
            find_identifier, "Polisnummer: 1234 567 89.", ["1234 567 89"], id="id-spaced-groups"
        ),
        pytest.param(
            find_identifier, "polisnr. ZV 12345678 is", ["ZV 12345678"], id="id-letter-prefix"
        ),
        pytest.param(
            find_identifier, "Klantnummer K 0012 3344 bij", ["K 0012 3344"], id="id-single-letter"
        ),
        pytest.param(
            find_identifier, "relatienummer: 12.34.56.789", ["12.34.56.789"], id="id-dotted"
        ),
        pytest.param(find_identifier, "polis AB-778812 maar", ["AB-778812"], id="id-bare-polis"),
        pytest.param(
            find_identifier, "klantnummer is kl-2023-00451;", ["kl-2023-00451"], id="id-lower"
        ),
        pytest.param(
            find_identifier, "dossiernummer 12345 3 keer", ["12345"], id="id-stops-at-count"
        ),
        pytest.param(
            find_identifier, "klantnummer 1234567 18 jaar", ["1234567"], id="id-stops-at-quantity"
        ),
        pytest.param(find_identifier, "de polis van 2025 dekt", [], id="id-polis-year"),
        pytest.param(find_identifier, "het dossier 2023-2024", [], id="id-dossier-years"),
        pytest.param(find_identifier, "het dossier is 3 keer kwijt", [], id="id-dossier-count"),
        pytest.param(find_identifier, "polisnr. ZV kwijt", [], id="id-letters-only"),
        # e-mail written out
        pytest.param(
            find_email,
            "naar ria.smit at ziggo punt nl, maar",
            ["ria.smit at ziggo punt nl"],
            id="email-at-punt",
        ),
        pytest.param(
            find_email,
            "via m.bakker (at) hotmail (dot) com omdat",
            ["m.bakker (at) hotmail (dot) com"],
            id="email-at-dot-parens",
        ),
        pytest.param(
            find_email, "adres x[at]gmail[punt]com op", ["x[at]gmail[punt]com"], id="email-brackets"
        ),
        pytest.param(
            find_email,
            "naar pietjansen AT kpnmail DOT nl, schreef",
            ["pietjansen AT kpnmail DOT nl"],
            id="email-upper-words",
        ),
        pytest.param(
            find_email,
            "als k punt jansen apenstaartje ziggo punt nl en",
            ["k punt jansen apenstaartje ziggo punt nl"],
            id="email-punt-in-local-part",
        ),
        pytest.param(
            find_email, "gebruikt joke at gmail.com voor", ["joke at gmail.com"], id="email-at-dot"
        ),
        pytest.param(find_email, "jongeren at risk en Zorg at Home", [], id="email-english-at"),
        pytest.param(find_email, "het punt is dat punt nl", [], id="email-punt-without-at"),
        pytest.param(find_email, "Zorg at Home punt", [], id="email-no-domain-end"),
        # social media
        pytest.param(
            find_social_media, "als @annie_dekker52;", ["@annie_dekker52"], id="social-handle"
        ),
        pytest.param(
            find_social_media, "TikTok (@mama.van.drie) om", ["@mama.van.drie"], id="social-dots"
        ),
        pytest.param(
            find_social_media,
            "Zie facebook.com/marieke.devries.3 voor",
            ["facebook.com/marieke.devries.3"],
            id="social-facebook",
        ),
        pytest.param(
            find_social_media,
            "Via https://www.instagram.com/zorgmoeder_lotte/ vertelt",
            ["https://www.instagram.com/zorgmoeder_lotte/"],
            id="social-instagram-url",
        ),
        pytest.param(
            find_social_media,
            "op tiktok.com/@jayden.mantelzorg.",
            ["tiktok.com/@jayden.mantelzorg"],
            id="social-tiktok",
        ),
        pytest.param(
            find_social_media, "op x.com/kees_b1958 over", ["x.com/kees_b1958"], id="social-x"
        ),
        pytest.param(
            find_social_media,
            "(linkedin.com/in/sandra-kok-7b21)",
            ["linkedin.com/in/sandra-kok-7b21"],
            id="social-linkedin",
        ),
        pytest.param(
            find_social_media, "Op Snapchat heet hij sem.k2009;", ["sem.k2009"], id="social-named"
        ),
        pytest.param(find_social_media, "het @-teken en Zorg@Home", [], id="social-at-sign"),
        pytest.param(find_social_media, "mail jan@ziggo.nl", [], id="social-not-in-email"),
        pytest.param(find_social_media, "via Facebook en Instagram", [], id="social-platforms"),
        pytest.param(find_social_media, "Op Instagram als groep", [], id="social-ordinary-word"),
        pytest.param(find_social_media, "ga naar wax.com/shop", [], id="social-other-host"),
        pytest.param(find_social_media, "om @12 uur", [], id="social-digits-only"),
    ],
)
def test_new_kind_detector(detector: Detector, text: str, expected: list[str]) -> None:
    findings = detector(text)
    assert [text[f.start : f.end] for f in findings] == expected
    kinds: dict[Detector, PiiKind] = {
        find_licence_plate: PiiKind.LICENCE_PLATE,
        find_age: PiiKind.AGE,
        find_birth_year: PiiKind.BIRTH_YEAR,
        find_identifier: PiiKind.IDENTIFIER,
        find_email: PiiKind.EMAIL,
        find_social_media: PiiKind.SOCIAL_MEDIA,
    }
    assert {f.kind for f in findings} <= {kinds[detector]}


@pytest.mark.parametrize("sidecode", SIDECODES)
def test_every_sidecode_with_and_without_hyphens(sidecode: str) -> None:
    letters, digits = iter("GHJKLNPRSTXZ"), iter("472913")
    plate = "".join(
        "-" if char == "-" else next(letters) if char == "L" else next(digits) for char in sidecode
    )
    assert found(find_licence_plate, f"met de {plate} naar de dagbesteding") == [plate]
    compact = plate.replace("-", "")
    assert found(find_licence_plate, f"kenteken {compact} van de zoon") == [compact]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Mevrouw Jansen (82) wacht", "82", id="parens"),
        pytest.param("Jansen (82 jr.) wacht", "82 jr.", id="parens-jr"),
        pytest.param("Meneer De Graaf, 79, woont", "79", id="commas"),
        pytest.param("Jansen (2024) schreef", None, id="a-year"),
        pytest.param("Jansen, 79 keer", None, id="no-closing-comma"),
        pytest.param("Jansen woont", None, id="nothing"),
    ],
)
def test_age_after_name(text: str, expected: str | None) -> None:
    name_end = text.index("Jansen") + 6 if "Jansen" in text else text.index("Graaf") + 5
    finding = age_after_name(text, name_end)
    assert (None if finding is None else text[finding.start : finding.end]) == expected


# ----------------------------------------------------------------------------- deduce windows


@given(
    st.text(alphabet=st.sampled_from("ab \n"), max_size=2500),
    st.integers(min_value=40, max_value=400),
)
def test_windows_cover_text_with_overlap(text: str, size: int) -> None:
    overlap = size // 4
    spans = list(windows(text, size=size, overlap=overlap))
    assert spans[0][0] == 0
    assert spans[-1][1] == len(text)
    token_starts = [
        i for i, char in enumerate(text) if not char.isspace() and (i == 0 or text[i - 1].isspace())
    ]
    for (start, end), (next_start, _) in itertools.pairwise(spans):
        assert start < next_start <= end
        assert end - start <= size
        # Any detail of at most `overlap` characters that starts a token in this
        # window and not in the next one still ends inside this window.
        assert all(a + overlap <= end for a in token_starts if start <= a < next_start)

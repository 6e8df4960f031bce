"""The checksum and pattern detectors, without deduce."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waakhond_intake.processing.privacy.deduce_adapter import windows
from waakhond_intake.processing.privacy.detectors import (
    Detector,
    find_bsn,
    find_date,
    find_email,
    find_iban,
    find_identifier,
    find_name_after_role,
    find_phone,
    find_postcode,
    find_street_address,
    find_url,
    is_valid_bsn,
    is_valid_iban,
)


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

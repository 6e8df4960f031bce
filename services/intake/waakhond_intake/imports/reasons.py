"""Why a row is refused, in Dutch: the contract's own errors (the same as the API's problem
details: the same ``type``, the same field), with a reason an organisation can act on."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from waakhond_contract.messages import DESCRIPTION_MIN_CHARS
from waakhond_intake.api.vocabulary_lists import field_vocabularies

_FIELD_REASONS: dict[tuple[str, str], str] = {
    ("client_ref", "string_pattern_mismatch"): (
        "alleen letters, cijfers en . _ : / -, en beginnend met een letter of cijfer"
    ),
    ("municipality_code", "string_pattern_mismatch"): (
        "onbekende gemeente: geef een CBS-code (zoals GM0363) of de naam van de gemeente"
    ),
}
_REASONS: dict[str, str] = {
    "missing": "verplicht; de cel is leeg",
    "string_type": "moet tekst zijn",
    "list_type": "moet een lijst zijn, gescheiden door ; of ,",
    "string_too_short": "te kort: ten minste {min_length} teken(s)",
    "string_too_long": "te lang: ten hoogste {max_length} tekens",
    "too_short": "vul ten minste {min_length} waarde in",
    "too_long": "te veel waarden: ten hoogste {max_length}",
    "date_from_datetime_parsing": "geen geldige datum; schrijf dd-mm-jjjj of jjjj-mm-dd",
    "date_parsing": "geen geldige datum; schrijf dd-mm-jjjj of jjjj-mm-dd",
    "date_type": "geen geldige datum; schrijf dd-mm-jjjj of jjjj-mm-dd",
    "date_from_datetime_inexact": "een datum zonder tijd, dd-mm-jjjj of jjjj-mm-dd",
    "observed_on_in_future": "de datum {value} ligt na vandaag ({today})",
    "observed_on_too_early": "de datum ligt voor {earliest}",
    "unknown_municipality": "gemeentecode {code} bestaat niet in de gemeentelijke indeling "
    "van {year}",
    "description_too_short": f"te kort: ten minste {DESCRIPTION_MIN_CHARS} tekens tekst",
    "duplicate_value": "dezelfde waarde staat er meer dan eens in",
    "description_only_identifying_details": (
        "na het weglaten van herleidbare gegevens blijft te weinig over"
    ),
}


@cache
def _labels_by_field() -> dict[str, tuple[str, ...]]:
    return {
        field: tuple(term.label for term in vocabulary.terms)
        for vocabulary in field_vocabularies()
        for field in vocabulary.fields
    }


def dutch_reason(field: str, error_type: str, context: Mapping[str, Any], fallback: str) -> str:
    """``fallback`` (the contract's English message) for an error this table does not know."""
    if error_type == "enum":
        labels = _labels_by_field().get(field)
        if labels:
            return "onbekende waarde; kies uit: " + ", ".join(labels) + " (of de codes)"
    template = _FIELD_REASONS.get((field, error_type)) or _REASONS.get(error_type)
    if template is None:
        return fallback
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return fallback

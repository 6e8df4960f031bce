"""The form's fields: their Dutch labels and options (from the answer of
``GET /v1/vocabularies``), the posted form read as a ``SignalSubmission``, and the
contract's errors in Dutch (the import's reasons, ``imports/reasons.py``)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from waakhond_contract.messages import DUTCH_TIME, SignalSubmission
from waakhond_contract.regions import load_region_reference
from waakhond_intake.api.models import Term
from waakhond_intake.api.vocabulary_lists import vocabularies_answer
from waakhond_intake.imports.reasons import dutch_reason
from waakhond_runtime.problems import FieldError

LIST_FIELDS = ("law_domains", "life_domains", "target_groups", "suggested_categories")
TEXT_FIELDS = (
    "client_ref",
    "observed_on",
    "municipality_code",
    "age_band",
    "supporter_type",
    "description",
)
# The order of the page, which is also the order of the error summary.
FIELD_ORDER = (
    "client_ref",
    "observed_on",
    "municipality_code",
    "law_domains",
    "life_domains",
    "target_groups",
    "age_band",
    "supporter_type",
    "description",
    "suggested_categories",
)
FIELD_LABELS: dict[str, str] = {
    "client_ref": "Uw referentie",
    "observed_on": "Datum van de observatie",
    "municipality_code": "Gemeente",
    "law_domains": "Wetten",
    "life_domains": "Leefgebieden",
    "target_groups": "Doelgroepen",
    "age_band": "Leeftijd van de cliënt",
    "supporter_type": "Soort ondersteuner",
    "description": "Omschrijving van het signaal",
    "suggested_categories": "Soort signaal (optioneel)",
}
# Where the form's wording differs from a spreadsheet's ("de cel is leeg"): the same error
# types, said of a form field.
_FORM_REASONS: dict[str, str] = {
    "missing": "vul dit veld in",
}
_LIST_REASONS: dict[str, str] = {
    "missing": "kies ten minste één",
    "too_short": "kies ten minste één",
}


@dataclass(frozen=True, slots=True)
class Options:
    """Every closed list's terms by field, and the municipalities sorted by name."""

    by_field: Mapping[str, list[Term]]
    municipalities: list[Term]


def options(today: dt.date) -> Options:
    body, _ = vocabularies_answer(load_region_reference().map_for(today).year)
    by_field: dict[str, list[Term]] = {}
    municipalities: list[Term] = []
    for vocabulary in body.vocabularies:
        if vocabulary.name == "municipality":
            municipalities = sorted(vocabulary.terms, key=lambda term: term.label)
            continue
        for field in vocabulary.fields:
            by_field[field] = vocabulary.terms
    return Options(by_field=by_field, municipalities=municipalities)


def today() -> dt.date:
    return dt.datetime.now(DUTCH_TIME).date()


def new_client_ref(day: dt.date) -> str:
    return f"formulier-{day:%Y%m%d}-{secrets.token_hex(3)}"


def read_form(form: Mapping[str, Any], getlist: Any) -> dict[str, Any]:
    """What the supporter filled in, as the fields of a submission; an empty field is left
    out, so the contract names it as missing."""
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            values[name] = value if name == "description" else value.strip()
    for name in LIST_FIELDS:
        values[name] = [str(item) for item in getlist(name)]
    return values


def validate(values: Mapping[str, Any]) -> SignalSubmission | dict[str, str]:
    """The submission, or each refused field's first reason in Dutch."""
    try:
        return SignalSubmission.model_validate(dict(values))
    except ValidationError as error:
        errors: dict[str, str] = {}
        for detail in error.errors(include_url=False):
            field = str(detail["loc"][0]) if detail["loc"] else "client_ref"
            errors.setdefault(
                field,
                dutch(field, detail["type"], detail.get("ctx", {}), detail["msg"]),
            )
        return errors


def dutch(field: str, error_type: str, context: Mapping[str, Any], fallback: str) -> str:
    wording = (_LIST_REASONS if field in LIST_FIELDS else _FORM_REASONS).get(error_type)
    reason = wording or dutch_reason(field, error_type, context, fallback)
    return reason[:1].upper() + reason[1:]


def refusal_errors(errors: list[FieldError]) -> dict[str, str]:
    """The refusals of ``prepare_all`` (the description) by field, in Dutch."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error.field, dutch(error.field, error.type, {}, error.reason))
    return found


def ordered(errors: Mapping[str, str]) -> list[tuple[str, str]]:
    rank = {name: index for index, name in enumerate(FIELD_ORDER)}
    return sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank)))

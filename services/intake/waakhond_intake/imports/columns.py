"""Which column holds which field: the API's field names, or the Dutch names organisations
use in their own spreadsheets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from waakhond_contract.messages import SignalSubmission

# Dutch column names per field; the field's own name is always accepted as well.
DUTCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "client_ref": ("referentie", "eigen referentie", "kenmerk"),
    "observed_on": ("datum", "datum waarneming", "waargenomen op"),
    "municipality_code": ("gemeente", "gemeentecode"),
    "law_domains": ("wetten", "wet"),
    "life_domains": ("leefgebieden", "leefgebied"),
    "target_groups": ("doelgroepen", "doelgroep"),
    "age_band": ("leeftijd", "leeftijdsgroep"),
    "supporter_type": ("soort ondersteuner", "ondersteuner"),
    "description": ("omschrijving", "beschrijving"),
    "suggested_categories": ("categorieën", "categorie"),
}


def normalised(name: str) -> str:
    """Case, accents, underscores and spacing do not matter: `Categorieën` = `categorieen`."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", " ", plain).strip()


_FIELD_BY_NAME: dict[str, str] = {
    normalised(alias): field
    for field, aliases in DUTCH_COLUMNS.items()
    for alias in (field, *aliases)
}
REQUIRED_FIELDS = tuple(
    name for name, info in SignalSubmission.model_fields.items() if info.is_required()
)


@dataclass(frozen=True, slots=True)
class ColumnProblem:
    column: str  # as the file names it, or its letter when it has no name
    reason: str  # Dutch
    type: str


@dataclass(frozen=True, slots=True)
class Columns:
    by_field: dict[str, int]  # field -> column index
    header: tuple[str, ...]

    def name_of(self, field: str) -> str:
        return self.header[self.by_field[field]]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column without a header."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def resolve_columns(header: tuple[str, ...]) -> tuple[Columns, list[ColumnProblem]]:
    """The field of each named column, and every problem with the header: unknown names,
    a field named twice, required fields without a column. Columns without a name are
    left out here; a value under one is a problem of the rows (``unnamed_with_data``)."""
    by_field: dict[str, int] = {}
    problems: list[ColumnProblem] = []
    for index, name in enumerate(header):
        if not name:
            continue
        field = _FIELD_BY_NAME.get(normalised(name))
        if field is None:
            problems.append(
                ColumnProblem(
                    name,
                    "onbekende kolom; bekende kolommen: " + ", ".join(_known_names()),
                    "unknown_column",
                )
            )
        elif field in by_field:
            problems.append(
                ColumnProblem(
                    name,
                    f"dezelfde kolom als '{header[by_field[field]]}' ({field})",
                    "duplicate_column",
                )
            )
        else:
            by_field[field] = index
    problems += [
        ColumnProblem(
            DUTCH_COLUMNS[field][0],
            f"verplichte kolom ontbreekt: '{DUTCH_COLUMNS[field][0]}' (of {field})",
            "missing_column",
        )
        for field in REQUIRED_FIELDS
        if field not in by_field
    ]
    return Columns(by_field, header), problems


def _known_names() -> list[str]:
    return [DUTCH_COLUMNS[field][0] for field in DUTCH_COLUMNS]

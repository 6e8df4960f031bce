"""A row's cells as the values ``SignalSubmission`` takes.

Closed lists take a code or its Dutch label, compared without regard to case or accents;
the codes and labels are those of ``GET /v1/vocabularies``, so a spreadsheet template made
from that answer imports as it is. A municipality is its CBS code or its name in the region
map of the observation year. Lists are separated by ``;`` or ``,``. Dates are ``dd-mm-jjjj``
(also with ``/`` or ``.``), ISO ``jjjj-mm-dd``, or a spreadsheet date. A value that is none
of these is passed on as written, so that the contract refuses it with its own reason.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from waakhond_contract.regions import load_region_reference

# The answer of GET /v1/vocabularies itself: one source for the codes and labels.
from waakhond_intake.api.vocabulary_lists import vocabularies_answer
from waakhond_intake.imports.columns import Columns, normalised
from waakhond_intake.imports.reader import Cell

LIST_FIELDS = ("law_domains", "life_domains", "target_groups", "suggested_categories")
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_SEPARATORS = re.compile(r"[;,]")


@cache
def _lookups(map_year: int) -> dict[str, dict[str, str]]:
    """Per field: normalised code or label -> code. A code wins over an equal label."""
    answer, _etag = vocabularies_answer(map_year)
    lookups: dict[str, dict[str, str]] = {}
    for vocabulary in answer.vocabularies:
        table: dict[str, str] = {}
        for term in vocabulary.terms:
            table.setdefault(normalised(term.code), term.code)
        for term in vocabulary.terms:
            table.setdefault(normalised(term.label), term.code)
        for field in vocabulary.fields:
            lookups[field] = table
    return lookups


def text(cell: Cell) -> str | None:
    """The cell as text, ``None`` when blank; a whole number from a sheet without ``.0``."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "WAAR" if cell else "ONWAAR"
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, dt.datetime):
        value = cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    elif isinstance(cell, dt.date | dt.time):
        value = cell.isoformat()
    else:
        value = str(cell)
    return value.strip() or None


def observed_on(cell: Cell) -> dt.date | str | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    written = text(cell)
    if written is None:
        return None
    for pattern, order in ((_DUTCH_DATE, (2, 1, 0)), (_ISO_DATE, (0, 1, 2))):
        match = pattern.match(written)
        if match:
            parts = [int(part) for part in match.groups()]
            try:
                return dt.date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return written
    return written


def _code(lookup: dict[str, str], written: str) -> str:
    return lookup.get(normalised(written), written)


def submission_fields(cells: tuple[Cell, ...], columns: Columns) -> dict[str, object]:
    """What the row says, field by field, for ``SignalSubmission.model_validate``; a blank
    cell is left out, so that the contract says it is missing (or takes its default)."""

    def cell(field: str) -> Cell:
        index = columns.by_field.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    fields: dict[str, object] = {}
    observed = observed_on(cell("observed_on"))
    if observed is not None:
        fields["observed_on"] = observed
    on = observed if isinstance(observed, dt.date) else dt.date.today()
    lookups = _lookups(load_region_reference().map_for(on).year)
    for field in columns.by_field:
        if field == "observed_on":
            continue
        written = text(cell(field))
        if written is None:
            continue
        if field in LIST_FIELDS:
            values = [v.strip() for v in _SEPARATORS.split(written) if v.strip()]
            fields[field] = [_code(lookups[field], value) for value in values]
        elif field in lookups:
            fields[field] = _code(lookups[field], written)
        else:
            fields[field] = written
    return fields

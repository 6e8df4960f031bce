"""Spreadsheets for the import tests, written as organisations write them."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Sequence

from openpyxl import Workbook  # type: ignore[import-untyped]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DUTCH_HEADER = (
    "referentie",
    "datum",
    "gemeente",
    "wetten",
    "leefgebieden",
    "doelgroepen",
    "leeftijd",
    "soort ondersteuner",
    "omschrijving",
)
API_HEADER = (
    "client_ref",
    "observed_on",
    "municipality_code",
    "law_domains",
    "life_domains",
    "target_groups",
    "age_band",
    "supporter_type",
    "description",
)
DESCRIPTION = "Al maanden wachtlijst voor beschermd wonen, geen passende plek."


def recent_day() -> dt.date:
    return dt.date.today() - dt.timedelta(days=3)


def reference() -> str:
    return f"imp-{uuid.uuid4().hex[:10]}"


def code_row(client_ref: str, **changes: object) -> list[object]:
    """A valid row in API codes, in the order of the headers above."""
    row: dict[str, object] = {
        "client_ref": client_ref,
        "observed_on": recent_day().isoformat(),
        "municipality_code": "GM0363",
        "law_domains": "wmo",
        "life_domains": "housing",
        "target_groups": "intellectual_disability",
        "age_band": "18-26",
        "supporter_type": "formal",
        "description": DESCRIPTION,
    }
    row.update(changes)
    return list(row.values())


def csv_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    delimiter: str = ",",
    bom: bool = False,
    sep_line: bool = False,
) -> bytes:
    def cell(value: object) -> str:
        text = str(value)
        if any(c in text for c in (delimiter, '"', "\n", ";", ",")):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [delimiter.join(cell(v) for v in line) for line in [header, *rows]]
    if sep_line:
        lines.insert(0, f"sep={delimiter}")
    return ("\ufeff" if bom else "").encode() + ("\r\n".join(lines) + "\r\n").encode()


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

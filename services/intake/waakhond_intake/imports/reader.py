"""From the uploaded bytes to a header and data rows: CSV (comma or semicolon, UTF-8 with or
without BOM) or XLSX (the first sheet).

Nothing is evaluated: openpyxl reads an XLSX formula as its text (``=A1*2``), never as the
value a spreadsheet program last computed, so what is imported is what the file says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from openpyxl import load_workbook  # type: ignore[import-untyped]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"
# A ZIP file starts with these bytes; an XLSX file is a ZIP file.
_ZIP_MAGIC = b"PK\x03\x04"
# How much larger than the upload its unpacked XML may be: spreadsheet XML packs about
# tenfold, so this refuses a ZIP bomb without refusing any real sheet.
_MAX_UNPACKED_RATIO = 40

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | None


@dataclass(frozen=True, slots=True)
class DataRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    format: str  # "csv" or "xlsx"
    header: tuple[str, ...]
    rows: tuple[DataRow, ...]


class TooManyRowsError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} rows")
        self.limit = limit


class UnpackedTooLargeError(Exception):
    """An XLSX file that unpacks to far more than any real sheet of its size."""


class UnreadableFileError(Exception):
    """The bytes are not a CSV or XLSX file this import can read; ``reason`` is Dutch."""

    def __init__(self, reason: str, error_type: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error_type = error_type


def is_xlsx(data: bytes) -> bool:
    return data.startswith(_ZIP_MAGIC)


def read_table(data: bytes, max_rows: int) -> Table:
    """The header (the first row that is not blank) and at most ``max_rows`` data rows;
    blank rows are skipped. Raises ``TooManyRowsError`` beyond the limit."""
    if not data.strip():
        raise UnreadableFileError("het bestand is leeg", "file_empty")
    if is_xlsx(data):
        return _table("xlsx", _xlsx_rows(data), max_rows)
    return _table("csv", _csv_rows(data), max_rows)


def _table(file_format: str, rows: Iterable[Sequence[Cell]], max_rows: int) -> Table:
    header: tuple[str, ...] | None = None
    data_rows: list[DataRow] = []
    for number, cells in enumerate(rows, 1):
        if all(_blank(cell) for cell in cells):
            continue
        if header is None:
            header = tuple("" if cell is None else str(cell).strip() for cell in cells)
            continue
        if len(data_rows) == max_rows:
            raise TooManyRowsError(max_rows)
        data_rows.append(DataRow(number, tuple(cells)))
    if header is None:
        raise UnreadableFileError("het bestand heeft geen kopregel met kolomnamen", "file_empty")
    return Table(file_format, header, tuple(data_rows))


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            f"het bestand is geen UTF-8 (byte {error.start + 1}); sla het op als "
            "'CSV UTF-8 (door komma's gescheiden)'",
            "file_encoding",
        ) from None
    first_line, _, rest = text.partition("\n")
    if first_line.startswith("sep=") and len(first_line.rstrip("\r")) == 5:
        # Excel's hint line naming the delimiter; Excel does not show it as a row.
        delimiter, text = first_line[4], rest
    else:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    except csv.Error as error:
        raise UnreadableFileError(
            f"het bestand is geen leesbare CSV ({error})", "file_unreadable"
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[Cell, ...]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFileError(
            "het bestand is geen leesbaar XLSX-bestand", "file_unreadable"
        ) from None
    if unpacked > _MAX_UNPACKED_RATIO * len(data) + 1_000_000:
        raise UnpackedTooLargeError
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a damaged file
        raise UnreadableFileError(
            "het bestand is geen leesbaar XLSX-bestand", "file_unreadable"
        ) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFileError("het XLSX-bestand heeft geen werkblad", "file_empty")
        sheet = workbook.worksheets[0]
        try:
            for values in sheet.iter_rows(values_only=True):
                yield tuple(_xlsx_cell(value) for value in values)
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
            raise UnreadableFileError(
                f"het werkblad is niet leesbaar ({type(error).__name__})", "file_unreadable"
            ) from None
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | dt.date | dt.time):
        return value
    # An array or data-table formula: its text, like any other formula.
    text = getattr(value, "text", None)
    return str(text if text is not None else value)

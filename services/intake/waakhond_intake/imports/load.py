"""A whole file checked before anything of it is submitted: readable, not too large, every
column known, every required column present; then each row valid or refused."""

from __future__ import annotations

from dataclasses import dataclass

from waakhond_intake.imports.columns import ColumnProblem, resolve_columns
from waakhond_intake.imports.reader import read_table
from waakhond_intake.imports.rows import RefusedRow, ValidRow, unnamed_with_data, validate_rows


class HeaderProblemsError(Exception):
    """The header names columns this import does not know, or lacks required ones: the
    whole file is refused, so that no row is imported with a column silently ignored."""

    def __init__(self, problems: list[ColumnProblem]) -> None:
        super().__init__(f"{len(problems)} column problem(s)")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class CheckedFile:
    format: str
    rows: list[ValidRow | RefusedRow]
    description_column: str | None


def check_file(data: bytes, max_rows: int) -> CheckedFile:
    """Raises ``TooManyRowsError``, ``UnpackedTooLargeError``, ``UnreadableFileError`` or
    ``HeaderProblemsError`` (reader, this module) for a file refused as a whole."""
    table = read_table(data, max_rows)
    columns, problems = resolve_columns(table.header)
    problems += unnamed_with_data(table)
    if problems:
        raise HeaderProblemsError(problems)
    description = columns.name_of("description") if "description" in columns.by_field else None
    return CheckedFile(table.format, validate_rows(table, columns), description)

"""Each data row validated by the contract, as ``POST /v1/signals`` validates a body."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from waakhond_contract.messages import SignalSubmission
from waakhond_intake.imports.cells import submission_fields, text
from waakhond_intake.imports.columns import ColumnProblem, Columns, column_letter
from waakhond_intake.imports.reader import Table
from waakhond_intake.imports.reasons import dutch_reason
from waakhond_intake.imports.report import RowError


@dataclass(frozen=True, slots=True)
class ValidRow:
    number: int
    submission: SignalSubmission


@dataclass(frozen=True, slots=True)
class RefusedRow:
    number: int
    client_ref: str | None
    errors: tuple[RowError, ...]


def unnamed_with_data(table: Table) -> list[ColumnProblem]:
    """Columns without a name (or beyond the header) that hold a value in some row: their
    values would otherwise be dropped without a word."""
    found: dict[int, int] = {}
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            unnamed = index >= len(table.header) or not table.header[index]
            if unnamed and index not in found and text(cell) is not None:
                found[index] = row.number
    return [
        ColumnProblem(
            f"kolom {column_letter(index)}",
            f"kolom zonder naam met een waarde (rij {number}); geef de kolom een naam of "
            "maak hem leeg",
            "unnamed_column",
        )
        for index, number in sorted(found.items())
    ]


def validate_rows(table: Table, columns: Columns) -> list[ValidRow | RefusedRow]:
    """Every data row, valid or refused. A client_ref that an earlier row of the file has
    already is refused in each later row: within one file it cannot mean the same signal
    twice, and the later rows would otherwise replace or repeat the first."""
    results: list[ValidRow | RefusedRow] = []
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        fields = submission_fields(row.cells, columns)
        client_ref = fields.get("client_ref")
        errors: list[RowError] = []
        if isinstance(client_ref, str):
            first = first_row_of.setdefault(client_ref, row.number)
            if first != row.number:
                errors.append(
                    RowError(
                        field="client_ref",
                        column=columns.name_of("client_ref"),
                        reason=f"deze referentie staat al in rij {first} van dit bestand",
                        type="duplicate_client_ref",
                    )
                )
        try:
            submission = SignalSubmission.model_validate(fields)
        except ValidationError as error:
            errors += _row_errors(error, columns)
        else:
            if not errors:
                results.append(ValidRow(row.number, submission))
                continue
        reference = client_ref if isinstance(client_ref, str) else None
        results.append(RefusedRow(row.number, reference, tuple(errors)))
    return results


def _row_errors(error: ValidationError, columns: Columns) -> list[RowError]:
    found = []
    for detail in error.errors(include_url=False):
        location = [str(part) for part in detail["loc"]]
        field = location[0] if location else "body"
        column = columns.name_of(field) if field in columns.by_field else None
        found.append(
            RowError(
                field=".".join(location) or "body",
                column=column,
                reason=dutch_reason(field, detail["type"], detail.get("ctx", {}), detail["msg"]),
                type=detail["type"],
            )
        )
    return found

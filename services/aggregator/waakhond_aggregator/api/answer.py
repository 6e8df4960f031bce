"""The read routes' one way to answer: JSON, CSV, or CSV for Dutch Excel.

``format=json`` (the default) answers the route's response model. ``format=csv`` (or
``Accept: text/csv``) answers its rows as CSV: UTF-8, commas, a header, an empty cell for a
suppressed value, and a Dutch ``<column>_label`` beside each code column (``labels.py``).
``format=csv-excel`` is the same table as Dutch Excel opens it: UTF-8 with a byte order
mark, semicolons, a decimal comma (dates stay ISO, which Excel reads as dates). Both are
downloads (``Content-Disposition``), and both carry the disclosure rule their counts were
shown by in the header ``Waakhond-Disclosure`` (``DISCLOSURE_HEADER``), read from the policy
the views apply, as the JSON answers carry it in ``disclosure``.

An analytics route states its view (the SQL) and its response model (``response_model``,
whose ``rows`` name the row model); ``Answer`` runs the SQL with the route's filters. A
route with another shape (``/v1/trends``) builds its ``Table`` itself.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from clickhouse_connect.driver.client import Client
from fastapi import Depends, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from waakhond_aggregator.api.deps import ClientDep, DatabaseDep, Filter
from waakhond_aggregator.api.models import DisclosureInfo, RowsResponse
from waakhond_aggregator.api.queries import read_rows
from waakhond_aggregator.labels import LABELLED, label

Answered = BaseModel | Response
DISCLOSURE_HEADER = "Waakhond-Disclosure"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# Codes that hold for every row of an answer (its filters), put first in the CSV so that a
# downloaded file still says what it counts.
CONTEXT_COLUMNS = ("level", "category", "dimension")


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    CSV_EXCEL = "csv-excel"


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "headers": {
            DISCLOSURE_HEADER: {
                "description": "With CSV: the disclosure rule the counts were shown by, e.g. "
                "`min_count=10; rounding_base=5; noise=cell-key; suppressed=empty`.",
                "schema": {"type": "string"},
            }
        },
    }
}


def disclosure_header(policy: DisclosureInfo) -> str:
    """The policy as ``name=value`` pairs: counts below ``min_count`` are hidden (an empty
    cell), the rest rounded to ``rounding_base``, after cell-key noise unless ``noise=none``."""
    noise = "cell-key" if policy.noise else "none"
    return (
        f"min_count={policy.min_count}; rounding_base={policy.rounding_base}; "
        f"noise={noise}; suppressed=empty"
    )


def _cell(value: object, excel: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and excel:
        return str(value).replace(".", ",")
    return str(value)


@dataclass(frozen=True, slots=True)
class Table:
    """What a CSV answer holds: its rows by column, and the codes every row shares."""

    name: str
    """The file's name, without ``.csv``."""
    columns: Sequence[str]
    rows: Sequence[Mapping[str, object]]
    context: Mapping[str, str]

    def header(self) -> list[str]:
        columns = [*self.context, *self.columns]
        return [name for column in columns for name in _with_label(column)]

    def lines(self) -> list[list[object]]:
        dimension = self.context.get("dimension")
        lines = []
        for row in self.rows:
            line: list[object] = []
            for column, value in [*self.context.items(), *((c, row[c]) for c in self.columns)]:
                line.append(value)
                if column in LABELLED:
                    line.append(None if value is None else label(column, str(value), dimension))
            lines.append(line)
        return lines


def _with_label(column: str) -> list[str]:
    return [column, f"{column}_label"] if column in LABELLED else [column]


def to_csv(table: Table, excel: bool = False) -> str:
    """The table as CSV with a header; a suppressed (null) value is an empty cell."""
    buffer = io.StringIO()
    if excel:
        buffer.write("\ufeff")
    writer = csv.writer(
        buffer, delimiter=";" if excel else ",", lineterminator="\r\n" if excel else "\n"
    )
    writer.writerow(table.header())
    for line in table.lines():
        writer.writerow([_cell(value, excel) for value in line])
    return buffer.getvalue()


def csv_response(table: Table, policy: DisclosureInfo, output: Format) -> Response:
    excel = output is Format.CSV_EXCEL
    name = f"{table.name}-excel" if excel else table.name
    return Response(
        to_csv(table, excel),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            DISCLOSURE_HEADER: disclosure_header(policy),
        },
    )


async def output_format(
    request: Request,
    format_: Annotated[
        Format | None,
        Query(
            alias="format",
            description="`csv` for CSV, `csv-excel` for CSV as Dutch Excel opens it "
            "(semicolons, decimal comma, byte order mark); default JSON unless "
            "`Accept: text/csv`.",
        ),
    ] = None,
) -> Format:
    if format_ is None:
        return Format.CSV if "text/csv" in request.headers.get("accept", "") else Format.JSON
    return format_


FormatDep = Annotated[Format, Depends(output_format)]


def context(fields: Mapping[str, Any], columns: Sequence[str]) -> dict[str, str]:
    """The filters' codes that every row shares and no row states."""
    return {
        name: str(fields[name])
        for name in CONTEXT_COLUMNS
        if fields.get(name) is not None and name not in columns
    }


@dataclass(frozen=True, slots=True)
class Answer:
    client: Client
    database: str
    response: type[RowsResponse]
    output: Format

    async def __call__(self, sql: str, filters: Filter) -> Answered:
        """Runs ``sql`` with the filters' parameters; answers the response model with the
        filters' fields, the disclosure policy and the rows, or the rows as CSV."""
        row = self.response.row_model()
        rows, policy = await asyncio.to_thread(
            read_rows, self.client, self.database, sql, filters.parameters(), row
        )
        if self.output is not Format.JSON:
            columns = list(row.model_fields)
            table = Table(
                self.response.csv_name,
                columns,
                [dict(each) for each in rows],
                context(filters.fields(), columns),
            )
            return csv_response(table, policy, self.output)
        # The response model takes the fields it reports and leaves the others.
        fields = {**filters.fields(), "disclosure": policy, "rows": rows}
        return self.response.model_validate(fields)


async def answer(
    request: Request, client: ClientDep, database: DatabaseDep, output: FormatDep
) -> Answer:
    route = request.scope["route"]
    # Only the analytics routes use this, and each answers a RowsResponse.
    assert isinstance(route, APIRoute)
    assert issubclass(route.response_model, RowsResponse)
    return Answer(client, database, route.response_model, output)


AnswerDep = Annotated[Answer, Depends(answer)]

"""The analytics routes' one way to answer: their SQL's rows as JSON, or as CSV.

A route states its view (the SQL) and its response model (``response_model``, whose
``rows`` name the row model); the answer runs the SQL with the route's filters and answers
that model, or with ``format=csv`` or ``Accept: text/csv`` the same rows and columns as CSV,
an empty cell for a suppressed value.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from clickhouse_connect.driver.client import Client
from fastapi import Depends, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from waakhond_aggregator.api.deps import ClientDep, DatabaseDep, Filter
from waakhond_aggregator.api.models import RowsResponse
from waakhond_aggregator.api.queries import read_rows

Answered = BaseModel | Response
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(rows: Sequence[BaseModel], row_model: type[BaseModel]) -> str:
    """The rows as CSV with a header; a suppressed (null) value is an empty cell."""
    columns = list(row_model.model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(getattr(row, column)) for column in columns])
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Answer:
    client: Client
    database: str
    response: type[RowsResponse]
    csv: bool

    async def __call__(self, sql: str, filters: Filter) -> Answered:
        """Runs ``sql`` with the filters' parameters; answers the response model with the
        filters' fields, the disclosure policy and the rows, or the rows alone as CSV."""
        row = self.response.row_model()
        rows, policy = await asyncio.to_thread(
            read_rows, self.client, self.database, sql, filters.parameters(), row
        )
        if self.csv:
            return Response(
                to_csv(rows, row),
                media_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": f'attachment; filename="{self.response.csv_name}.csv"'
                },
            )
        # The response model takes the fields it reports and leaves the others.
        fields = {**filters.fields(), "disclosure": policy, "rows": rows}
        return self.response.model_validate(fields)


async def answer(
    request: Request,
    client: ClientDep,
    database: DatabaseDep,
    format_: Annotated[
        Literal["json", "csv"] | None,
        Query(alias="format", description="`csv` for CSV; default JSON unless `Accept: text/csv`."),
    ] = None,
) -> Answer:
    route = request.scope["route"]
    # Only the analytics routes use this, and each answers a RowsResponse.
    assert isinstance(route, APIRoute)
    assert issubclass(route.response_model, RowsResponse)
    if format_ is None:
        wants_csv = "text/csv" in request.headers.get("accept", "")
    else:
        wants_csv = format_ == "csv"
    return Answer(client, database, route.response_model, wants_csv)


AnswerDep = Annotated[Answer, Depends(answer)]

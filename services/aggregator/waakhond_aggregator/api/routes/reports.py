"""``GET /v1/reports/{period}``: the signal report as an HTML page or a PDF download.

The same report as ``waakhond report`` (``waakhond_aggregator.reports``), read from the
disclosed views only. A period that is not ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM`` (from 2015 to
next year), or a scope that is no region code at any level, is a 422 problem naming it.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from waakhond_aggregator.api.deps import (
    REGION_PATTERN,
    ClientDep,
    DatabaseDep,
    refuse_unknown_parameters,
)
from waakhond_aggregator.reports.build import render
from waakhond_aggregator.reports.data import ScopeError, read_report_data, resolve_scope
from waakhond_aggregator.reports.formats import MEDIA_TYPES, ReportFormat, file_name
from waakhond_aggregator.reports.period import PeriodError, parse_period
from waakhond_runtime.problems import refused

router = APIRouter(tags=["reports"], dependencies=[Depends(refuse_unknown_parameters)])


@router.get(
    "/v1/reports/{period}",
    response_class=Response,
    summary="The signal report of a period, as HTML or PDF",
    responses={
        200: {
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
async def report(
    client: ClientDep,
    database: DatabaseDep,
    period: Annotated[
        str,
        Path(
            max_length=7,
            description="A year (`2026`), a quarter (`2026-Q3`) or a month (`2026-09`).",
        ),
    ],
    scope: Annotated[
        str,
        Query(
            max_length=16,
            pattern=REGION_PATTERN,
            description="`NL`, or the code of a region at any level (see the region reference).",
        ),
    ] = "NL",
    format_: Annotated[
        ReportFormat,
        Query(alias="format", description="`html` (a page) or `pdf` (a download, A4)."),
    ] = ReportFormat.HTML,
) -> Response:
    """In Dutch: the period's disclosed counts against the period before, the strongest rises,
    weekly trends per category, maps per care-office region and province, hard-to-place
    clients by target group, breakdowns by law and life domain, method and sources."""
    try:
        parsed = parse_period(period)
    except PeriodError as error:
        raise refused("path", "period", "invalid_period", str(error)) from None
    try:
        place = resolve_scope(scope, parsed.last_day)
    except ScopeError as error:
        raise refused("query", "scope", "unknown_region", str(error)) from None

    def build() -> bytes:
        return render(read_report_data(client, database, parsed, place), format_)

    body = await asyncio.to_thread(build)
    headers = {}
    if format_ is ReportFormat.PDF:
        name = file_name(parsed.code, place.code, format_)
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(body, media_type=MEDIA_TYPES[format_], headers=headers)

"""The report's output formats (kept apart from rendering, so that importing the API does
not load matplotlib or WeasyPrint: the aggregator starts without them)."""

from __future__ import annotations

from enum import StrEnum


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


MEDIA_TYPES = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
}


def file_name(period: str, scope: str, output: ReportFormat) -> str:
    return f"signaleringsrapport-{scope}-{period}.{output}"

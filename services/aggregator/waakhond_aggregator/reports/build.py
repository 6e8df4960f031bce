"""From a period and a scope to the report's bytes, as HTML or PDF."""

from __future__ import annotations

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.reports.data import ReportData, read_report_data, resolve_scope
from waakhond_aggregator.reports.formats import ReportFormat
from waakhond_aggregator.reports.period import ReportPeriod, parse_period


def render(data: ReportData, output: ReportFormat) -> bytes:
    # Imported here: matplotlib and WeasyPrint load only when a report is made.
    from waakhond_aggregator.reports.pdf import render_pdf
    from waakhond_aggregator.reports.render import render_html

    html = render_html(data)
    return render_pdf(html) if output is ReportFormat.PDF else html.encode("utf-8")


def build_report(
    client: Client, database: str, period: str | ReportPeriod, scope: str, output: ReportFormat
) -> bytes:
    """The report's bytes; raises ``PeriodError`` or ``ScopeError`` for bad input."""
    parsed = parse_period(period) if isinstance(period, str) else period
    data = read_report_data(client, database, parsed, resolve_scope(scope, parsed.last_day))
    return render(data, output)

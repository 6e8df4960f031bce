"""The report as one self-contained HTML page in Dutch (Jinja2), laid out for A4 print.

Every number the page shows is a disclosed count (or a rate ratio of the alerts view) and
goes through ``count`` or ``ratio``, which mark it (``<span class="num">``) so that the
tests can find each one and check it against the views. Other digits (dates, years, region
codes, the policy's parameters) are marked as such (``<time>``, ``class="nocount"``,
``class="param"``); charts and maps are inline SVG with their text drawn as paths.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from waakhond_aggregator.labels import ALL_SIGNALS
from waakhond_aggregator.reports.charts import bar_chart, dutch_number, trend_chart
from waakhond_aggregator.reports.data import ReportData
from waakhond_aggregator.reports.maps import choropleth
from waakhond_aggregator.reports.period import MONTHS
from waakhond_contract.regions import RegionLevel


def count(value: int | None) -> Markup:
    if value is None:
        return Markup('<span class="hidden-count">niet getoond</span>')
    return Markup('<span class="num" data-kind="count">{}</span>').format(dutch_number(value))


def ratio(value: float) -> Markup:
    shown = f"{value:.1f}".replace(".", ",")
    return Markup('<span class="num" data-kind="ratio">{}</span>').format(shown)


def param(value: object) -> Markup:
    return Markup('<span class="param">{}</span>').format(value)


def nocount(value: object) -> Markup:
    return Markup('<span class="nocount">{}</span>').format(value)


def day(value: dt.date) -> Markup:
    return Markup('<time datetime="{}">{} {} {}</time>').format(
        value.isoformat(), value.day, MONTHS[value.month - 1], value.year
    )


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("waakhond_aggregator.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(count=count, ratio=ratio, param=param, nocount=nocount, day=day)
    return env


@functools.cache
def attribution() -> str:
    """The source line of the region reference (``Bron: ...``), as ATTRIBUTION.md gives it."""
    text = (
        resources.files("waakhond_contract")
        .joinpath("reference", "ATTRIBUTION.md")
        .read_text(encoding="utf-8")
    )
    for line in text.splitlines():
        if line.startswith("Bron:"):
            return line.removeprefix("Bron:").strip().rstrip(".")
    return "CBS / PDOK (CC-BY 4.0)"  # pragma: no cover - the file carries the line


def render_html(data: ReportData, generated_on: dt.date | None = None) -> str:
    charts: dict[str, str] = {}
    maps: dict[str, str] = {}
    if data.has_data:
        for total in data.totals:
            charts[total.key] = trend_chart(
                total.label, data.weekly[total.key], data.previous_weekly[total.key]
            )
        charts["law_domains"] = bar_chart(data.law_domains)
        charts["life_domains"] = bar_chart(data.life_domains)
        charts["hard_to_place"] = bar_chart(data.hard_to_place)
        maps["zorgkantoorregio"] = choropleth(
            RegionLevel.ZORGKANTOORREGIO,
            data.regions["zorgkantoorregio"],
            data.policy,
            "Per zorgkantoorregio",
        )
        maps["province"] = choropleth(
            RegionLevel.PROVINCE, data.regions["province"], data.policy, "Per provincie"
        )
    template = environment().get_template("report.html")
    return template.render(
        data=data,
        period=data.period,
        previous=data.period.previous(),
        scope=data.scope,
        policy=data.policy,
        charts=charts,
        maps=maps,
        all_key=ALL_SIGNALS,
        attribution=attribution(),
        generated_on=generated_on or dt.date.today(),
        escape=escape,
    )

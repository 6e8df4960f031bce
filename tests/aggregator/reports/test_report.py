"""The report over a realistic dataset: every number it shows is a disclosed one, no count
under the threshold appears, the PDF prints on A4, and an empty period says so."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.reports.dataset import store_demo
from waakhond_aggregator.reports.build import build_report
from waakhond_aggregator.reports.data import (
    CATEGORIES,
    Count,
    Policy,
    RegionCount,
    ReportData,
    ScopeError,
    WeekPoint,
    resolve_scope,
)
from waakhond_aggregator.reports.formats import ReportFormat
from waakhond_aggregator.reports.period import ReportPeriod, parse_period
from waakhond_aggregator.reports.render import render_html

PERIOD = "2026-Q3"
SIGNALS = 4000
SECTION_TITLES = [
    "Samenvatting",
    "Wat veranderde ten opzichte van de vorige periode",
    "Sterkste stijgingen",
    "Ontwikkeling per categorie",
    "Regionaal beeld",
    "Moeilijk plaatsbare cliënten per doelgroep",
    "Wetten en levensdomeinen",
    "Werkwijze",
    "Bronnen",
]


@pytest.fixture(scope="module")
def demo(clickhouse_client: Client) -> Iterator[tuple[Client, str]]:
    database = f"t_{uuid.uuid4().hex[:10]}"
    store_demo(clickhouse_client, database, SIGNALS)
    yield clickhouse_client, database
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


@dataclass
class Numbers:
    """What a report page shows as numbers, found in its text (not in CSS or SVG)."""

    counts: list[int] = field(default_factory=list)
    ratios: list[Decimal] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    # Digits in text that no element marks as a count, a ratio, a parameter, a date or a
    # code: each would be a number the tests cannot check.
    unmarked: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class NumberParser(HTMLParser):
    SKIPPED: ClassVar[set[str]] = {"style", "script", "svg", "head"}
    VOID: ClassVar[set[str]] = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.numbers = Numbers()
        self.stack: list[tuple[str, str]] = []  # (tag, role)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        role = ""
        if tag in self.SKIPPED:
            role = "skip"
        elif tag == "time" or "nocount" in classes:
            role = "nocount"
        elif "param" in classes:
            role = "param"
        elif "num" in classes:
            role = f"num:{attributes.get('data-kind')}"
        self.stack.append((tag, role))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <path .../> and other self-closed elements carry no text

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        roles = [role for _, role in self.stack if role]
        role = roles[-1] if roles else ""
        if "skip" in roles or not data.strip():
            return
        self.numbers.text.append(data)
        if role == "num:count":
            self.numbers.counts.append(int(data.strip().replace(".", "")))
        elif role == "num:ratio":
            self.numbers.ratios.append(Decimal(data.strip().replace(",", ".")))
        elif role == "param":
            self.numbers.params.append(data.strip())
        elif role != "nocount":
            self.numbers.unmarked.extend(re.findall(r"\d+", data))


def numbers_of(html: str) -> Numbers:
    parser = NumberParser()
    parser.feed(html)
    parser.close()
    return parser.numbers


def disclosed_values(
    client: Client, database: str, period: ReportPeriod, scope: str
) -> tuple[set[int], set[Decimal], tuple[int, int]]:
    """Every count the views publish for the period, the period before and the scope, and
    the alerts' ratios to one decimal (as shown), read straight from the views."""
    place = resolve_scope(scope, period.last_day)
    counts: set[int] = {0}  # a value without a row is a true zero
    for each in (period, period.previous()):
        window = {"first": each.first_week, "last": each.last_week}
        for sql in (
            """SELECT signals FROM {db}.suppressed_trend_totals(
                   date_from = {first:Date}, date_to = {last:Date})
               WHERE (level = {level:String} AND region_code = {code:String})
                  OR (level IN ('zorgkantoorregio', 'province') AND category = 'all')""",
            """SELECT signals FROM {db}.suppressed_breakdown_totals(
                   date_from = {first:Date}, date_to = {last:Date})
               WHERE level = {level:String} AND region_code = {code:String}""",
        ):
            rows = client.query(
                sql.replace("{db}", database),
                parameters={**window, "level": str(place.level), "code": place.code},
            ).result_rows
            counts |= {int(n) for (n,) in rows if n is not None}
    # The alerts' recent window is the period's last four weeks.
    as_of = period.last_week + dt.timedelta(weeks=1)
    alerts = client.query(
        f"""SELECT baseline_signals, recent_signals, rate_ratio
            FROM {database}.suppressed_trend_alerts(as_of = {{as_of:Date}})""",
        parameters={"as_of": as_of},
    ).result_rows
    ratios = set()
    for baseline, recent, ratio in alerts:
        counts |= {int(baseline), int(recent)}
        ratios.add(Decimal(f"{float(ratio):.1f}"))
    min_count, rounding_base = client.query(
        f"SELECT min_count, rounding_base FROM {database}.suppressed_disclosure_policy"
    ).result_rows[0]
    return counts, ratios, (int(min_count), int(rounding_base))


@pytest.mark.parametrize("scope", ["NL", "PV27", "ZK09", "GM0363"])
def test_every_number_in_the_html_is_a_disclosed_value(
    demo: tuple[Client, str], scope: str
) -> None:
    client, database = demo
    period = parse_period(PERIOD)
    html = build_report(client, database, period, scope, ReportFormat.HTML).decode()
    shown = numbers_of(html)
    counts, ratios, (min_count, rounding_base) = disclosed_values(client, database, period, scope)

    assert shown.counts, "the report shows counts"
    assert not shown.unmarked, f"digits in the text that are no marked number: {shown.unmarked}"
    assert set(shown.counts) <= counts, sorted(set(shown.counts) - counts)
    assert set(shown.ratios) <= ratios
    assert all(count % rounding_base == 0 for count in shown.counts)
    # The method section states the policy the views apply, not a figure of its own.
    assert shown.params == [str(min_count), str(rounding_base)]


@pytest.mark.parametrize("scope", ["NL", "PV27", "GM0363", "GM0014"])
def test_no_count_under_the_threshold_appears(demo: tuple[Client, str], scope: str) -> None:
    client, database = demo
    html = build_report(client, database, PERIOD, scope, ReportFormat.HTML).decode()
    shown = numbers_of(html)
    assert not [count for count in shown.counts if 1 <= count <= 9]
    assert not shown.unmarked
    # Nothing written out either: every digit in the text is marked, so none can hide.
    text = " ".join(shown.text)
    assert "niet getoond" in text or scope == "NL"


def test_the_summary_states_the_views_totals(demo: tuple[Client, str]) -> None:
    client, database = demo
    period = parse_period(PERIOD)
    html = build_report(client, database, period, "NL", ReportFormat.HTML).decode()
    (total,) = client.query(
        f"""SELECT signals FROM {database}.suppressed_trend_totals(
                date_from = {{first:Date}}, date_to = {{last:Date}})
            WHERE level = 'national' AND category = 'all'""",
        parameters={"first": period.first_week, "last": period.last_week},
    ).result_rows[0]
    assert total is not None
    assert total > 1000
    shown = f"{total:,}".replace(",", ".")
    assert f'telde Waakhond in Nederland <span class="num" data-kind="count">{shown}</span>' in html


def test_an_empty_period_says_there_is_no_data(demo: tuple[Client, str]) -> None:
    client, database = demo
    html = build_report(client, database, "2019-Q1", "NL", ReportFormat.HTML).decode()
    assert "Geen gegevens" in html
    assert "<svg" not in html
    assert "Werkwijze" in html
    assert "CC-BY" in html
    assert not numbers_of(html).unmarked


def test_an_unknown_scope_is_refused() -> None:
    with pytest.raises(ScopeError):
        resolve_scope("ZK99")


def test_the_pdf_prints_on_a4_with_the_dutch_sections(
    demo: tuple[Client, str], tmp_path: Path
) -> None:
    for tool in ("pdfinfo", "pdftotext"):
        assert shutil.which(tool), f"{tool} (poppler-utils) is missing: make system-deps"
    client, database = demo
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(build_report(client, database, PERIOD, "NL", ReportFormat.PDF))
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert pages > 1
    assert "(A4)" in re.search(r"^Page size:.*$", info, re.MULTILINE).group(0)  # type: ignore[union-attr]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for title in SECTION_TITLES:
        assert title in text, title
    assert "CBS / PDOK" in text
    assert "CC-BY 4.0" in text


def test_a_scope_with_only_hidden_counts_shows_none_of_them() -> None:
    period = parse_period(PERIOD)
    scope = resolve_scope("GM0014", period.last_day)
    hidden = Count("all", "Alle signalen", None, None)
    weeks = {
        key: [WeekPoint(week, None) for week in period.weeks]
        for key in ["all", *map(str, CATEGORIES)]
    }
    data = ReportData(
        period=period,
        scope=scope,
        policy=Policy(min_count=10, rounding_base=5, noise=True),
        totals=[hidden, *[Count(str(c), str(c), None, 0) for c in CATEGORIES]],
        weekly=weeks,
        previous_weekly=weeks,
        law_domains=[Count("wmo", "Wmo", None, None)],
        life_domains=[Count("housing", "Wonen", None, 0)],
        hard_to_place=[Count("youth", "Jeugd", None, None)],
        alerts=[],
        alerts_as_of=period.last_week,
        regions={
            level: [RegionCount("X", "X", None, in_scope=True)]
            for level in ("zorgkantoorregio", "province")
        },
    )
    shown = numbers_of(render_html(data))
    assert "om een aantal te tonen" in " ".join(shown.text)
    assert set(shown.counts) <= {0}
    assert not shown.unmarked


def test_the_report_reads_the_disclosed_views_only() -> None:
    """The report's SQL names no table or view outside ``suppressed_*``: never the signals,
    the facts or the cells."""
    from waakhond_aggregator import reports

    named: set[str] = set()
    for path in Path(reports.__file__).parent.rglob("*.py"):
        named |= set(re.findall(r"\{database\}\.(\w+)", path.read_text(encoding="utf-8")))
    assert "suppressed_trend_totals" in named
    assert all(name.startswith("suppressed_") for name in named), named

"""Open data: the disclosed counts of one period as CSV and Parquet, with a Data Package.

Everything is read from the disclosed views (``suppressed_*``), never from the signals or
the fact tables: the totals views count the period's distinct signals once and pass each
cell through the disclosure rule, so no published number is a sum of published numbers.

A period is the report's (``waakhond_aggregator.reports.period``): whole ISO weeks, each
in the period of its Thursday (as the monthly series and ISO years do), so months make up
quarters and quarters make up years, and a month's totals are the cells the monthly series
shows. A report and an export of one period count the same weeks.

A suppressed cell keeps its row, with an empty count and ``onderdrukt`` true; a cell
without signals has no row (0). So a reader tells "hidden" from "none" without guessing.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from clickhouse_connect.driver.client import Client

from waakhond_aggregator.reports.period import ReportPeriod
from waakhond_contract.regions import RegionLevel
from waakhond_contract.vocabularies import Category
from waakhond_tools.dashboards.labels import (
    CATEGORY_LABELS_WITH_ALL,
    DIMENSION_LABELS,
    DIMENSION_VALUE_LABELS,
    LEVEL_LABELS,
)
from waakhond_tools.export.datapackage import DESCRIPTOR_NAME, write_descriptor

# The aggregator's default threshold: open data never shows a smaller count.
OPEN_DATA_MIN_COUNT = 10
BREAKDOWN_DIMENSIONS = ("law_domain", "life_domain", "target_group")
HARD_TO_PLACE_CATEGORY = Category.NO_SUITABLE_CARE.value
HARD_TO_PLACE_DIMENSION = "target_group"

# Coarse to fine, as a reader scans a table: the country first.
LEVEL_ORDER = tuple(reversed([level.value for level in RegionLevel]))
CATEGORY_ORDER = tuple(CATEGORY_LABELS_WITH_ALL)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a published table: its name, Data Package type and Dutch texts."""

    name: str
    type: str  # "string", "integer" or "boolean" (Table Schema types)
    title: str
    description: str
    key: bool = False
    enum: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    """One published table: written as ``<stem>.csv`` and ``<stem>.parquet``."""

    stem: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def primary_key(self) -> list[str]:
        return [column.name for column in self.columns if column.key]


@dataclass(frozen=True, slots=True)
class Policy:
    """The disclosure rule the views applied (``suppressed_disclosure_policy``)."""

    min_count: int
    rounding_base: int
    noise: bool


@dataclass(frozen=True, slots=True)
class OpenData:
    period: ReportPeriod
    policy: Policy
    tables: tuple[Table, ...]


class PolicyTooWeakError(RuntimeError):
    """The views' policy shows counts open data must not show."""


COUNT = Column(
    "aantal_signalen",
    "integer",
    "Aantal signalen",
    "Het aantal verschillende signalen in de cel na de openbaarmakingsregel: met ruis, "
    "afgerond op een veelvoud van de afrondingsbasis. Leeg wanneer de cel onderdrukt is "
    "(zie onderdrukt); nooit kleiner dan de drempel, behalve 0.",
)
SUPPRESSED = Column(
    "onderdrukt",
    "boolean",
    "Onderdrukt",
    "true wanneer het aantal niet getoond wordt omdat het (met ruis) onder de drempel ligt; "
    "de cel heeft dan wel signalen, maar te weinig om te tonen. false wanneer het aantal "
    "getoond wordt.",
)
_PERIOD_COLUMN = Column(
    "periode",
    "string",
    "Periode",
    "Jaar (JJJJ), kwartaal (JJJJ-Qn) of maand (JJJJ-MM); telt de ISO-weken "
    "waarvan de donderdag in de periode valt.",
    key=True,
)
_REGION_COLUMNS = (
    Column(
        "niveau",
        "string",
        "Regioniveau (code)",
        "De regio-indeling: national, province, zorgkantoorregio, ggdregio, jeugdregio of "
        "municipality.",
        key=True,
        enum=LEVEL_ORDER,
    ),
    Column("niveau_naam", "string", "Regioniveau", "De regio-indeling in het Nederlands."),
    Column(
        "regio_code",
        "string",
        "Regiocode",
        "De code van de regio (CBS-gemeentecode GMxxxx, provincie PVxx, zorgkantoorregio "
        "ZKxx, GGD-regio GGxxxx, jeugdregio JZxx; NL voor heel Nederland).",
        key=True,
    ),
    Column(
        "regio_naam",
        "string",
        "Regionaam",
        "De naam van de regio volgens de nieuwste regio-indeling die de code kent (CBS / PDOK).",
    ),
)
_CATEGORY_COLUMNS = (
    Column(
        "categorie",
        "string",
        "Categorie (code)",
        "all voor alle signalen, anders de categorie waarop het signaal wijst: policy_gap, "
        "missed_rights, unreachable_groups of no_suitable_care. Een signaal kan meer "
        "categorieën hebben en telt dan in elk mee.",
        key=True,
        enum=CATEGORY_ORDER,
    ),
    Column("categorie_naam", "string", "Categorie", "De categorie in het Nederlands."),
)
_BREAKDOWN_COLUMNS = (
    Column(
        "kenmerk",
        "string",
        "Kenmerk (code)",
        "law_domain (wetsdomein), life_domain (levensdomein) of target_group (doelgroep).",
        key=True,
        enum=BREAKDOWN_DIMENSIONS,
    ),
    Column("kenmerk_naam", "string", "Kenmerk", "Het kenmerk in het Nederlands."),
    Column(
        "waarde",
        "string",
        "Waarde (code)",
        "De waarde van het kenmerk (de codes van de Waakhond-vocabulaires; wmo+wlz telt "
        "signalen die Wmo en Wlz allebei noemen, die ook onder wmo en wlz elk meetellen). "
        "Een signaal kan meer waarden van een kenmerk hebben.",
        key=True,
    ),
    Column("waarde_naam", "string", "Waarde", "De waarde in het Nederlands."),
)
_TARGET_GROUP_COLUMNS = (
    Column(
        "doelgroep",
        "string",
        "Doelgroep (code)",
        "De doelgroep (code uit de Waakhond-vocabulaire).",
        key=True,
    ),
    Column("doelgroep_naam", "string", "Doelgroep", "De doelgroep in het Nederlands."),
)

TRENDS_STEM = "signalen_per_regio"
BREAKDOWNS_STEM = "signalen_per_kenmerk"
HARD_TO_PLACE_STEM = "moeilijk_plaatsbaar"


def _order(value: str, known: Sequence[str]) -> tuple[int, str]:
    """Known codes in their vocabulary's order, anything else after them by code."""
    return (known.index(value), "") if value in known else (len(known), value)


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def _region_label(level: str, code: str, names: dict[tuple[str, str], str]) -> list[Any]:
    return [level, LEVEL_LABELS.get(level, level), code, names.get((level, code), "")]


def read_policy(client: Client, database: str) -> Policy:
    min_count, rounding_base, noise = client.query(
        f"SELECT min_count, rounding_base, noise FROM {database}.suppressed_disclosure_policy"
    ).result_rows[0]
    return Policy(int(min_count), int(rounding_base), bool(noise))


def read_open_data(client: Client, database: str, period: ReportPeriod) -> OpenData:
    """The period's disclosed cells, from the ``suppressed_*`` views only."""
    parameters = {"date_from": period.first_week, "date_to": period.last_week_day}
    names = {
        (str(level), str(code)): str(name)
        for level, code, name in client.query(
            f"SELECT level, region_code, region_name FROM {database}.suppressed_region_names"
        ).result_rows
    }
    trends = client.query(
        f"""
        SELECT level, region_code, category, signals
        FROM {database}.suppressed_trend_totals(
            date_from = {{date_from:Date}}, date_to = {{date_to:Date}})
        """,
        parameters=parameters,
    ).result_rows
    breakdowns = client.query(
        f"""
        SELECT level, region_code, category, dimension, value, signals
        FROM {database}.suppressed_breakdown_totals(
            date_from = {{date_from:Date}}, date_to = {{date_to:Date}})
        WHERE dimension IN {{dimensions:Array(String)}}
        """,
        parameters={**parameters, "dimensions": list(BREAKDOWN_DIMENSIONS)},
    ).result_rows

    def region_key(level: str, code: str) -> tuple[Any, ...]:
        return (_order(level, LEVEL_ORDER), code)

    trend_rows = [
        (
            period.code,
            *_region_label(level, code, names),
            category,
            CATEGORY_LABELS_WITH_ALL.get(category, category),
            _count(signals),
            signals is None,
        )
        for level, code, category, signals in sorted(
            trends, key=lambda r: (*region_key(r[0], r[1]), _order(r[2], CATEGORY_ORDER))
        )
    ]

    def breakdown_key(row: Sequence[Any]) -> tuple[Any, ...]:
        level, code, category, dimension, value = row[:5]
        values = tuple(DIMENSION_VALUE_LABELS.get(dimension, {}))
        return (
            *region_key(level, code),
            _order(category, CATEGORY_ORDER),
            _order(dimension, BREAKDOWN_DIMENSIONS),
            _order(value, values),
        )

    ordered = sorted(breakdowns, key=breakdown_key)
    breakdown_rows = [
        (
            period.code,
            *_region_label(level, code, names),
            category,
            CATEGORY_LABELS_WITH_ALL.get(category, category),
            dimension,
            DIMENSION_LABELS.get(dimension, dimension),
            value,
            DIMENSION_VALUE_LABELS.get(dimension, {}).get(value, value),
            _count(signals),
            signals is None,
        )
        for level, code, category, dimension, value, signals in ordered
    ]
    # The hard-to-place cells are the breakdown cells of no suitable care by target group:
    # the same cells (and the same noise) as the weekly suppressed_hard_to_place view.
    target_labels = DIMENSION_VALUE_LABELS[HARD_TO_PLACE_DIMENSION]
    hard_rows = [
        (
            period.code,
            *_region_label(level, code, names),
            value,
            target_labels.get(value, value),
            _count(signals),
            signals is None,
        )
        for level, code, category, dimension, value, signals in ordered
        if category == HARD_TO_PLACE_CATEGORY and dimension == HARD_TO_PLACE_DIMENSION
    ]
    tables = (
        Table(
            TRENDS_STEM,
            "Signalen per regio en categorie",
            "Het aantal signalen per regio-indeling, regio en categorie in de periode.",
            (_PERIOD_COLUMN, *_REGION_COLUMNS, *_CATEGORY_COLUMNS, COUNT, SUPPRESSED),
            trend_rows,
        ),
        Table(
            BREAKDOWNS_STEM,
            "Signalen per regio, categorie en kenmerk",
            "Het aantal signalen per regio, categorie en waarde van een kenmerk (wetsdomein, "
            "levensdomein, doelgroep) in de periode. Elke cel is apart geteld en beveiligd; "
            "de waarden van een kenmerk tellen niet op tot het totaal, omdat een signaal "
            "meer waarden kan hebben.",
            (
                _PERIOD_COLUMN,
                *_REGION_COLUMNS,
                *_CATEGORY_COLUMNS,
                *_BREAKDOWN_COLUMNS,
                COUNT,
                SUPPRESSED,
            ),
            breakdown_rows,
        ),
        Table(
            HARD_TO_PLACE_STEM,
            "Moeilijk plaatsbare cliënten per regio en doelgroep",
            "Signalen van de categorie 'Geen passend aanbod' per regio en doelgroep in de "
            "periode: waar cliënten geen passende plek of zorg vinden. Dezelfde cellen als "
            "in signalen_per_kenmerk (categorie no_suitable_care, kenmerk target_group).",
            (_PERIOD_COLUMN, *_REGION_COLUMNS, *_TARGET_GROUP_COLUMNS, COUNT, SUPPRESSED),
            hard_rows,
        ),
    )
    return OpenData(period=period, policy=read_policy(client, database), tables=tables)


_ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "boolean": pa.bool_()}


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(table: Table, path: Path) -> None:
    """UTF-8 without BOM, comma, CRLF (RFC 4180), a header of column names."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([column.name for column in table.columns])
        writer.writerows([_csv_cell(value) for value in row] for row in table.rows)


def write_parquet(table: Table, path: Path) -> None:
    schema = pa.schema(
        [
            pa.field(column.name, _ARROW_TYPES[column.type], nullable=column.name == COUNT.name)
            for column in table.columns
        ]
    )
    columns = list(zip(*table.rows, strict=True)) if table.rows else [()] * len(table.columns)
    arrow = pa.Table.from_arrays(
        [pa.array(list(values), type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )
    # Parquet's defaults (snappy) for the widest support among readers; the file holds no
    # timestamp, so the same cells give the same bytes.
    pq.write_table(arrow, path)


def output_files(data: OpenData) -> list[str]:
    names = [f"{t.stem}.{suffix}" for t in data.tables for suffix in ("csv", "parquet")]
    return [*names, DESCRIPTOR_NAME]


def write_open_data(data: OpenData, output: Path, *, force: bool = False) -> list[Path]:
    """Write every table as CSV and Parquet and the ``datapackage.json`` describing them.

    Refuses (``FileExistsError``) to replace an earlier export unless ``force``; the same
    cells give byte-identical files, so forcing over an unchanged export changes nothing.
    """
    output.mkdir(parents=True, exist_ok=True)
    existing = sorted(name for name in output_files(data) if (output / name).exists())
    if existing and not force:
        raise FileExistsError(
            f"{output} already holds {', '.join(existing)}; use --force to replace them"
        )
    written = []
    for table in data.tables:
        write_csv(table, output / f"{table.stem}.csv")
        write_parquet(table, output / f"{table.stem}.parquet")
        written += [output / f"{table.stem}.csv", output / f"{table.stem}.parquet"]
    written.append(write_descriptor(data, output))
    return written


def export_open_data(
    client: Client, database: str, period: ReportPeriod, output: Path, *, force: bool = False
) -> list[Path]:
    """Read the period's disclosed cells and write them; refuse a policy below the threshold."""
    data = read_open_data(client, database, period)
    policy = data.policy
    if policy.min_count < OPEN_DATA_MIN_COUNT or policy.rounding_base < 1 or not policy.noise:
        # Threshold and rounding without noise can be undone from linked numbers (README,
        # "Disclosure control"): fine for a test database, not for the public.
        raise PolicyTooWeakError(
            f"the disclosure policy in force (min_count {policy.min_count}, rounding_base "
            f"{policy.rounding_base}, noise {'on' if policy.noise else 'off'}) is weaker than "
            f"open data needs (min_count >= {OPEN_DATA_MIN_COUNT}, noise on): the aggregator's "
            "default policy or a stricter one"
        )
    return write_open_data(data, output, force=force)

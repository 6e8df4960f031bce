"""The Frictionless Data Package (v2) that describes an open-data export, and its validation.

The descriptor is written from what was exported (the tables, their columns, the policy
the views applied) and from the files themselves (size and SHA-256), and carries no
timestamp: the same cells give the same bytes. Validation runs offline: the v2 profile
is known to frictionless, and a local package opens no socket.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from waakhond_aggregator.reports.period import ReportPeriod
    from waakhond_tools.export.open_data import Column, OpenData, Table

DESCRIPTOR_NAME = "datapackage.json"
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/deed.nl",
    "title": "Creative Commons Naamsvermelding 4.0 Internationaal (CC BY 4.0)",
}
# services/contract/waakhond_contract/reference/ATTRIBUTION.md: the region maps and names.
REGION_SOURCES = [
    {
        "title": "Bron: CBS / PDOK (CC-BY 4.0): gemeentelijke indeling en regio-indelingen "
        "(provincie, zorgkantoorregio, GGD-regio, jeugdregio) van het Centraal Bureau voor "
        "de Statistiek, via PDOK",
        "path": "https://www.pdok.nl/",
    },
    {
        "title": "Centraal Bureau voor de Statistiek (CBS): gemeentecodes en -namen",
        "path": "https://www.cbs.nl/",
    },
]
SIGNAL_SOURCE = {
    "title": "Waakhond: signalen van aangesloten organisaties voor onafhankelijke "
    "cliëntondersteuning (cliëntondersteuners), geanonimiseerd bij ontvangst",
}
MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


def dutch_period(period: ReportPeriod) -> str:
    """The period in Dutch words, for titles: 2025, derde kwartaal 2025, juli 2025."""
    return str(period.year) if period.code == str(period.year) else period.label


def disclosure_text(data: OpenData) -> str:
    """The method and the disclosure rule in plain Dutch, with the policy's numbers."""
    policy = data.policy
    period = data.period
    return (
        "Waakhond bundelt signalen van onafhankelijke cliëntondersteuners: waarnemingen van "
        "waar het zorgstelsel inwoners tekortdoet. Elk signaal wordt bij ontvangst "
        "ontdaan van herleidbare gegevens, automatisch ingedeeld in één of meer categorieën "
        "(beleidslacune, rechten mislopen, niet bereikte groepen, geen passend aanbod) en "
        "geteld per regio op elk regioniveau (gemeente, jeugdregio, GGD-regio, "
        "zorgkantoorregio, provincie, Nederland), volgens de regio-indeling van het jaar "
        "waarin het signaal is waargenomen.\n\n"
        f"Periode: {dutch_period(period)} ({period.code}), geteld in hele ISO-weken waarvan "
        f"de donderdag in de periode valt: van maandag {period.first_week.isoformat()} tot en "
        f"met zondag {period.last_week_day.isoformat()}. Elk aantal is het aantal verschillende "
        "signalen in de cel over de hele periode, één keer geteld (niet opgeteld uit weken).\n\n"
        "Openbaarmaking (celsleutelmethode, zoals statistiekbureaus die gebruiken voor "
        "tabellen op maat): bij het werkelijke aantal n van elke cel komt ruis, een geheel "
        "getal met gemiddelde 0 en standaardafwijking 2, dat vastligt voor dezelfde signalen "
        "in dezelfde cel (opnieuw vragen geeft hetzelfde getal). Ligt n plus ruis onder "
        f"{policy.min_count}, dan wordt de cel onderdrukt; anders wordt n plus ruis afgerond "
        f"op een veelvoud van {policy.rounding_base}. Een werkelijke 0 blijft 0. Daardoor "
        f"komt geen aantal van 1 tot en met {policy.min_count - 1} voor, en tellen cellen "
        "niet precies op tot hun totalen.\n\n"
        "Onderdrukte cellen: een cel met signalen die onderdrukt is, staat wel in het bestand, "
        "met een leeg aantal_signalen en onderdrukt = true. Een cel zonder signalen staat "
        "niet in het bestand: hij telt 0. Zo is 'onderdrukt' te onderscheiden van 'geen "
        "signalen'. Een leeg aantal betekent dus nooit 0.\n\n"
        "Elk bestand staat er als CSV (UTF-8, komma als scheidingsteken, met Nederlandse "
        "namen naast de codes) en als Parquet, met dezelfde rijen."
    )


def _field(column: Column) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "title": column.title,
        "description": column.description,
    }
    constraints: dict[str, Any] = {}
    if column.name != "aantal_signalen":
        constraints["required"] = True
    else:
        constraints["minimum"] = 0
    if column.enum:
        constraints["enum"] = list(column.enum)
    field["constraints"] = constraints
    return field


SUPPRESSED_LABEL = "onderdrukt"


def table_schema(table: Table, suffix: str) -> dict[str, Any]:
    # Only aantal_signalen is ever empty: a suppressed cell (onderdrukt = true). In Parquet
    # it is a null, which frictionless reads through pandas as the float "nan".
    missing = "" if suffix == "csv" else "nan"
    return {
        "fields": [_field(column) for column in table.columns],
        "primaryKey": table.primary_key,
        "missingValues": [{"value": missing, "label": SUPPRESSED_LABEL}],
    }


def _file_facts(path: Path) -> dict[str, Any]:
    content = path.read_bytes()
    return {"bytes": len(content), "hash": f"sha256:{hashlib.sha256(content).hexdigest()}"}


def resource(table: Table, suffix: str, output: Path) -> dict[str, Any]:
    path = f"{table.stem}.{suffix}"
    name = table.stem.replace("_", "-") + ("" if suffix == "csv" else f"-{suffix}")
    descriptor: dict[str, Any] = {
        "name": name,
        "type": "table",
        "path": path,
        "scheme": "file",
        "format": suffix,
        "mediatype": MEDIA_TYPES[suffix],
        "title": f"{table.title} ({suffix.upper()})",
        "description": table.description,
    }
    if suffix == "csv":
        descriptor["encoding"] = "utf-8"
        descriptor["dialect"] = {"delimiter": ",", "header": True}
        # Size and checksum, checked when validating; frictionless reads Parquet through
        # pyarrow, not its byte stream, so it cannot check them for Parquet.
        descriptor.update(_file_facts(output / path))
    descriptor["schema"] = table_schema(table, suffix)
    return descriptor


def build_descriptor(data: OpenData, output: Path) -> dict[str, Any]:
    """The descriptor of the files already written under ``output``."""
    period = data.period
    policy = data.policy
    return {
        "$schema": PROFILE,
        "name": f"waakhond-signalen-{period.code.lower()}",
        "title": f"Signalen van onafhankelijke cliëntondersteuning, {dutch_period(period)}",
        "description": disclosure_text(data),
        "keywords": [
            "cliëntondersteuning",
            "signalen",
            "Wmo",
            "Wlz",
            "Jeugdwet",
            "zorg",
            "sociaal domein",
            "moeilijk plaatsbaar",
        ],
        "licenses": [LICENSE],
        "sources": [SIGNAL_SOURCE, *REGION_SOURCES],
        # The same rule in numbers, for programs: Data Package allows properties of its own.
        "openbaarmaking": {
            "methode": "celsleutelmethode (cell key method): ruis, drempel, afronding",
            "drempel": policy.min_count,
            "afrondingsbasis": policy.rounding_base,
            "ruis": policy.noise,
            "ruis_verdeling": "tweezijdig geometrisch, P(x) = 2^-|x| / 3",
            "onderdrukte_cel": "rij met leeg aantal_signalen en onderdrukt = true",
            "cel_zonder_signalen": "geen rij (0)",
            "periode": period.code,
            "eerste_dag": period.first_week.isoformat(),
            "laatste_dag": period.last_week_day.isoformat(),
        },
        "resources": [
            resource(table, suffix, output)
            for table in data.tables
            for suffix in ("csv", "parquet")
        ],
    }


def write_descriptor(data: OpenData, output: Path) -> Path:
    path = output / DESCRIPTOR_NAME
    descriptor = build_descriptor(data, output)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def validate_package(path: Path) -> list[str]:
    """Every error frictionless finds in the package: descriptor, files, schemas, rows.

    Empty when valid."""
    from frictionless import FrictionlessException, Package, system

    # A package under trusted=False may not point outside its folder.
    with system.use_context(trusted=False):
        try:
            package = Package(str(path))
        except FrictionlessException as error:
            return [f"package: {error}"]
        report = package.validate()
    return [
        f"{task.name}: {error.type}: {error.message}"
        for task in report.tasks
        for error in task.errors
    ] + [f"package: {error.type}: {error.message}" for error in report.errors]

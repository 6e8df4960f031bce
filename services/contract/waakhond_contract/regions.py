"""Dutch region reference: which province and regions each municipality belongs to.

The maps are dated by year (``reference/regions_<year>.csv``, CBS / PDOK,
CC-BY 4.0). A signal uses the map of the latest year not after the date it was
observed on; dates before the oldest map use the oldest map. Adding a year is
adding a file.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources

NATIONAL_CODE = "NL"
NATIONAL_NAME = "Nederland"
_MAP_FILE = re.compile(r"^regions_(\d{4})\.csv$")


class RegionLevel(StrEnum):
    """The region divisions trends are reported on, from fine to coarse."""

    MUNICIPALITY = "municipality"
    JEUGDREGIO = "jeugdregio"
    GGDREGIO = "ggdregio"
    ZORGKANTOORREGIO = "zorgkantoorregio"
    PROVINCE = "province"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class Region:
    level: RegionLevel
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality with the region it falls in at every level."""

    code: str
    name: str
    regions: tuple[Region, ...]

    def region(self, level: RegionLevel) -> Region:
        for region in self.regions:
            if region.level is level:
                return region
        raise KeyError(level)  # pragma: no cover - every level is filled at load time


@dataclass(frozen=True, slots=True)
class RegionMap:
    """One year's map of municipalities to regions."""

    year: int
    municipalities: dict[str, Municipality]

    def regions(self, level: RegionLevel) -> list[Region]:
        """All distinct regions of one level, sorted by code."""
        unique = {m.region(level).code: m.region(level) for m in self.municipalities.values()}
        return [unique[code] for code in sorted(unique)]


class UnknownMunicipalityError(ValueError):
    def __init__(self, code: str, year: int) -> None:
        super().__init__(f"{code!r} is not a municipality code in the {year} region map")
        self.code = code
        self.year = year


@dataclass(frozen=True, slots=True)
class RegionReference:
    """All dated maps the project carries."""

    maps: dict[int, RegionMap]
    # Every signal is checked against its map at intake and again downstream, so the
    # sorted years are worked out once.
    _years: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_years", tuple(sorted(self.maps)))

    @property
    def years(self) -> list[int]:
        return list(self._years)

    def map_for(self, on: dt.date) -> RegionMap:
        """The newest map of a year up to ``on``; before the first map, the first map."""
        years = self._years
        newest = bisect.bisect_right(years, on.year)
        return self.maps[years[newest - 1] if newest else years[0]]

    def resolve(self, municipality_code: str, on: dt.date) -> Municipality:
        region_map = self.map_for(on)
        try:
            return region_map.municipalities[municipality_code]
        except KeyError:
            raise UnknownMunicipalityError(municipality_code, region_map.year) from None


def _municipality_from_row(row: dict[str, str]) -> Municipality:
    code = row["gemeentecode"]
    name = row["gemeentenaam"]
    regions = (
        Region(RegionLevel.MUNICIPALITY, code, name),
        Region(RegionLevel.JEUGDREGIO, row["jeugdregio_code"], row["jeugdregio_naam"]),
        Region(RegionLevel.GGDREGIO, row["ggdregio_code"], row["ggdregio_naam"]),
        Region(
            RegionLevel.ZORGKANTOORREGIO,
            row["zorgkantoorregio_code"],
            row["zorgkantoorregio_naam"],
        ),
        Region(RegionLevel.PROVINCE, row["provinciecode"], row["provincienaam"]),
        Region(RegionLevel.NATIONAL, NATIONAL_CODE, NATIONAL_NAME),
    )
    return Municipality(code=code, name=name, regions=regions)


@cache
def load_region_reference() -> RegionReference:
    """Load every ``regions_<year>.csv`` shipped in the package (cached)."""
    maps: dict[int, RegionMap] = {}
    folder = resources.files(__package__).joinpath("reference")
    for entry in folder.iterdir():
        match = _MAP_FILE.match(entry.name)
        if not match:
            continue
        year = int(match.group(1))
        rows = list(csv.DictReader(io.StringIO(entry.read_text(encoding="utf-8"))))
        municipalities = {row["gemeentecode"]: _municipality_from_row(row) for row in rows}
        maps[year] = RegionMap(year=year, municipalities=municipalities)
    if not maps:  # pragma: no cover - a packaging error, not a runtime condition
        raise RuntimeError("no region maps found in waakhond_contract/reference")
    return RegionReference(maps=maps)

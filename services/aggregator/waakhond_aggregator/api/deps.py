"""What the trends API's routes filter on, declared and checked once.

Each dependency (``async``: none blocks, and a plain ``def`` would cost a thread hop per
request) reads its query parameters, checks what their types cannot state, and
hands the route a filter that knows its SQL parameters (``parameters``) and what the
response reports of it (``fields``). A refused value is a 422 problem naming the parameter.

Strict on purpose: a date is an ISO date (``YYYY-MM-DD``, not a number of seconds), from
the contract's earliest ``observed_on`` (2015-01-01) to a year ahead; a range runs forwards
and spans at most ``MAX_RANGE_DAYS``; a region code exists at the level asked for in the
region reference; and a parameter the route does not know, or one given twice, is refused
rather than ignored, so that a misspelt filter never answers unfiltered data.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

from clickhouse_connect.driver.client import Client
from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from waakhond_aggregator.api.models import Dimension, Windows
from waakhond_contract.messages import EARLIEST_OBSERVED_ON
from waakhond_contract.regions import NATIONAL_CODE, RegionLevel, load_region_reference
from waakhond_contract.vocabularies import Category
from waakhond_runtime.problems import input_error, refused

MAX_RANGE_DAYS = 5 * 366
DEFAULT_RANGE = dt.timedelta(weeks=52)
# Far enough ahead for a range that ends with the year; a date past it is a mistake.
MAX_DAYS_AHEAD = 366
REGION_PATTERN = r"^[A-Z]{2}[0-9]{0,6}$"
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

TrendCategory = Category | Literal["all"]
Parameters = dict[str, Any]


class Filter(Protocol):
    def parameters(self) -> Parameters:
        """The filter's values by the names the routes' SQL gives its parameters."""
        ...

    def fields(self) -> Parameters:
        """The filter's values by the names of the response fields that report them."""
        ...


async def get_client(request: Request) -> Client:
    client: Client = request.app.state.clickhouse
    return client


async def get_database(request: Request) -> str:
    database: str = request.app.state.database
    return database


ClientDep = Annotated[Client, Depends(get_client)]
DatabaseDep = Annotated[str, Depends(get_database)]


def _iso_date(value: object) -> dt.date:
    """Only ``YYYY-MM-DD``: pydantic alone would also take ``0`` as 1970-01-01."""
    # fromisoformat alone would also take week dates such as 2025-W10-1.
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "must be a date as YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_format", "must be a date as YYYY-MM-DD") from None
    if day < EARLIEST_OBSERVED_ON:
        raise PydanticCustomError(
            "date_too_early",
            "must be on or after {earliest}: no signal is observed before",
            {"earliest": EARLIEST_OBSERVED_ON.isoformat()},
        )
    if day > dt.date.today() + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise PydanticCustomError(
            "date_too_late", "must be at most {days} days after today", {"days": MAX_DAYS_AHEAD}
        )
    return day


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


@dataclass(frozen=True, slots=True)
class Period:
    """A range of days, both ends included."""

    first: dt.date
    last: dt.date

    def parameters(self) -> Parameters:
        return {"first": self.first, "last": self.last}

    def fields(self) -> Parameters:
        return {"date_from": self.first, "date_to": self.last}


async def period(
    date_from: Annotated[
        IsoDate | None,
        Query(alias="from", description="First day (inclusive). Default: 52 weeks before `to`."),
    ] = None,
    date_to: Annotated[
        IsoDate | None, Query(alias="to", description="Last day (inclusive). Default: today.")
    ] = None,
) -> Period:
    last = date_to or dt.date.today()
    first = date_from or max(last - DEFAULT_RANGE, EARLIEST_OBSERVED_ON)
    if first > last:
        raise refused("query", "from", "date_range_reversed", "must not be after `to`")
    if (last - first).days > MAX_RANGE_DAYS:
        raise refused(
            "query", "from", "date_range_too_long", f"at most {MAX_RANGE_DAYS} days before `to`"
        )
    return Period(first, last)


@dataclass(frozen=True, slots=True)
class AsOf:
    """The recent and baseline windows a comparison is made over."""

    windows: Windows

    def parameters(self) -> Parameters:
        return {"as_of": self.windows.as_of}

    def fields(self) -> Parameters:
        return {"windows": self.windows}


async def comparison_windows(
    as_of: Annotated[
        IsoDate | None,
        Query(
            description="Compare the 4 complete ISO weeks before this date's week with the 12 "
            "before those. Default: today."
        ),
    ] = None,
) -> AsOf:
    return AsOf(Windows.for_date(as_of or dt.date.today()))


@functools.cache
def _region_codes(level: RegionLevel) -> frozenset[str]:
    """Every code of the level in any year's map: ranges reach back to earlier maps."""
    if level is RegionLevel.NATIONAL:
        return frozenset({NATIONAL_CODE})
    reference = load_region_reference()
    return frozenset(
        region.code for year in reference.years for region in reference.maps[year].regions(level)
    )


@dataclass(frozen=True, slots=True)
class Place:
    """A region level (``None``: every level) and optionally one region of it."""

    level: RegionLevel | None
    region: str | None

    def parameters(self) -> Parameters:
        return {"level": str(self.level or ""), "region": self.region or ""}

    def fields(self) -> Parameters:
        return {"level": self.level}


def _place(level: RegionLevel | None, region: str | None) -> Place:
    levels = list(RegionLevel) if level is None else [level]
    if region is not None and not any(region in _region_codes(each) for each in levels):
        at = "at any level" if level is None else f"at level {level}"
        raise refused("query", "region", "unknown_region", f"no region has this code {at}")
    return Place(level, region)


RegionQuery = Annotated[
    str | None,
    Query(
        max_length=16,
        pattern=REGION_PATTERN,
        description="One region's code, of the level asked for (see the region reference).",
    ),
]
LEVEL = "Region level."


def _place_at(default: RegionLevel) -> Callable[..., Awaitable[Place]]:
    async def place(
        level: Annotated[RegionLevel, Query(description=LEVEL)] = default,
        region: RegionQuery = None,
    ) -> Place:
        return _place(level, region)

    return place


async def any_place(
    level: Annotated[
        RegionLevel | None, Query(description=LEVEL + " Default: every level.")
    ] = None,
    region: RegionQuery = None,
) -> Place:
    return _place(level, region)


@dataclass(frozen=True, slots=True)
class CategoryFilter:
    """A category, ``all`` for every signal, or ``None`` for each category apart."""

    category: str | None

    def parameters(self) -> Parameters:
        return {"category": self.category or ""}

    def fields(self) -> Parameters:
        return {"category": self.category}


async def every_category(
    category: Annotated[
        TrendCategory, Query(description="A category, or `all` for every signal.")
    ] = "all",
) -> CategoryFilter:
    return CategoryFilter(str(category))


async def any_category(
    category: Annotated[
        TrendCategory | None,
        Query(description="A category, or `all` for every signal. Default: each category."),
    ] = None,
) -> CategoryFilter:
    return CategoryFilter(None if category is None else str(category))


@dataclass(frozen=True, slots=True)
class DimensionFilter:
    dimension: Dimension

    def parameters(self) -> Parameters:
        return {"dimension": str(self.dimension)}

    def fields(self) -> Parameters:
        return {"dimension": self.dimension}


async def breakdown_dimension(
    dimension: Annotated[Dimension, Query(description="What to split by.")],
) -> DimensionFilter:
    return DimensionFilter(dimension)


PeriodDep = Annotated[Period, Depends(period)]
AsOfDep = Annotated[AsOf, Depends(comparison_windows)]
NationalDep = Annotated[Place, Depends(_place_at(RegionLevel.NATIONAL))]
CareOfficeRegionDep = Annotated[Place, Depends(_place_at(RegionLevel.ZORGKANTOORREGIO))]
AnyPlaceDep = Annotated[Place, Depends(any_place)]
CategoryDep = Annotated[CategoryFilter, Depends(every_category)]
AnyCategoryDep = Annotated[CategoryFilter, Depends(any_category)]
DimensionDep = Annotated[DimensionFilter, Depends(breakdown_dimension)]


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters of one endpoint, as one."""

    parts: tuple[Filter, ...]

    def parameters(self) -> Parameters:
        return {k: v for part in self.parts for k, v in part.parameters().items()}

    def fields(self) -> Parameters:
        return {k: v for part in self.parts for k, v in part.fields().items()}


# What each kind of analytics endpoint filters on.


async def range_filters(place: NationalDep, category: CategoryDep, period: PeriodDep) -> Filters:
    return Filters((place, category, period))


async def breakdown_filters(
    dimension: DimensionDep, place: NationalDep, category: CategoryDep, period: PeriodDep
) -> Filters:
    return Filters((dimension, place, category, period))


async def comparison_filters(
    place: AnyPlaceDep, category: AnyCategoryDep, as_of: AsOfDep
) -> Filters:
    return Filters((place, category, as_of))


async def hard_to_place_filters(place: CareOfficeRegionDep, period: PeriodDep) -> Filters:
    return Filters((place, period))


async def hard_to_place_comparison_filters(place: CareOfficeRegionDep, as_of: AsOfDep) -> Filters:
    return Filters((place, as_of))


RangeFilters = Annotated[Filters, Depends(range_filters)]
BreakdownFilters = Annotated[Filters, Depends(breakdown_filters)]
ComparisonFilters = Annotated[Filters, Depends(comparison_filters)]
HardToPlaceFilters = Annotated[Filters, Depends(hard_to_place_filters)]
HardToPlaceComparisonFilters = Annotated[Filters, Depends(hard_to_place_comparison_filters)]


def _query_parameters(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_parameters(dependency)
    return names


async def refuse_unknown_parameters(request: Request) -> None:
    """A router dependency: every query parameter must be the route's own, and given once."""
    route = request.scope.get("route")
    assert isinstance(route, APIRoute)
    known = _query_parameters(route.dependant)
    names = [name for name, _ in request.query_params.multi_items()]
    errors: list[dict[str, Any]] = []
    for name in dict.fromkeys(names):
        if name not in known:
            errors.append(input_error("query", name, "unknown_parameter", "not a parameter here"))
        elif names.count(name) > 1:
            errors.append(input_error("query", name, "repeated_parameter", "given more than once"))
    if errors:
        raise RequestValidationError(errors)

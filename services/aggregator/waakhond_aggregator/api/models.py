"""Response shapes of the trends API.

A row's fields are its CSV columns, in order; the comparison rows are put together from
shared parts, and a model's fields follow its bases from the last to the first.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, ClassVar, get_args

from pydantic import BaseModel, Field

from waakhond_aggregator.core.calendar import week_start
from waakhond_contract.regions import RegionLevel

RECENT_WEEKS = 4
BASELINE_WEEKS = 12


class TrendPoint(BaseModel):
    week: str = Field(description="ISO week, e.g. 2025-W03.", examples=["2025-W03"])
    week_start: dt.date = Field(description="Monday of the ISO week.")
    signals: int | None = Field(
        ge=0,
        description="Distinct signals observed that week, perturbed and rounded; null when the "
        "perturbed count is below min_count.",
    )


class RegionSeries(BaseModel):
    region_code: str
    region_name: str
    total: int | None = Field(
        ge=0, description="Distinct signals over the whole range, disclosed the same way."
    )
    points: list[TrendPoint]


class DisclosureInfo(BaseModel):
    min_count: int = Field(description="Counts from 1 to min_count-1 are never shown.")
    rounding_base: int = Field(description="Shown counts are rounded to a multiple of this.")
    noise: bool = Field(
        description="Each shown count carries cell-key noise (two-sided geometric, standard "
        "deviation 2) before the threshold and the rounding; the same signals in the same cell "
        "always get the same noise."
    )


class TrendResponse(BaseModel):
    level: RegionLevel
    category: str
    date_from: dt.date = Field(serialization_alias="from")
    date_to: dt.date = Field(serialization_alias="to")
    disclosure: DisclosureInfo
    series: list[RegionSeries]


class Dimension(StrEnum):
    """What a breakdown splits signals by; multi-label, so values overlap."""

    LAW_DOMAIN = "law_domain"
    LIFE_DOMAIN = "life_domain"
    TARGET_GROUP = "target_group"
    SUPPORTER_TYPE = "supporter_type"
    AGE_BAND = "age_band"


class Direction(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STABLE = "stable"
    INSUFFICIENT_DATA = "insufficient_data"


Count = Annotated[int | None, Field(ge=0, description="Disclosed count; null when suppressed.")]
Rate = Annotated[float | None, Field(description="Disclosed count per week.")]
BaselineCount = Annotated[
    int | None, Field(ge=0, description="Disclosed count over the 12 baseline weeks.")
]
RecentCount = Annotated[
    int | None, Field(ge=0, description="Disclosed count over the 4 recent weeks.")
]
RateRatio = Annotated[float | None, Field(description="recent_rate / baseline_rate.")]
PValue = Annotated[float | None, Field(description="Exact one-sided p-value.")]


class MonthlyRow(BaseModel):
    region_code: str
    region_name: str
    month_start: dt.date = Field(description="First day of the month.")
    weeks: int = Field(description="ISO weeks in the month (a week counts in its Thursday's).")
    signals: Count


class BreakdownRow(BaseModel):
    region_code: str
    region_name: str
    week_start: dt.date
    value: str
    signals: Count


class BreakdownTotalRow(BaseModel):
    region_code: str
    region_name: str
    value: str
    signals: Count


class HardToPlaceRow(BaseModel):
    region_code: str
    region_name: str
    target_group: str
    week_start: dt.date
    signals: Count


class _Region(BaseModel):
    level: RegionLevel
    region_code: str
    region_name: str


class _RegionCategory(_Region):
    category: str


class _RegionTargetGroup(_Region):
    target_group: str


class _Comparison(BaseModel):
    """The recent window against the baseline, in disclosed counts."""

    baseline_signals: BaselineCount
    recent_signals: RecentCount
    baseline_rate: Rate
    recent_rate: Rate
    rate_ratio: RateRatio
    rise_per_week: Rate


class DirectionRow(_Comparison, _RegionCategory):
    p_rise: PValue
    p_fall: PValue
    q_rise: float | None = Field(description="Benjamini-Hochberg q of the rise within the level.")
    direction: Direction
    is_alert: bool


class AlertRow(_Comparison, _RegionCategory):
    p_value: float = Field(description="Exact one-sided p-value of the rise.")
    q_value: float = Field(description="Benjamini-Hochberg q within the level.")


class HardToPlaceDirectionRow(_Comparison, _RegionTargetGroup):
    p_rise: PValue
    p_fall: PValue
    direction: Direction


class Windows(BaseModel):
    as_of: dt.date
    recent_from: dt.date
    recent_to: dt.date
    baseline_from: dt.date
    baseline_to: dt.date

    @classmethod
    def for_date(cls, as_of: dt.date) -> Windows:
        recent_from = week_start(as_of) - dt.timedelta(weeks=RECENT_WEEKS)
        return cls(
            as_of=as_of,
            recent_from=recent_from,
            recent_to=week_start(as_of) - dt.timedelta(days=1),
            baseline_from=recent_from - dt.timedelta(weeks=BASELINE_WEEKS),
            baseline_to=recent_from - dt.timedelta(days=1),
        )


class RowsResponse(BaseModel):
    """A response whose ``rows`` are also answered as CSV, as the file ``<csv_name>.csv``."""

    csv_name: ClassVar[str]

    @classmethod
    def row_model(cls) -> type[BaseModel]:
        """The model of one row: a CSV line, its fields the columns."""
        row: type[BaseModel] = get_args(cls.model_fields["rows"].annotation)[0]
        return row


class _RangeResponse(RowsResponse):
    level: RegionLevel
    date_from: dt.date = Field(serialization_alias="from")
    date_to: dt.date = Field(serialization_alias="to")
    disclosure: DisclosureInfo


class MonthlyResponse(_RangeResponse):
    csv_name = "trends-monthly"
    category: str
    rows: list[MonthlyRow]


class BreakdownResponse(_RangeResponse):
    csv_name = "breakdowns"
    category: str
    dimension: Dimension
    rows: list[BreakdownRow]


class BreakdownTotalResponse(_RangeResponse):
    csv_name = "breakdown-totals"
    category: str
    dimension: Dimension
    rows: list[BreakdownTotalRow]


class HardToPlaceResponse(_RangeResponse):
    csv_name = "hard-to-place"
    rows: list[HardToPlaceRow]


class _ComparisonResponse(RowsResponse):
    windows: Windows
    disclosure: DisclosureInfo


class DirectionResponse(_ComparisonResponse):
    csv_name = "trend-direction"
    rows: list[DirectionRow]


class AlertResponse(_ComparisonResponse):
    csv_name = "alerts"
    rows: list[AlertRow]


class HardToPlaceDirectionResponse(_ComparisonResponse):
    csv_name = "hard-to-place-direction"
    rows: list[HardToPlaceDirectionRow]

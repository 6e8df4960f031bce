"""Response shapes of the trends API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from waakhond_contract.regions import RegionLevel


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

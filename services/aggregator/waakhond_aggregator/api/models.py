"""Response shapes of the trends API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from waakhond_contract.regions import RegionLevel


class TrendPoint(BaseModel):
    week: str = Field(description="ISO week, e.g. 2025-W03.", examples=["2025-W03"])
    week_start: dt.date = Field(description="Monday of the ISO week.")
    signals: int = Field(ge=0, description="Distinct signals observed that week.")


class RegionSeries(BaseModel):
    region_code: str
    region_name: str
    total: int = Field(ge=0)
    points: list[TrendPoint]


class TrendResponse(BaseModel):
    level: RegionLevel
    category: str
    date_from: dt.date = Field(serialization_alias="from")
    date_to: dt.date = Field(serialization_alias="to")
    series: list[RegionSeries]

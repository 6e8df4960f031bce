"""Aggregator configuration (``WAAKHOND_AGGREGATOR_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AggregatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAAKHOND_AGGREGATOR_", frozen=True)

    group_id: str = "waakhond-aggregator"
    host: str = "127.0.0.1"
    port: int = Field(default=8002, ge=1, le=65535)
    batch_max_messages: int = Field(default=5000, ge=1)
    # Every insert has a fixed cost (about 25 ms of CPU for the insert and its materialized
    # views, then the merges of the five parts it creates), whatever the batch size: at a
    # steady 2,000 signals/s, 0.5 s instead of 0.25 s took a sixth off the aggregator's CPU
    # per signal (bench/README.md), for at most a quarter of a second more latency.
    batch_max_seconds: float = Field(default=0.5, gt=0)
    retry_initial_seconds: float = Field(default=0.5, gt=0)
    retry_max_seconds: float = Field(default=30.0, gt=0)
    consume: bool = Field(default=True, description="Run the Kafka consumer in this process.")
    disclosure_min_count: int = Field(
        default=10, ge=1, description="Counts from 1 to this minus one are never shown."
    )
    disclosure_rounding_base: int = Field(
        default=5, ge=1, description="Shown counts are rounded to a multiple of this."
    )
    disclosure_noise: bool = Field(
        default=True,
        description="Cell-key noise before threshold and rounding; off only to check exact "
        "counts in tests.",
    )
    cells_refresh_seconds: float = Field(
        default=30.0, gt=0, description="How often quiet weeks' cells are recomputed."
    )
    cells_quiet_seconds: float = Field(
        default=60.0,
        ge=0,
        description="A week's cells are recomputed once nothing was stored in it for this "
        "long; must stay well above the slowest insert.",
    )
    text_retention_months: int = Field(
        default=24, ge=1, description="Free text of older signals is blanked; counts stay."
    )

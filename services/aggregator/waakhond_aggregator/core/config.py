"""Aggregator configuration (``WAAKHOND_AGGREGATOR_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AggregatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAAKHOND_AGGREGATOR_", frozen=True)

    group_id: str = "waakhond-aggregator"
    host: str = "127.0.0.1"
    port: int = Field(default=8002, ge=1, le=65535)
    batch_max_messages: int = Field(default=5000, ge=1)
    # Every insert has a fixed cost, whatever the batch size (the insert and its materialized
    # views, then the merges of the parts it creates): a longer window pays it less often and
    # adds at most its own length to latency (bench/README.md, "What changed on 4 Dec", 6).
    batch_max_seconds: float = Field(default=0.5, gt=0)
    retry_initial_seconds: float = Field(default=0.5, gt=0)
    retry_max_seconds: float = Field(default=30.0, gt=0)
    stuck_after_seconds: float = Field(
        default=60.0, gt=0, description="Retrying one step longer than this fails readiness."
    )
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
    review_backlog_days: int = Field(
        default=7,
        ge=1,
        description="The review backlog on /metrics counts flagged signals stored in this many "
        "days.",
    )
    # Once a minute: the read scans a column of the whole signals table, and a backlog that
    # people work through in days does not need fresher figures.
    review_backlog_refresh_seconds: float = Field(
        default=60.0, gt=0, description="How often the review backlog is read from ClickHouse."
    )
    status_token: SecretStr | None = Field(
        default=None,
        description="The bearer token intake sends to read organisations' signal statuses "
        "(/internal/v1/...); unset: those routes answer 503.",
    )

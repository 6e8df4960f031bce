"""Classifier configuration (``WAAKHOND_CLASSIFIER_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ClassifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAAKHOND_CLASSIFIER_", frozen=True)

    app_id: str = Field(default="waakhond-classifier", description="Faust app id = consumer group.")
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8001, ge=1, le=65535)
    data_dir: Path = Path("/var/lib/waakhond/classifier")
    batch_size: int = Field(default=500, ge=1)
    batch_within_seconds: float = Field(default=0.2, gt=0)
    send_retry_max_seconds: float = Field(default=10.0, gt=0)
    stuck_after_seconds: float = Field(
        default=60.0, gt=0, description="Delivery failing longer than this fails readiness."
    )
    processes: int = Field(
        default=1,
        ge=1,
        description="Child processes that run the model; each holds a copy of it.",
    )

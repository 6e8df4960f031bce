"""Intake configuration (``WAAKHOND_INTAKE_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAAKHOND_INTAKE_", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    api_keys_file: Path = Path("/etc/waakhond/api-keys.json")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_batch_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_batch_items: int = Field(default=1000, ge=1, le=1000)
    max_import_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="The largest file POST /v1/imports takes."
    )
    max_import_rows: int = Field(
        default=20_000, ge=1, description="The most data rows one import may have."
    )
    delivery_timeout_seconds: float = Field(
        default=5.0, gt=0, description="How long a request waits for the broker's acks."
    )
    retry_after_seconds: int = Field(default=5, ge=1)
    rate_limit_signals_per_second: float = Field(
        default=100.0, gt=0, description="Sustained signals per organisation per second."
    )
    rate_limit_burst: int = Field(
        default=2000, ge=1000, description="Signals an organisation may send at once."
    )
    form_session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the form's session cookie; unset: a random key of this process.",
    )
    form_cookie_secure: bool = Field(
        default=True, description="Send the form's session cookie over HTTPS only."
    )
    form_session_max_age_seconds: int = Field(
        default=8 * 3600, ge=1, description="A form session ends this long after sign-in."
    )
    form_session_idle_seconds: int = Field(
        default=3600, ge=1, description="A form session ends after this long without a request."
    )
    form_sign_in_max_failures: int = Field(
        default=10, ge=1, description="Wrong API keys per address before sign-in pauses."
    )
    form_sign_in_window_seconds: float = Field(
        default=600.0, gt=0, description="The window in which failed form sign-ins count."
    )
    status_url: str | None = Field(
        default=None,
        description="The aggregator's base URL, where GET /v1/signals reads statuses from; "
        "unset: those routes answer 503.",
    )
    status_token: SecretStr | None = Field(
        default=None, description="The aggregator's WAAKHOND_AGGREGATOR_STATUS_TOKEN."
    )
    status_timeout_seconds: float = Field(
        default=5.0, gt=0, description="How long a status read waits for the aggregator."
    )

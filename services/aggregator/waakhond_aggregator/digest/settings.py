"""The digest's settings: ``WAAKHOND_DIGEST_*`` and the SMTP server (``WAAKHOND_SMTP_*``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DigestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAAKHOND_DIGEST_", frozen=True)

    subscribers_file: Path | None = Field(
        default=None, description="The subscribers: a YAML or JSON file (README, Weekly digest)."
    )
    report_base_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Where readers reach the trends API; the mails link to its reports.",
    )


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAAKHOND_SMTP_", frozen=True)

    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    username: str = ""
    password: SecretStr = SecretStr("")
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    sender: str = "Waakhond <waakhond@localhost>"
    timeout_seconds: float = Field(default=30.0, gt=0)

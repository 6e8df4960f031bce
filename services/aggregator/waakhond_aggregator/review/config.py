"""Review page configuration (``WAAKHOND_REVIEW_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ReviewSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WAAKHOND_REVIEW_", frozen=True)

    enabled: bool = Field(default=True, description="Serve the review page on /review.")
    accounts_file: Path = Field(
        default=Path("/etc/waakhond/review-accounts.json"),
        description="Local reviewer accounts, written by `waakhond reviewers`.",
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs session cookies. Unset: a random key per process, so "
        "every restart signs everyone out and replicas do not share sessions.",
    )
    session_max_age_seconds: int = Field(
        default=8 * 3600, ge=60, description="A session ends this long after sign-in."
    )
    session_idle_seconds: int = Field(
        default=30 * 60, ge=1, description="A session ends after this long without a request."
    )
    cookie_secure: bool = Field(
        default=True, description="Send the session cookie over HTTPS only."
    )
    sample_rate: float = Field(
        default=0.02,
        ge=0.0,
        le=1.0,
        description="Share of confidently labelled signals put in the queue as a check.",
    )
    queue_page_size: int = Field(default=50, ge=1, le=500)
    sign_in_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins per username or address in the window."
    )
    sign_in_window_seconds: int = Field(default=15 * 60, ge=1)
    publish_timeout_seconds: float = Field(default=10.0, gt=0)
    # OIDC (production): all three of metadata URL, client id and secret switch it on.
    oidc_metadata_url: str | None = Field(
        default=None,
        description="The provider's discovery document, e.g. "
        "https://sso.example.nl/realms/waakhond/.well-known/openid-configuration.",
    )
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scope: str = "openid"
    oidc_role_claim: str = Field(
        default="waakhond_role",
        description="Claim holding 'reviewer' or 'coordinator' (a string or a list).",
    )
    oidc_organisations_claim: str = Field(
        default="waakhond_organisations",
        description="Claim holding the reviewer's organisation ids (a list or a "
        "comma-separated string).",
    )
    oidc_label: str = Field(default="Inloggen via uw organisatie", description="Button text.")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_metadata_url and self.oidc_client_id and self.oidc_client_secret)

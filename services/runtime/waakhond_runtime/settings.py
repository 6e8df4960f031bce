"""Configuration shared by the services, from environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """``WAAKHOND_KAFKA_*``: where the broker is."""

    model_config = SettingsConfigDict(env_prefix="WAAKHOND_KAFKA_", frozen=True)

    bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Comma-separated host:port list."
    )
    client_id: str = "waakhond"

    @property
    def bootstrap_list(self) -> list[str]:
        return [part.strip() for part in self.bootstrap_servers.split(",") if part.strip()]


class TopicSettings(BaseSettings):
    """``WAAKHOND_TOPIC_*``: topic names and the partition count they are created with."""

    model_config = SettingsConfigDict(env_prefix="WAAKHOND_TOPIC_", frozen=True)

    submitted: str = "signals.submitted"
    classified: str = "signals.classified"
    reviewed: str = "signals.reviewed"
    withdrawn: str = "signals.withdrawn"
    deadletter: str = "signals.deadletter"
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)

    @property
    def all(self) -> list[str]:
        return [self.submitted, self.classified, self.reviewed, self.withdrawn, self.deadletter]


class ClickHouseSettings(BaseSettings):
    """``WAAKHOND_CLICKHOUSE_*``: ``chdb:///path`` in-process, or ``http://host:8123``."""

    model_config = SettingsConfigDict(env_prefix="WAAKHOND_CLICKHOUSE_", frozen=True)

    dsn: str = "chdb:///var/lib/waakhond/chdb"
    database: str = Field(default="waakhond", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    username: str = "default"
    password: str = ""

"""One clickhouse-connect client for both transports: in-process chDB or a server over HTTP."""

from __future__ import annotations

import datetime as dt
import importlib.util
import uuid
from urllib.parse import urlparse

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from waakhond_runtime.settings import ClickHouseSettings


def connect(settings: ClickHouseSettings) -> Client:
    """``chdb:///path`` opens chDB on disk (one process per path); ``http(s)://host:port``
    talks to a ClickHouse server."""
    parsed = urlparse(settings.dsn)
    if parsed.scheme == "chdb":
        if importlib.util.find_spec("chdb") is None:
            # The images carry the run-time set only; chDB is the development set's.
            raise RuntimeError(
                f"WAAKHOND_CLICKHOUSE_DSN={settings.dsn} needs chDB, which only the development "
                "set installs (make venv); in production set it to the ClickHouse server, "
                "http://host:8123"
            )
        return clickhouse_connect.get_client(interface="chdb", path=parsed.path or None)
    if parsed.scheme in {"http", "https"}:
        return clickhouse_connect.get_client(
            interface=parsed.scheme,
            host=parsed.hostname or "localhost",
            port=parsed.port or (8443 if parsed.scheme == "https" else 8123),
            username=settings.username,
            password=settings.password,
            # The consumer, the API and the cell refresher share the client from their own
            # threads; a server refuses concurrent queries within one session.
            autogenerate_session_id=False,
        )
    raise ValueError(f"unsupported ClickHouse DSN scheme {parsed.scheme!r}: use chdb:// or http://")


def is_server(client: Client) -> bool:
    """Roles and grants exist only on a server, not in chDB."""
    return type(client).__name__ != "ChdbClient"


def as_utc(value: dt.datetime) -> dt.datetime:
    """The columns are UTC; some clients hand them back without the zone."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def as_uuid(value: object) -> uuid.UUID:
    """A UUID column's value: chDB hands back a string, a server a ``uuid.UUID``."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

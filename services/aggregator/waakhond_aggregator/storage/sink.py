"""Step 4b: the ClickHouse side: what is stored already, and the inserts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS, SignalRows, StoredVersion


class TrendStore:
    def __init__(self, client: Client, database: str) -> None:
        self._client = client
        self._database = database

    def stored_versions(self, signal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredVersion]:
        if not signal_ids:
            return {}
        result = self._client.query(
            f"SELECT signal_id, content_fingerprint, categories FROM {self._database}.signals "
            "WHERE signal_id IN {ids:Array(UUID)} LIMIT 1 BY signal_id",
            parameters={"ids": list(set(signal_ids))},
        )
        return {
            row[0]: StoredVersion(
                fingerprint=row[1].decode() if isinstance(row[1], bytes) else row[1],
                categories=tuple(sorted(row[2])),
            )
            for row in result.result_rows
        }

    def insert(self, rows: Sequence[SignalRows]) -> None:
        """One insert: the facts follow from it by materialized views (0010). Every table
        collapses replayed rows, so an insert a crash interrupted is completed by the
        redelivery that follows."""
        if not rows:
            return
        self._client.insert(
            f"{self._database}.signals",
            [r.signal for r in rows],
            column_names=list(SIGNAL_COLUMNS),
        )

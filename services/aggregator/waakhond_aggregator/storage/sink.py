"""Step 4b: the ClickHouse side: what is stored already, and the inserts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.processing.decisions import DECISION_COLUMNS, StoredSignal
from waakhond_aggregator.processing.ledger import LEDGER_COLUMNS, LedgerEvent
from waakhond_aggregator.processing.revisions import content_of
from waakhond_aggregator.processing.rows import (
    SIGNAL_COLUMNS,
    LabelSource,
    SignalRows,
    StoredVersion,
)
from waakhond_aggregator.storage.client import as_utc


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


class TrendStore:
    def __init__(self, client: Client, database: str) -> None:
        self._client = client
        self._database = database

    def stored_versions(self, signal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredVersion]:
        if not signal_ids:
            return {}
        result = self._client.query(
            "SELECT signal_id, revision, content_fingerprint, submitted_at, version, week_start, "
            "replaces_week_start, model_categories "
            f"FROM {self._database}.signals WHERE signal_id IN {{ids:Array(UUID)}}",
            parameters={"ids": list(set(signal_ids))},
        )
        by_signal: dict[uuid.UUID, list[tuple[Any, ...]]] = {}
        for row in result.result_rows:
            by_signal.setdefault(row[0], []).append(tuple(row))
        stored = {}
        for signal_id, rows in by_signal.items():
            current = max(rows, key=lambda r: int(r[1]))
            content = content_of(int(current[1]))
            # The classifier's row of the current version; a signal stored before revisions
            # existed has only revision 0.
            model = min((r for r in rows if content_of(int(r[1])) == content), key=lambda r: r[1])
            stored[signal_id] = StoredVersion(
                fingerprint=_text(current[2]),
                submitted_at=as_utc(current[3]),
                version=int(current[4]),
                week_start=current[5],
                replaces_week_start=current[6],
                model_categories=tuple(sorted(model[7])),
                model_revision=int(model[1]),
                latest_revision=int(current[1]),
            )
        return stored

    def stored_signals(self, signal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredSignal]:
        """For each signal, the model's current row of its current version (the classifier's
        or the latest reclassification), the signal's highest revision, and whether any
        revision had its text erased: what a decision needs to write a new revision."""
        if not signal_ids:
            return {}
        columns = ", ".join(SIGNAL_COLUMNS)
        result = self._client.query(
            f"SELECT {columns} FROM {self._database}.signals "
            "WHERE signal_id IN {ids:Array(UUID)}",
            parameters={"ids": list(set(signal_ids))},
        )
        by_signal: dict[uuid.UUID, list[list[Any]]] = {}
        for row in result.result_rows:
            by_signal.setdefault(row[0], []).append(list(row))
        revision = SIGNAL_COLUMNS.index("revision")
        source = SIGNAL_COLUMNS.index("label_source")
        erased = SIGNAL_COLUMNS.index("text_erased")
        fingerprint = SIGNAL_COLUMNS.index("content_fingerprint")
        submitted = SIGNAL_COLUMNS.index("submitted_at")
        stored: dict[uuid.UUID, StoredSignal] = {}
        for signal_id, rows in by_signal.items():
            latest = max(int(r[revision]) for r in rows)
            content = content_of(latest)
            # A withdrawn signal's current revision is its tombstone, which has no model row.
            model = max(
                (
                    r
                    for r in rows
                    if content_of(int(r[revision])) == content
                    and r[source] in (LabelSource.MODEL, LabelSource.WITHDRAWN)
                ),
                key=lambda r: int(r[revision]),
            )
            model[fingerprint] = _text(model[fingerprint])
            model[submitted] = as_utc(model[submitted])
            stored[signal_id] = StoredSignal(
                model_row=tuple(model),
                latest_revision=latest,
                text_erased=any(bool(r[erased]) for r in rows),
            )
        return stored

    def model_rows(
        self, observed_since: dt.date, after: uuid.UUID | None, limit: int
    ) -> list[tuple[Any, ...]]:
        """Current rows whose labels are the model's (no person decided on them) and whose
        text is still there, observed on or after ``observed_since``; ``limit`` at a time in
        signal_id order, after ``after``: what ``waakhond reclassify`` runs the model on."""
        columns = ", ".join(SIGNAL_COLUMNS)
        result = self._client.query(
            f"SELECT {columns} FROM {self._database}.current_signals "
            "WHERE label_source = 'model' AND NOT text_erased "
            "AND observed_on >= {since:Date} AND signal_id > {after:UUID} "
            "ORDER BY signal_id LIMIT {limit:UInt32}",
            parameters={
                "since": observed_since,
                "after": after or uuid.UUID(int=0),
                "limit": limit,
            },
        )
        fingerprint = SIGNAL_COLUMNS.index("content_fingerprint")
        return [
            tuple(_text(v) if i == fingerprint else v for i, v in enumerate(row))
            for row in result.result_rows
        ]

    def insert(self, rows: Sequence[SignalRows]) -> None:
        """One insert: the facts follow from it by materialized views (0010, 0012). Every
        table collapses replayed rows, so an insert a crash interrupted is completed by the
        redelivery that follows."""
        if not rows:
            return
        self._client.insert(
            f"{self._database}.signals",
            [r.signal for r in rows],
            column_names=list(SIGNAL_COLUMNS),
        )

    def record_events(self, events: Sequence[LedgerEvent]) -> None:
        """Status events (``signal_ledger``); an event written twice collapses."""
        if not events:
            return
        self._client.insert(
            f"{self._database}.signal_ledger",
            [event.row() for event in events],
            column_names=list(LEDGER_COLUMNS),
        )

    def insert_decisions(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        self._client.insert(
            f"{self._database}.review_decisions",
            [list(r) for r in rows],
            column_names=list(DECISION_COLUMNS),
        )

    def erase_withdrawn(self, below: Sequence[tuple[uuid.UUID, int]]) -> None:
        """Blank the description of every revision of each signal below its tombstone's
        revision (a withdrawal; a version accepted after it keeps its text). Synchronous, so
        the commit after it means the text is gone; repeating it changes nothing."""
        if not below:
            return
        # Two withdrawals of one signal: everything below the higher tombstone goes.
        tombstones: dict[uuid.UUID, int] = {}
        for signal_id, revision in below:
            tombstones[signal_id] = max(revision, tombstones.get(signal_id, 0))
        # transform() refuses UInt128; indexOf/arrayElement take any type.
        self._client.command(
            f"ALTER TABLE {self._database}.signals "
            "UPDATE description = '', text_erased = true "
            "WHERE signal_id IN {ids:Array(UUID)} "
            "AND revision < arrayElement({revisions:Array(UInt128)}, "
            "indexOf({ids:Array(UUID)}, signal_id)) "
            "AND NOT (text_erased AND description = '') "
            "SETTINGS mutations_sync = 2",
            parameters={"ids": list(tombstones), "revisions": list(tombstones.values())},
        )

    def erase_text(self, signal_ids: Sequence[uuid.UUID]) -> None:
        """Blank the description of every revision of these signals (a reviewer found
        identifying details). Synchronous, so the commit after it means the text is gone;
        repeating it changes nothing."""
        if not signal_ids:
            return
        self._client.command(
            f"ALTER TABLE {self._database}.signals "
            "UPDATE description = '', text_erased = true "
            "WHERE signal_id IN {ids:Array(UUID)} AND NOT (text_erased AND description = '') "
            "SETTINGS mutations_sync = 2",
            parameters={"ids": list(set(signal_ids))},
        )

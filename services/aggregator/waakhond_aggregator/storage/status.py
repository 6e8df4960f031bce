"""An organisation's signals and their status: the ledger (migration 0013) and ``signals``.

The status of a signal is the furthest event of its latest submission in ``signal_ledger``
(accepted < classified < dead_lettered < counted < withdrawn: ``SignalState``), so a
correction on its way shows as ``accepted`` until it is counted, and a withdrawal stands
until the signal is submitted again. What is shown of the signal itself comes from its
current revision in ``signals``. Everything is filtered on the organisation: another
organisation's signal is not found, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.processing.rows import LabelSource
from waakhond_aggregator.storage.client import as_utc, as_uuid
from waakhond_contract.messages import (
    DeadLetterReason,
    DeadLetterStage,
    LabelOrigin,
    SignalState,
    SignalStatus,
    StatusDeadLetter,
    StoredSignalView,
)
from waakhond_contract.vocabularies import Category

EVENT_ORDER = [state.value for state in SignalState]
_STORED_COLUMNS = (
    "label_source",
    "version",
    "submitted_at",
    "categories",
    "model_version",
    "observed_on",
    "municipality_code",
    "region_year",
    "law_domains",
    "life_domains",
    "target_groups",
    "age_band",
    "supporter_type",
    "description",
    "text_erased",
)


@dataclass(frozen=True, slots=True)
class StatusPage:
    items: list[SignalStatus]
    last_signal_id: uuid.UUID | None  # None on the last page


class SignalStatusStore:
    def __init__(self, client: Client, database: str) -> None:
        self._client = client
        self._database = database

    def status(self, organisation_id: str, signal_id: uuid.UUID) -> SignalStatus | None:
        page = self._read(organisation_id, signal_id=signal_id, limit=1)
        return page.items[0] if page.items else None

    def page(
        self,
        organisation_id: str,
        *,
        state: SignalState | None = None,
        since: dt.datetime | None = None,
        after: uuid.UUID | None = None,
        limit: int = 100,
    ) -> StatusPage:
        """Signals in signal_id order after ``after``; ``since``: changed on or after."""
        return self._read(organisation_id, state=state, since=since, after=after, limit=limit)

    def _read(
        self,
        organisation_id: str,
        *,
        signal_id: uuid.UUID | None = None,
        state: SignalState | None = None,
        since: dt.datetime | None = None,
        after: uuid.UUID | None = None,
        limit: int,
    ) -> StatusPage:
        where = ["organisation_id = {org:String}"]
        having = ["1"]
        parameters: dict[str, Any] = {
            "org": organisation_id,
            "order": EVENT_ORDER,
            "limit": limit + 1,
        }
        if signal_id is not None:
            where.append("signal_id = {signal_id:UUID}")
            parameters["signal_id"] = str(signal_id)
        if after is not None:
            where.append("signal_id > {after:UUID}")
            parameters["after"] = str(after)
        if state is not None:
            having.append("status = {state:String}")
            parameters["state"] = state.value
        if since is not None:
            having.append("updated_at >= {since:DateTime64(3, 'UTC')}")
            parameters["since"] = since
        rows = self._client.query(
            "SELECT signal_id, "
            "argMax(event, (submitted_at, indexOf({order:Array(String)}, event))) AS status, "
            "max(at) AS updated_at, "
            "maxIf(submitted_at, event = 'accepted') AS accepted_at, "
            "countIf(event = 'accepted') > 0 AS was_accepted, "
            "argMaxIf(tuple(stage, reason, detail, at), (submitted_at, at), "
            "event = 'dead_lettered') AS dead "
            f"FROM {self._database}.signal_ledger "
            f"WHERE {' AND '.join(where)} "
            "GROUP BY signal_id "
            f"HAVING {' AND '.join(having)} "
            "ORDER BY signal_id LIMIT {limit:UInt32}",
            parameters=parameters,
        ).result_rows
        more = len(rows) > limit
        rows = rows[:limit]
        stored = self._stored(organisation_id, [as_uuid(row[0]) for row in rows])
        items = [_status(row, stored.get(as_uuid(row[0]))) for row in rows]
        return StatusPage(items, items[-1].signal_id if more and items else None)

    def _stored(
        self, organisation_id: str, signal_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, Any]]:
        if not signal_ids:
            return {}
        columns = ", ".join(f"argMax({name}, revision) AS {name}" for name in _STORED_COLUMNS)
        result = self._client.query(
            f"SELECT signal_id, {columns} FROM {self._database}.signals "
            "WHERE signal_id IN {ids:Array(UUID)} AND organisation_id = {org:String} "
            "GROUP BY signal_id",
            parameters={"ids": [str(i) for i in signal_ids], "org": organisation_id},
        )
        return {
            as_uuid(row[0]): dict(zip(_STORED_COLUMNS, row[1:], strict=True))
            for row in result.result_rows
        }


def _status(row: Sequence[Any], stored: dict[str, Any] | None) -> SignalStatus:
    signal_id, state_name, updated_at, accepted_at, was_accepted, dead = row
    state = SignalState(state_name)
    accepted = as_utc(accepted_at) if was_accepted else None
    version = 1
    submitted_at = accepted
    if stored is not None:
        stored_at = as_utc(stored["submitted_at"])
        withdrawn = stored["label_source"] == LabelSource.WITHDRAWN
        version = int(stored["version"])
        # A submission after the stored version is a new version on its way.
        if accepted is not None and accepted > stored_at:
            version += 1
        elif not withdrawn:
            submitted_at = stored_at
    counted = state is SignalState.COUNTED and stored is not None
    shown = stored is not None and state in (SignalState.COUNTED, SignalState.WITHDRAWN)
    return SignalStatus(
        signal_id=as_uuid(signal_id),
        status=state,
        version=version,
        submitted_at=submitted_at or as_utc(updated_at),
        updated_at=as_utc(updated_at),
        labels=[Category(c) for c in sorted(stored["categories"])] if counted and stored else [],
        labels_from=_origin(stored["label_source"]) if counted and stored else None,
        model_version=(stored["model_version"] or None) if counted and stored else None,
        signal=_view(stored) if shown and stored else None,
        dead_letter=_dead_letter(dead) if state is SignalState.DEAD_LETTERED else None,
    )


def _origin(label_source: str) -> LabelOrigin:
    return LabelOrigin.REVIEW if label_source == LabelSource.REVIEW else LabelOrigin.MODEL


def _view(stored: dict[str, Any]) -> StoredSignalView:
    return StoredSignalView(
        observed_on=stored["observed_on"],
        municipality_code=stored["municipality_code"],
        region_year=int(stored["region_year"]),
        law_domains=list(stored["law_domains"]),
        life_domains=list(stored["life_domains"]),
        target_groups=list(stored["target_groups"]),
        age_band=stored["age_band"],
        supporter_type=stored["supporter_type"],
        description=stored["description"],
        text_erased=bool(stored["text_erased"]),
    )


def _dead_letter(dead: Sequence[Any]) -> StatusDeadLetter:
    stage, reason, detail, at = dead
    return StatusDeadLetter(
        stage=DeadLetterStage(stage),
        reason=DeadLetterReason(reason),
        detail=detail,
        failed_at=as_utc(at),
    )

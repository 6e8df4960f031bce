"""Weekly cells (migration 0009): recompute the cells of quiet weeks from their facts.

The disclosed views read stored cells for complete weeks and count the other
weeks live from the facts, so a refresh never changes a published number; it
only makes reading it cheap. Refreshing is idempotent: any number of
aggregators may run it at once, and a refresh that stops half-way leaves its
weeks dirty (counted live) until the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.periodic import Periodic

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CellSource:
    """live_view counts a week's cells exactly from its facts (0010); cells_table stores them."""

    name: str
    live_view: str
    cells_table: str
    key_columns: tuple[str, ...]


SOURCES = (
    CellSource(
        "trend",
        "trend_live_cells",
        "trend_cells",
        ("level", "category", "region_code", "week_start"),
    ),
    CellSource(
        "breakdown",
        "breakdown_live_cells",
        "breakdown_cells",
        ("level", "dimension", "category", "region_code", "week_start", "value"),
    ),
)


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    """quiet_seconds: a week is refreshed once nothing was stored in it for this long. It is
    also the time an insert may take to become visible after its facts were stamped, so it
    must stay well above the slowest insert. max_weeks bounds the work of one round."""

    quiet_seconds: float = 60.0
    max_weeks: int = 52

    def __post_init__(self) -> None:
        if self.quiet_seconds < 0 or self.max_weeks < 1:
            raise ValueError("quiet_seconds must be >= 0 and max_weeks >= 1")


def refresh_weekly_cells(
    client: Client, database: str, policy: RefreshPolicy = RefreshPolicy()
) -> dict[str, list[dt.date]]:
    """Recompute the cells of dirty weeks that have been quiet long enough; returns the weeks
    refreshed per source."""
    refreshed: dict[str, list[dt.date]] = {}
    for source in SOURCES:
        # Database time on both sides of the comparison: the stamps are the database's.
        (horizon,) = client.query(
            "SELECT now64(3, 'UTC') - toIntervalMillisecond({quiet:UInt64})",
            parameters={"quiet": int(policy.quiet_seconds * 1000)},
        ).result_rows[0]
        weeks = [
            row[0]
            for row in client.query(
                f"SELECT week_start FROM {database}.dirty_weeks "
                "WHERE source = {source:String} AND touched_at <= {horizon:DateTime64(3, 'UTC')} "
                "ORDER BY week_start LIMIT {limit:UInt32}",
                parameters={"source": source.name, "horizon": horizon, "limit": policy.max_weeks},
            ).result_rows
        ]
        if weeks:
            keys = ", ".join(source.key_columns)
            # A reviewed signal can leave a cell for good (0012): a stored cell the facts no
            # longer have gets a row of 0, which the views leave out, so it stops counting.
            client.command(
                f"INSERT INTO {database}.{source.cells_table} "
                f"({keys}, signals, records, computed_at) "
                f"SELECT {keys}, signals, records, now64(3, 'UTC') "
                f"FROM {database}.{source.live_view} "
                "WHERE week_start IN {weeks:Array(Date)} "
                "UNION ALL "
                f"SELECT {keys}, 0, 0, now64(3, 'UTC') "
                f"FROM {database}.{source.cells_table} FINAL "
                "WHERE week_start IN {weeks:Array(Date)} AND signals > 0 "
                f"AND ({keys}) NOT IN (SELECT {keys} FROM {database}.{source.live_view} "
                "WHERE week_start IN {weeks:Array(Date)})",
                parameters={"weeks": weeks},
            )
            # Only now: every fact stamped up to the horizon was visible to the insert above.
            client.insert(
                f"{database}.cells_refreshed",
                [[source.name, week, horizon] for week in weeks],
                column_names=["source", "week_start", "complete_up_to"],
            )
            log.info("refreshed %d %s week(s) of cells", len(weeks), source.name)
        refreshed[source.name] = weeks
    return refreshed


class CellRefresher(Periodic):
    """Runs ``refresh_weekly_cells`` every ``interval_seconds`` beside the consumer. A failed
    round is logged and tried again next time: until then the weeks are counted live."""

    def __init__(
        self, client: Client, database: str, policy: RefreshPolicy, interval_seconds: float
    ) -> None:
        super().__init__(
            "cell-refresher",
            lambda: refresh_weekly_cells(client, database, policy),
            interval_seconds,
            _refresh_failed,
        )


def _refresh_failed(_: Exception) -> None:
    log.exception("refreshing the weekly cells failed; the weeks stay live")

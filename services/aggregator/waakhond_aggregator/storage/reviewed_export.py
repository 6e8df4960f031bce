"""Reviewed signals as training data: each signal's standing decision with its redacted text
and dimensions, as JSON Lines for ``waakhond train --with-reviews``.

Texts a reviewer found identifying details in are erased and never exported; the reviewer's
pseudonym is not exported either: training needs the labels, not who gave them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.storage.client import as_utc

_COLUMNS = (
    "signal_id",
    "decided_at",
    "role",
    "labels",
    "model_labels",
    "model_version",
    "description",
    "observed_on",
    "municipality_code",
    "law_domains",
    "life_domains",
    "target_groups",
    "age_band",
    "supporter_type",
)


def reviewed_signals(
    client: Client, database: str, since: dt.date | None = None
) -> Iterator[dict[str, Any]]:
    """Oldest decision first, so a time split of the file is a split of its lines."""
    result = client.query(
        "SELECT s.signal_id, d.decided_at, d.role, s.categories, s.model_categories, "
        "s.model_version, s.description, s.observed_on, s.municipality_code, s.law_domains, "
        "s.life_domains, s.target_groups, s.age_band, s.supporter_type "
        f"FROM {database}.current_signals AS s "
        f"INNER JOIN (SELECT signal_id, revision, decided_at, role "
        f"  FROM {database}.review_decisions FINAL) AS d "
        "ON d.signal_id = s.signal_id AND d.revision = s.revision "
        "WHERE s.label_source = 'review' AND NOT s.text_erased "
        "AND d.decided_at >= {since:DateTime64(3, 'UTC')} "
        "ORDER BY d.decided_at, s.signal_id "
        "LIMIT 1 BY s.signal_id",
        parameters={"since": dt.datetime.combine(since or dt.date(2020, 1, 1), dt.time(), dt.UTC)},
    )
    for row in result.result_rows:
        reviewed = dict(zip(_COLUMNS, row, strict=True))
        reviewed["decided_at"] = as_utc(reviewed["decided_at"])
        yield reviewed


def to_json_line(reviewed: dict[str, Any]) -> str:
    return json.dumps(
        {
            key: value.isoformat()
            if isinstance(value, dt.date | dt.datetime)
            else str(value)
            if key == "signal_id"
            else sorted(value)
            if key in {"labels", "model_labels"}
            else value
            for key, value in reviewed.items()
        },
        ensure_ascii=False,
        sort_keys=True,
    )


MISS_COLUMNS = ("signal_id", "decided_at", "organisation_id", "kinds")


def redaction_misses(
    client: Client, database: str, since: dt.date | None = None
) -> Iterator[dict[str, Any]]:
    """Every signal a person found identifying details in, with the kinds found (all
    decisions on it together) and when first; never the text, which is erased."""
    result = client.query(
        "SELECT signal_id, min(decided_at), any(organisation_id), "
        "arraySort(groupUniqArrayArray(identifying_kinds)) "
        f"FROM {database}.review_decisions FINAL "
        "WHERE outcome = 'contains_identifying_details' "
        "GROUP BY signal_id HAVING min(decided_at) >= {since:DateTime64(3, 'UTC')} "
        "ORDER BY 2, signal_id",
        parameters={"since": dt.datetime.combine(since or dt.date(2020, 1, 1), dt.time(), dt.UTC)},
    )
    for row in result.result_rows:
        miss = dict(zip(MISS_COLUMNS, row, strict=True))
        miss["decided_at"] = as_utc(miss["decided_at"])
        yield miss

"""What the review page reads from ClickHouse: the queue, one signal, the decisions on it,
and the coordinators' list of disagreements. Read only: decisions go out on Kafka and the
aggregator writes them.

``current_signals`` holds one row per signal in its current state (migration 0012);
``review_decisions`` one row per applied decision.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.review.accounts import Reviewer
from waakhond_aggregator.storage.client import as_uuid
from waakhond_contract.messages import ReviewerRole

# The sample of confident signals is drawn by a hash of the id, in steps of 1/10000: the
# same signals are in it at every read and for every reviewer.
SAMPLE_STEPS = 10_000


def sample_threshold(rate: float) -> int:
    """Signals whose ``cityHash64(signal_id) % SAMPLE_STEPS`` is below this are sampled."""
    return round(rate * SAMPLE_STEPS)


@dataclass(frozen=True, slots=True)
class QueueItem:
    signal_id: uuid.UUID
    organisation_id: str
    observed_on: dt.date
    submitted_at: dt.datetime
    municipality_code: str
    categories: tuple[str, ...]
    needs_review: bool
    review_reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SignalForReview:
    signal_id: uuid.UUID
    organisation_id: str
    observed_on: dt.date
    submitted_at: dt.datetime
    municipality_code: str
    municipality_name: str | None
    law_domains: tuple[str, ...]
    life_domains: tuple[str, ...]
    target_groups: tuple[str, ...]
    age_band: str
    supporter_type: str
    description: str
    categories: tuple[str, ...]
    model_categories: tuple[str, ...]
    scores: Mapping[str, float]
    explanations: Mapping[str, tuple[str, ...]]
    needs_review: bool
    review_reasons: tuple[str, ...]
    model_version: str
    label_source: str
    text_erased: bool
    version: int


@dataclass(frozen=True, slots=True)
class StoredDecision:
    reviewer: str
    role: str
    outcome: str
    labels: tuple[str, ...]
    decided_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Disagreement:
    signal_id: uuid.UUID
    organisation_id: str
    label_sets: tuple[tuple[str, ...], ...]
    reviewers: int
    first_decided_at: dt.datetime


def _visibility(viewer: Reviewer) -> dict[str, Any]:
    return {
        "everything": viewer.role is ReviewerRole.COORDINATOR,
        "organisations": list(viewer.organisations),
    }


_VISIBLE = "({everything:Bool} OR has({organisations:Array(String)}, organisation_id))"
_VISIBLE_ALIASED = _VISIBLE.replace("organisation_id", "s.organisation_id")


def read_queue(
    client: Client,
    database: str,
    viewer: Reviewer,
    sample_rate: float,
    limit: int,
    exclude: Collection[uuid.UUID] = (),
) -> list[QueueItem]:
    """Signals still carrying the model's labels and not decided: the flagged ones first,
    then the sample of confident ones, oldest first within each. ``exclude``: signals this
    reviewer skipped or decided and the aggregator has not applied yet."""
    rows = client.query(
        "SELECT signal_id, organisation_id, observed_on, submitted_at, municipality_code, "
        "categories, needs_review, review_reasons "
        f"FROM {database}.current_signals "
        f"WHERE label_source = 'model' AND {_VISIBLE} "
        f"AND (needs_review OR cityHash64(signal_id) % {SAMPLE_STEPS} < {{threshold:UInt32}}) "
        f"AND signal_id NOT IN (SELECT signal_id FROM {database}.review_decisions) "
        "AND NOT has({exclude:Array(UUID)}, signal_id) "
        "ORDER BY needs_review DESC, submitted_at, signal_id "
        "LIMIT {limit:UInt32}",
        parameters={
            **_visibility(viewer),
            "threshold": sample_threshold(sample_rate),
            "exclude": [str(signal_id) for signal_id in exclude],
            "limit": limit,
        },
    ).result_rows
    return [
        QueueItem(
            signal_id=as_uuid(row[0]),
            organisation_id=row[1],
            observed_on=row[2],
            submitted_at=row[3],
            municipality_code=row[4],
            categories=tuple(row[5]),
            needs_review=bool(row[6]),
            review_reasons=tuple(row[7]),
        )
        for row in rows
    ]


def read_signal(
    client: Client, database: str, viewer: Reviewer, signal_id: uuid.UUID
) -> SignalForReview | None:
    """The signal as it stands now, or None when it does not exist or ``viewer`` may not see
    it: the page answers both the same way (404), so ids of other organisations cannot be
    probed."""
    rows = client.query(
        "SELECT s.signal_id, s.organisation_id, s.observed_on, s.submitted_at, "
        "s.municipality_code, n.region_name, s.law_domains, s.life_domains, s.target_groups, "
        "s.age_band, s.supporter_type, s.description, s.categories, s.model_categories, "
        "s.scores, s.explanations, s.needs_review, s.review_reasons, s.model_version, "
        "s.label_source, s.text_erased, s.version "
        f"FROM {database}.current_signals AS s "
        f"LEFT JOIN (SELECT region_code, region_name FROM {database}.region_names "
        "WHERE level = 'municipality') AS n ON n.region_code = s.municipality_code "
        f"WHERE s.signal_id = {{signal_id:UUID}} AND {_VISIBLE_ALIASED} "
        "LIMIT 1",
        parameters={**_visibility(viewer), "signal_id": str(signal_id)},
        settings={"join_use_nulls": 1},
    ).result_rows
    if not rows:
        return None
    row = rows[0]
    return SignalForReview(
        signal_id=as_uuid(row[0]),
        organisation_id=row[1],
        observed_on=row[2],
        submitted_at=row[3],
        municipality_code=row[4],
        municipality_name=row[5] or None,
        law_domains=tuple(row[6]),
        life_domains=tuple(row[7]),
        target_groups=tuple(row[8]),
        age_band=row[9],
        supporter_type=row[10],
        description=row[11],
        categories=tuple(row[12]),
        model_categories=tuple(row[13]),
        scores={str(key): float(value) for key, value in row[14].items()},
        explanations={str(key): tuple(terms) for key, terms in row[15].items()},
        needs_review=bool(row[16]),
        review_reasons=tuple(row[17]),
        model_version=row[18],
        label_source=row[19],
        text_erased=bool(row[20]),
        version=int(row[21]),
    )


def read_decisions(client: Client, database: str, signal_id: uuid.UUID) -> list[StoredDecision]:
    rows = client.query(
        "SELECT reviewer, role, outcome, labels, decided_at "
        f"FROM {database}.review_decisions FINAL "
        "WHERE signal_id = {signal_id:UUID} ORDER BY decided_at, decision_id",
        parameters={"signal_id": str(signal_id)},
    ).result_rows
    return [
        StoredDecision(
            reviewer=row[0], role=row[1], outcome=row[2], labels=tuple(row[3]), decided_at=row[4]
        )
        for row in rows
    ]


def read_disagreements(client: Client, database: str, limit: int) -> list[Disagreement]:
    """Signals whose reviewers' latest decisions give different labels, and on which no
    coordinator has decided yet; the longest waiting first."""
    rows = client.query(
        "SELECT signal_id, any(latest_organisation), groupUniqArray(latest_labels), count(), "
        "min(first_at) AS waiting_since "
        "FROM ("
        "  SELECT signal_id, reviewer,"
        "    argMax(organisation_id, decided_at) AS latest_organisation,"
        "    argMax(arraySort(labels), decided_at) AS latest_labels,"
        "    min(decided_at) AS first_at,"
        "    countIf(role = {coordinator:String}) AS by_coordinator"
        f"  FROM {database}.review_decisions FINAL GROUP BY signal_id, reviewer"
        ") GROUP BY signal_id "
        "HAVING sum(by_coordinator) = 0 AND uniqExact(latest_labels) > 1 "
        "ORDER BY waiting_since, signal_id LIMIT {limit:UInt32}",
        parameters={"coordinator": ReviewerRole.COORDINATOR.value, "limit": limit},
    ).result_rows
    return [
        Disagreement(
            signal_id=as_uuid(row[0]),
            organisation_id=row[1],
            label_sets=tuple(sorted(tuple(labels) for labels in row[2])),
            reviewers=int(row[3]),
            first_decided_at=row[4],
        )
        for row in rows
    ]

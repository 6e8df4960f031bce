"""The disclosure policy in force and the retention of raw text, applied at start-up.

The SQL side (``waakhond_disclose`` and the ``suppressed_*`` views) is in
migration 0002; ``disclose`` here is the same rule in Python, for reasoning
about it in tests and documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

from clickhouse_connect.driver.client import Client


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """Counts of 1..min_count-1 are hidden; every shown count is rounded to rounding_base."""

    min_count: int = 10
    rounding_base: int = 5

    def __post_init__(self) -> None:
        if self.min_count < 1 or self.rounding_base < 1:
            raise ValueError("min_count and rounding_base must be at least 1")


def disclose(count: int, policy: DisclosurePolicy) -> int | None:
    """What may be shown of a true count: None when it is hidden."""
    if 0 < count < policy.min_count:
        return None
    base = policy.rounding_base
    return (count + base // 2) // base * base


def write_disclosure_policy(client: Client, database: str, policy: DisclosurePolicy) -> None:
    current = client.query(
        f"SELECT min_count, rounding_base FROM {database}.current_disclosure_policy"
    ).result_rows
    if current and tuple(current[0]) == (policy.min_count, policy.rounding_base):
        return
    client.insert(
        f"{database}.disclosure_policy",
        [[1, policy.min_count, policy.rounding_base]],
        column_names=["id", "min_count", "rounding_base"],
    )


def apply_text_retention(client: Client, database: str, months: int) -> None:
    """Blank the free text of signals older than ``months``; counts stay."""
    if months < 1:
        raise ValueError("retention must be at least one month")
    client.command(
        f"ALTER TABLE {database}.signals MODIFY COLUMN description String "
        f"TTL toDateTime(ingested_at) + toIntervalMonth({int(months)})"
    )

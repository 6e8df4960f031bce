"""The disclosure policy in force and the retention of raw text, applied at start-up.

Every count a dashboard or the API shows goes through ``waakhond_publish``
(migration 0008): cell-key noise, then the threshold, then rounding. The
functions here are the same rule in Python, for reasoning about it in tests
and documentation; ``tests/aggregator/storage/test_disclosure.py`` holds the
two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

KEY_BITS = 64
"""Each geometric draw counts the trailing zero bits of a 64-bit key (64 for key 0)."""


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """A count n is shown as n + noise rounded to rounding_base, or hidden when n + noise is
    below min_count; 0 stays 0. ``noise=False`` is for checking exact counts in tests only."""

    min_count: int = 10
    rounding_base: int = 5
    noise: bool = True

    def __post_init__(self) -> None:
        if self.min_count < 1 or self.rounding_base < 1:
            raise ValueError("min_count and rounding_base must be at least 1")


def trailing_zeros(key: int) -> int:
    if not 0 <= key < 1 << KEY_BITS:
        raise ValueError("a key is an unsigned 64-bit integer")
    return KEY_BITS if key == 0 else (key & -key).bit_length() - 1


def cell_noise(key_up: int, key_down: int) -> int:
    """Two-sided geometric noise, P(x) = 2^-|x| / 3, from two uniform 64-bit keys."""
    return trailing_zeros(key_up) - trailing_zeros(key_down)


def noise_probability(noise: int) -> float:
    """P(cell_noise = noise) for uniform keys, exactly (the 64-bit cap included)."""
    if abs(noise) > KEY_BITS:
        return 0.0

    def geometric(g: int) -> float:
        return 2.0 ** -(g + 1) if g < KEY_BITS else 2.0**-KEY_BITS

    return sum(
        geometric(up) * geometric(up - noise)
        for up in range(max(0, noise), min(KEY_BITS, KEY_BITS + noise) + 1)
    )


def disclose(count: int, policy: DisclosurePolicy, noise: int = 0) -> int | None:
    """What may be shown of a true count whose cell drew ``noise``: None when hidden."""
    if count == 0:
        return 0
    perturbed = count + (noise if policy.noise else 0)
    if perturbed < policy.min_count:
        return None
    base = policy.rounding_base
    return (perturbed + base // 2) // base * base


def write_disclosure_policy(client: Client, database: str, policy: DisclosurePolicy) -> None:
    wanted = (policy.min_count, policy.rounding_base, policy.noise)
    current = client.query(
        f"SELECT min_count, rounding_base, noise FROM {database}.current_disclosure_policy"
    ).result_rows
    if current and (int(current[0][0]), int(current[0][1]), bool(current[0][2])) == wanted:
        return
    client.insert(
        f"{database}.disclosure_policy",
        [[1, *wanted]],
        column_names=["id", "min_count", "rounding_base", "noise"],
    )


def apply_text_retention(client: Client, database: str, months: int) -> None:
    """Blank the free text of signals older than ``months``; counts stay."""
    if months < 1:
        raise ValueError("retention must be at least one month")
    client.command(
        f"ALTER TABLE {database}.signals MODIFY COLUMN description String "
        f"TTL toDateTime(ingested_at) + toIntervalMonth({int(months)})"
    )

"""Disclosure control: small counts never show, and published numbers never give one back."""

from __future__ import annotations

import itertools

import pytest
from clickhouse_connect.driver.client import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from waakhond_aggregator.storage.disclosure import DisclosurePolicy, disclose
from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_contract.settings import ClickHouseSettings

POLICIES = [DisclosurePolicy(), DisclosurePolicy(5, 3), DisclosurePolicy(10, 1)]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: f"k{p.min_count}-b{p.rounding_base}")
def test_sql_rule_equals_python_rule(
    policy: DisclosurePolicy, clickhouse_client: Client, clickhouse_settings: ClickHouseSettings
) -> None:
    apply_migrations(clickhouse_client, clickhouse_settings.database)
    rows = clickhouse_client.query(
        "SELECT number, waakhond_disclose(number, {k:UInt32}, {b:UInt32}) FROM numbers(300)",
        parameters={"k": policy.min_count, "b": policy.rounding_base},
    ).result_rows
    assert [(n, shown) for n, shown in rows] == [(n, disclose(n, policy)) for n in range(300)]


@given(count=st.integers(0, 10_000), k=st.integers(1, 50), base=st.integers(1, 20))
def test_no_small_count_is_ever_shown(count: int, k: int, base: int) -> None:
    shown = disclose(count, DisclosurePolicy(k, base))
    assert shown is None or shown == 0 or shown >= k - base // 2
    if 0 < count < k:
        assert shown is None
    if count == 0:
        assert shown == 0


def preimage(shown: int | None, policy: DisclosurePolicy, ceiling: int) -> list[int]:
    """Every true count that publishes as ``shown``."""
    return [n for n in range(ceiling + 1) if disclose(n, policy) == shown]


def feasible_values(cells: list[int], split: int) -> tuple[list[int | None], list[set[int]]]:
    """Municipalities in two provinces and a national total, all published. An attacker who
    knows the rule enumerates every table consistent with what is published; returns the
    published cells and, per cell, the true values the attacker cannot rule out."""
    policy = DisclosurePolicy()
    groups = [cells[:split], cells[split:]]
    published_cells = [disclose(c, policy) for c in cells]
    published_groups = [disclose(sum(g), policy) for g in groups]
    published_total = disclose(sum(cells), policy)
    ceiling = 40
    candidates = [preimage(p, policy, ceiling) for p in published_cells]
    feasible: list[set[int]] = [set() for _ in cells]
    for table in itertools.product(*candidates):
        sums = [sum(table[:split]), sum(table[split:])]
        if [disclose(s, policy) for s in sums] != published_groups:
            continue
        if disclose(sum(table), policy) != published_total:
            continue
        for index, value in enumerate(table):
            feasible[index].add(value)
    return published_cells, feasible


@pytest.mark.xfail(
    strict=True,
    reason="Known gap: threshold + rounding alone can be undone when every hidden cell under "
    "a total sits at min_count-1 (9 and 9 in two provinces publish a national 20, which only "
    "18 = 9 + 9 explains; 13, 1, 13 is pinned the same way through province and national "
    "totals). Closing it needs secondary suppression across the linked tables.",
)
@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.integers(0, 30), min_size=2, max_size=4), split=st.integers(1, 3))
def test_no_hidden_cell_can_be_recovered_from_published_totals(
    cells: list[int], split: int
) -> None:
    split = min(split, len(cells) - 1)
    published, feasible = feasible_values(cells, split)
    for index, true_value in enumerate(cells):
        assert true_value in feasible[index]
        if published[index] is None:
            assert len(feasible[index]) >= 2, (cells, index, feasible[index])

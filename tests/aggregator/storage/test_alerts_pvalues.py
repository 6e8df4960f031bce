"""The alert test in SQL against scipy: the exact binomial tail, the bounds of a disclosed
count, the conservative p-values of the views, Benjamini-Hochberg and the alert rule."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from tests.aggregator.storage.test_analytics_views import (
    AS_OF,
    DEFAULT,
    EXACT,
    rows,
    seed_analytics,
)
from waakhond_aggregator.storage.disclosure import DisclosurePolicy, disclose
from waakhond_aggregator.storage.migrate import apply_migrations

RECENT_SHARE = 4 / 16


def sql_upper_tails(client: Client, cases: list[tuple[int, int, float]]) -> list[float]:
    result = client.query(
        "SELECT waakhond_binomial_upper_tail(c.1, c.2, c.3) "
        "FROM (SELECT arrayJoin({cases:Array(Tuple(UInt64, UInt64, Float64))}) AS c)",
        parameters={"cases": cases},
    )
    return [float(row[0]) for row in result.result_rows]


def scipy_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k), X ~ Binomial(n, p)."""
    return float(stats.binom.sf(k - 1, n, p))


def close(found: float, expected: float) -> bool:
    return math.isclose(found, expected, rel_tol=1e-9, abs_tol=1e-300)


@pytest.fixture(scope="module")
def functions(clickhouse_client: Client, chdb_path: Path) -> Iterator[Client]:
    """The SQL functions are global; creating any database through the migrations makes them."""
    database = f"t_{uuid.uuid4().hex[:10]}"
    apply_migrations(clickhouse_client, database)
    yield clickhouse_client
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


TAIL_CASES = [
    pytest.param(0, 10, 0.25, id="k-zero-is-certain"),
    pytest.param(11, 10, 0.25, id="k-above-n-is-impossible"),
    pytest.param(4, 6, 0.25, id="two-to-four"),
    pytest.param(23, 35, 0.25, id="seeded-rise"),
    pytest.param(10, 10, 0.25, id="all-recent"),
    pytest.param(1, 1, 0.75, id="one-of-one"),
    pytest.param(3, 40, 0.25, id="below-the-mean"),
    pytest.param(30, 40, 0.75, id="at-the-mean-fall-side"),
    pytest.param(2600, 10_000, 0.25, id="large-n-two-sd-up"),
    pytest.param(3000, 10_000, 0.25, id="large-n-tiny-p"),
    pytest.param(24_000, 100_000, 0.25, id="large-n-below-mean"),
    pytest.param(160, 200, 0.25, id="far-tail-1e-60"),
]


@pytest.mark.parametrize(("k", "n", "p"), TAIL_CASES)
def test_binomial_upper_tail_matches_scipy(functions: Client, k: int, n: int, p: float) -> None:
    (found,) = sql_upper_tails(functions, [(k, n, p)])
    assert close(found, scipy_upper_tail(k, n, p)), (found, scipy_upper_tail(k, n, p))


@settings(max_examples=40, deadline=None)
@given(
    cases=st.lists(
        st.integers(0, 3000).flatmap(
            lambda n: st.tuples(
                st.integers(0, n + 1), st.just(n), st.sampled_from([RECENT_SHARE, 0.75, 0.5])
            )
        ),
        min_size=1,
        max_size=20,
    )
)
def test_binomial_upper_tail_matches_scipy_anywhere(
    functions: Client, cases: list[tuple[int, int, float]]
) -> None:
    found = sql_upper_tails(functions, cases)
    for (k, n, p), value in zip(cases, found, strict=True):
        assert close(value, scipy_upper_tail(k, n, p)), (k, n, p, value)


def preimage(shown: int, policy: DisclosurePolicy, ceiling: int = 400) -> list[int]:
    return [n for n in range(ceiling) if disclose(n, policy) == shown]


@pytest.mark.parametrize(
    "policy",
    [DEFAULT, EXACT, DisclosurePolicy(5, 3), DisclosurePolicy(3, 10), DisclosurePolicy(10, 50)],
    ids=lambda p: f"k{p.min_count}-b{p.rounding_base}",
)
def test_disclosed_bounds_are_the_extremes_of_the_preimage(
    functions: Client, policy: DisclosurePolicy
) -> None:
    shown_values = sorted({s for n in range(300) if (s := disclose(n, policy)) is not None})
    result = functions.query(
        "SELECT s, waakhond_disclosed_floor(s, {k:UInt32}, {b:UInt32}), "
        "waakhond_disclosed_ceiling(s, {k:UInt32}, {b:UInt32}) "
        "FROM (SELECT arrayJoin({shown:Array(UInt64)}) AS s)",
        parameters={"shown": shown_values, "k": policy.min_count, "b": policy.rounding_base},
    )
    for shown, low, high in result.result_rows:
        true_counts = preimage(shown, policy)
        assert (low, high) == (min(true_counts), max(true_counts)), shown


@pytest.fixture(scope="module", params=[EXACT, DEFAULT], ids=["exact", "k10-b5"])
def direction(
    request: pytest.FixtureRequest, clickhouse_client: Client, chdb_path: Path
) -> Iterator[tuple[DisclosurePolicy, list[dict[str, Any]]]]:
    policy: DisclosurePolicy = request.param
    database = f"t_{uuid.uuid4().hex[:10]}"
    seed_analytics(clickhouse_client, database, policy)
    found = rows(
        clickhouse_client,
        f"SELECT * FROM {database}.suppressed_trend_direction(as_of = {{as_of:Date}})",
        as_of=AS_OF,
    )
    yield policy, found
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


def conservative_p_values(
    recent: int, baseline: int, policy: DisclosurePolicy
) -> tuple[float, float]:
    """The largest p-values any true counts behind the disclosed ones could give."""
    recents, baselines = preimage(recent, policy), preimage(baseline, policy)
    rise = max(
        float(stats.binomtest(k, k + b, RECENT_SHARE, alternative="greater").pvalue)
        if k + b
        else 1.0
        for k in recents
        for b in baselines
    )
    fall = max(
        float(stats.binomtest(k, k + b, RECENT_SHARE, alternative="less").pvalue) if k + b else 1.0
        for k in recents
        for b in baselines
    )
    return rise, fall


def test_view_p_values_are_the_conservative_exact_tests(
    direction: tuple[DisclosurePolicy, list[dict[str, Any]]],
) -> None:
    policy, found = direction
    tested = [
        r for r in found if r["recent_signals"] is not None and r["baseline_signals"] is not None
    ]
    assert len(tested) > 10
    for row in tested:
        rise, fall = conservative_p_values(row["recent_signals"], row["baseline_signals"], policy)
        assert close(row["p_rise"], rise), row
        assert close(row["p_fall"], fall), row
    untested = [r for r in found if r not in tested]
    assert untested if policy == DEFAULT else not untested
    assert all(r["p_rise"] is None and r["direction"] == "insufficient_data" for r in untested)


def test_q_values_are_benjamini_hochberg_per_level(
    direction: tuple[DisclosurePolicy, list[dict[str, Any]]],
) -> None:
    _, found = direction
    eligible = [
        r for r in found if (r["recent_signals"] or 0) > 0 and (r["baseline_signals"] or 0) > 0
    ]
    assert {r["level"] for r in eligible} == {
        "municipality",
        "jeugdregio",
        "ggdregio",
        "zorgkantoorregio",
        "province",
        "national",
    }
    for level in {r["level"] for r in eligible}:
        family = [r for r in eligible if r["level"] == level]
        expected = stats.false_discovery_control([r["p_rise"] for r in family], method="bh")
        for row, q in zip(family, expected, strict=True):
            assert close(row["q_rise"], float(q)), row
    assert all(r["q_rise"] is None for r in found if r not in eligible)


def test_alerts_flag_the_rise_and_nothing_steady(
    direction: tuple[DisclosurePolicy, list[dict[str, Any]]],
) -> None:
    policy, found = direction
    alerts = {(r["level"], r["region_code"], r["category"]) for r in found if r["is_alert"]}
    amsterdam = {
        ("municipality", "GM0363"),
        ("jeugdregio", "JZ13"),
        ("ggdregio", "GG3406"),
        ("zorgkantoorregio", "ZK02"),
        ("province", "PV27"),
    }
    # Nationally the rise is diluted by Utrecht's steady signals but still clear.
    expected = {
        (level, region, category)
        for level, region in amsterdam
        for category in (
            "all",
            "no_suitable_care",
        )
    } | {("national", "NL", "no_suitable_care")}
    # Amsterdam's baseline is 12 signals: with noise its window can fall below the minimum
    # count and be hidden, and a hidden window is never tested. Every other expected cell
    # must be flagged.
    shown = {
        (r["level"], r["region_code"], r["category"])
        for r in found
        if r["recent_signals"] is not None and r["baseline_signals"] is not None
    }
    assert alerts >= expected & shown
    if not policy.noise:
        assert expected <= shown
    assert not {a for a in alerts if a[1] in {"GM0344", "GM0014"}}
    for row in found:
        if row["is_alert"]:
            assert row["p_rise"] < 0.01
            assert row["q_rise"] < 0.05
            assert row["recent_rate"] >= 1.5 * row["baseline_rate"] > 0
    steady = [r for r in found if r["region_code"] == "GM0344" and r["category"] == "policy_gap"]
    assert [r["direction"] for r in steady] == ["stable"]


def test_alerts_view_lists_the_flagged_rows_strongest_first(
    clickhouse_client: Client, chdb_path: Path
) -> None:
    database = f"t_{uuid.uuid4().hex[:10]}"
    seed_analytics(clickhouse_client, database, DEFAULT)
    flagged = rows(
        clickhouse_client,
        f"SELECT level, region_code, category, p_rise FROM {database}."
        "suppressed_trend_direction(as_of = {as_of:Date}) WHERE is_alert",
        as_of=AS_OF,
    )
    alerts = rows(
        clickhouse_client,
        f"SELECT * FROM {database}.suppressed_trend_alerts(as_of = {{as_of:Date}})",
        as_of=AS_OF,
    )
    clickhouse_client.command(f"DROP DATABASE {database}")
    assert {(a["level"], a["region_code"], a["category"]) for a in alerts} == {
        (f["level"], f["region_code"], f["category"]) for f in flagged
    }
    assert [a["p_value"] for a in alerts] == sorted(a["p_value"] for a in alerts)
    assert set(alerts[0]) >= {
        "region_name",
        "baseline_rate",
        "recent_rate",
        "rate_ratio",
        "rise_per_week",
        "p_value",
        "q_value",
        "recent_signals",
        "baseline_signals",
    }

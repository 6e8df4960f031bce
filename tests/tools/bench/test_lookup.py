"""The lookup benchmark at a tiny size: it measures every case and each lookup is right.

Timings are not checked (a shared machine, sizes too small to mean anything); what a
lookup finds is, because a benchmark of a lookup that misses stored signals measures
nothing the aggregator relies on.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from waakhond_tools.bench.lookup import (
    LookupParameters,
    lookup_table,
    measure_lookups,
    write_lookup_results,
)


def test_every_stored_id_is_found_and_no_new_one(clickhouse_client: Client, tmp_path: Path) -> None:
    database = f"t_{uuid.uuid4().hex[:10]}"
    parameters = LookupParameters(sizes=(3000, 1000), batch_sizes=(10, 200), runs=2)

    timings = measure_lookups(clickhouse_client, database, parameters)

    cases = [(t.stored_signals, t.batch, t.stored_share) for t in timings]
    assert cases == [
        (size, batch, share) for size in (1000, 3000) for batch in (10, 200) for share in (0.0, 1.0)
    ]
    assert all(t.found == round(t.batch * t.stored_share) for t in timings)
    assert all(t.wall_max_ms >= t.wall_p50_ms > 0 and t.runs == 2 for t in timings)
    stored = clickhouse_client.query(f"SELECT uniqExact(signal_id) FROM {database}.signals")
    assert stored.result_rows[0][0] == 3000

    output = tmp_path / "lookup.json"
    write_lookup_results(timings, output)
    assert len(json.loads(output.read_text())) == len(timings)
    assert len(lookup_table(timings).splitlines()) == len(timings) + 1


def test_a_store_too_small_for_distinct_stored_ids_per_run_is_refused(
    clickhouse_client: Client,
) -> None:
    parameters = LookupParameters(sizes=(500,), batch_sizes=(200,), runs=3)
    with pytest.raises(ValueError, match="too few"):
        measure_lookups(clickhouse_client, f"t_{uuid.uuid4().hex[:10]}", parameters)

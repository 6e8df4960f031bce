"""Aggregator: signals (and rows) per second stored by the real service vs raw inserts.

The real aggregator (its own process, its own chDB folder) drains the backlog
that the classifier stage wrote, copied onto a fresh topic before it starts,
timed from its first stored batch until
``waakhond_aggregator_signals_stored_total`` reaches the backlog (the signals
of the first batch are left out of the count). The limit reads the same
messages, turns them into the same rows (``transform.to_rows``, timed apart)
and times only ``client.insert`` into ``signals`` in batches of the
aggregator's size, on the full schema (so the materialized views of 0010 write
the municipality facts on every insert, as in production) and once more with
the breakdown view dropped, which prices that view.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from clickhouse_connect.driver.client import Client
from kafka import KafkaProducer

from waakhond_aggregator.processing.decode import decode_classified
from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS, SignalRows
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_aggregator.storage.reference import store_region_reference
from waakhond_contract.messages import SignalClassified
from waakhond_contract.regions import load_region_reference
from waakhond_runtime.collector import steady_state_collector
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics
from waakhond_tools.bench.pipeline_common import (
    HOST,
    StageRatio,
    measure_drain,
    metric,
    ratio,
    records_from_start,
)
from waakhond_tools.stack.broker import free_port
from waakhond_tools.stack.environments import aggregator_environment
from waakhond_tools.stack.processes import ServiceProcess

COUNTER = "waakhond_aggregator_signals_stored_total"


def aggregator_env(
    kafka: KafkaSettings, topics: TopicSettings, group: str, port: int, chdb: Path
) -> dict[str, str]:
    return aggregator_environment(
        kafka,
        topics,
        group_id=group,
        host=HOST,
        port=port,
        chdb_path=chdb,
        # Exact counts through the API: the end-to-end stage reads totals.
        exact_counts=True,
        log_level="WARNING",
    )


def read_classified(kafka: KafkaSettings, topic: str, count: int, timeout: float) -> list[bytes]:
    """Every message of the topic from the start (no group, nothing committed)."""
    return [record.value for record in records_from_start(kafka, topic, count, timeout)]


def _rows(values: Sequence[bytes]) -> tuple[list[SignalRows], float]:
    reference = load_region_reference()
    started = time.perf_counter()
    rows = []
    for value in values:
        decoded = decode_classified(value)
        if isinstance(decoded, SignalClassified):
            rows.append(to_rows(decoded, reference))
    return rows, time.perf_counter() - started


def raw_insert_seconds(
    client: Client, database: str, rows: Sequence[SignalRows], batch: int, with_view: bool
) -> float:
    apply_migrations(client, database)
    store_region_reference(client, database, load_region_reference())
    if not with_view:
        client.command(f"DROP VIEW IF EXISTS {database}.breakdown_municipality_facts_mv")
    # The aggregator's collector settings, so the limit differs from it only in the work.
    with steady_state_collector():
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            client.insert(
                f"{database}.signals", [r.signal for r in chunk], column_names=list(SIGNAL_COLUMNS)
            )
        return time.perf_counter() - started


def fact_rows(client: Client, database: str) -> int:
    """Rows the views wrote for the signals, replays not yet collapsed."""
    statement = (
        f"SELECT (SELECT count() FROM {database}.trend_municipality_facts)"
        f" + (SELECT count() FROM {database}.breakdown_municipality_facts)"
    )
    return int(client.query(statement).result_rows[0][0])


def measure_aggregator(
    kafka: KafkaSettings,
    topics: TopicSettings,
    backlog: int,
    client: Client,
    folder: Path,
    batch: int,
    timeout: float,
) -> StageRatio:
    values = read_classified(kafka, topics.classified, backlog, timeout)
    rows, transform_seconds = _rows(values)
    signals = len(rows)
    full = raw_insert_seconds(client, "bench_raw_full", rows, batch, with_view=True)
    facts = fact_rows(client, "bench_raw_full")
    without_view = raw_insert_seconds(client, "bench_raw_no_view", rows, batch, with_view=False)
    limit_rate = round(signals / full, 1) if full else 0.0

    # The whole backlog is on the topic before the aggregator starts, so nothing else in this
    # process takes CPU while it drains. measure_drain starts the clock at the first stored
    # batch: start-up, group join and the first batch are outside the rate, as the classifier
    # stage's first output record leaves its first batch out.
    port = free_port()
    fresh = topics.model_copy(update={"classified": f"{topics.classified}.replay"})
    ensure_topics(kafka, fresh)
    producer = KafkaProducer(
        bootstrap_servers=kafka.bootstrap_list, acks="all", linger_ms=5, compression_type="lz4"
    )
    try:
        for value in values:
            producer.send(fresh.classified, value)
        producer.flush()
    finally:
        producer.close()
    real = ServiceProcess(
        "aggregator",
        ["aggregator"],
        aggregator_env(kafka, fresh, "bench-aggregator", port, folder / "aggregator-chdb"),
        folder / "aggregator.log",
    )
    real.start()
    try:
        url = f"http://{HOST}:{port}/metrics/"
        real.wait_ready(f"http://{HOST}:{port}/readyz", 120)
        drain = measure_drain(lambda: metric(url, COUNTER), signals, timeout, poll=0.05)
    finally:
        real.stop()
    rows_per_signal = (signals + facts) / signals if signals else 0.0
    notes: dict[str, str] = {}
    if drain.messages == 0:
        notes["note"] = (
            f"all {signals} signals were stored in the first batch, so no drain was timed; "
            f"the backlog must be larger than the aggregator's batch of {batch}"
        )
    return StageRatio(
        stage="aggregator",
        unit="signals/s",
        rate=drain.rate,
        limit=limit_rate,
        ratio=ratio(drain.rate, limit_rate),
        detail={
            "signals": signals,
            # The rate's numerator: the signals stored after the first batch.
            "counted_signals": drain.messages,
            "fact_rows": facts,
            "rows_per_s": round(drain.rate * rows_per_signal, 1),
            "limit_rows_per_s": round(limit_rate * rows_per_signal, 1),
            "insert_batch": batch,
            "raw_insert_seconds": round(full, 3),
            "raw_insert_seconds_without_breakdown_view": round(without_view, 3),
            "breakdown_view_share_of_insert": round(1 - without_view / full, 3) if full else 0.0,
            "to_rows_signals_per_s": round(signals / transform_seconds, 1)
            if transform_seconds
            else 0.0,
            "seconds": round(drain.seconds, 2),
            **notes,
        },
    )

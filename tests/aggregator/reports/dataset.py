"""A realistic dataset for the report's tests: the demo generator's signals, labelled with
the categories their texts were composed from, stored as the aggregator stores them."""

from __future__ import annotations

import datetime as dt
import uuid

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import prepare_database
from waakhond_aggregator.processing.transform import to_rows
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import Classification, SignalClassified
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import Category
from waakhond_tools.stack.demo import SITUATIONS, generate_signals

# The demo's signals fall in the 40 weeks before this day: the second and third quarter of
# 2026 are full, the fourth has one week.
DEMO_TODAY = dt.date(2026, 10, 5)
SECRET = 0x5EC2E7_0F_CE11_0002


def demo_signals(count: int, seed: int = 2026) -> list[SignalClassified]:
    signals = []
    now = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)
    generated = generate_signals(count, seed=seed, weeks=40, today=DEMO_TODAY)
    for number, (organisation, body) in enumerate(generated):
        labels = [
            category
            for category, texts in SITUATIONS.items()
            if any(text in body["description"] for text in texts)
        ]
        body.pop("client_ref")
        # Ids of their own, not the generator's references: the expected rises of the
        # digest's and the report's tests depend on the cell keys, so on these ids.
        client_ref = f"demo-{seed}-{number:06d}"
        signals.append(
            SignalClassified.model_validate(
                {
                    **body,
                    "signal_id": str(
                        uuid.uuid5(uuid.NAMESPACE_OID, f"{organisation}/{client_ref}")
                    ),
                    "organisation_id": organisation,
                    "submitted_at": now.isoformat(),
                    "classification": Classification(
                        labels=labels,
                        scores={c: 0.9 if c in labels else 0.1 for c in Category},
                        needs_review=False,
                        model_version="demo",
                        classified_at=now,
                    ).model_dump(),
                }
            )
        )
    return signals


def store_demo(client: Client, database: str, count: int) -> None:
    """A database with the default disclosure policy, a fixed secret and ``count`` signals."""
    client.command(f"CREATE DATABASE IF NOT EXISTS {database}")
    prepare_database(client, database, AggregatorSettings(consume=False))
    client.command(f"TRUNCATE TABLE {database}.disclosure_secret")
    client.insert(f"{database}.disclosure_secret", [[1, SECRET]], column_names=["id", "secret"])
    reference = load_region_reference()
    TrendStore(client, database).insert([to_rows(s, reference) for s in demo_signals(count)])

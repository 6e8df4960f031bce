"""``waakhond reclassify``: run the current model again on stored signals no person decided
on, so a new model's labels reach the trends without resubmitting anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False)


@app.command()
def reclassify(
    since: Annotated[str, typer.Option(help="Signals observed on or after this date, YYYY-MM-DD.")],
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="The embedded stack's --data-dir: write its chDB (stop the stack first). "
            "Without it: the aggregator's ClickHouse settings (WAAKHOND_CLICKHOUSE_*).",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=50_000, help="Signals per round.")] = 5000,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would change; write nothing.")
    ] = False,
) -> None:
    """Write a new model revision for every signal whose labels or model version change.

    Reviewed labels always stand: signals a person decided on are not read, and a decision
    made later stands over the new revision. Erased texts are skipped. Running it again with
    the same model writes nothing."""
    from waakhond_aggregator.processing.reclassification import ModelLabels, reclassified_rows
    from waakhond_aggregator.processing.rows import SIGNAL_COLUMNS
    from waakhond_aggregator.storage.sink import TrendStore
    from waakhond_classifier.model.base import ClassifierInput
    from waakhond_classifier.model.loader import load_default_classifier
    from waakhond_cli.common import connect_ready, iso_date
    from waakhond_contract.messages import ReviewReason
    from waakhond_contract.vocabularies import Category

    observed_since = iso_date(since, "--since")
    client, database = connect_ready(data_dir, "current_signals", "signals yet")

    column = {name: index for index, name in enumerate(SIGNAL_COLUMNS)}
    store = TrendStore(client, database)
    classifier = load_default_classifier()
    classified_at = dt.datetime.now(dt.UTC)
    read = changed = 0
    after = None
    while rows := store.model_rows(observed_since, after, batch_size):
        after = rows[-1][column["signal_id"]]
        outputs = classifier.classify_batch(
            [
                ClassifierInput(
                    text=row[column["description"]],
                    suggested_categories=tuple(
                        Category(c) for c in row[column["suggested_categories"]]
                    ),
                    law_domains=tuple(row[column["law_domains"]]),
                    life_domains=tuple(row[column["life_domains"]]),
                    target_groups=tuple(row[column["target_groups"]]),
                )
                for row in rows
            ]
        )
        writes = []
        for row, output in zip(rows, outputs, strict=True):
            # Intake's flag stays: it is about the text, which has not changed.
            kept = [r for r in row[column["review_reasons"]] if r != ReviewReason.UNCERTAIN]
            reasons = [ReviewReason.UNCERTAIN.value] if output.needs_review else []
            given = ModelLabels(
                labels=tuple(str(label) for label in output.labels),
                scores={str(c): float(s) for c, s in output.scores.items()},
                needs_review=bool(reasons or kept),
                review_reasons=tuple(reasons + kept),
                explanations={str(c): list(t) for c, t in output.explanations.items()},
                model_version=classifier.version,
                classified_at=classified_at,
            )
            new = reclassified_rows(row, given)
            if new is not None:
                writes.append(new)
        read += len(rows)
        changed += len(writes)
        if not dry_run:
            store.insert(writes)
    verb = "would change" if dry_run else "changed"
    typer.echo(
        f"read {read} signal(s) labelled by the model; {verb} {changed} "
        f"(model {classifier.version})"
    )

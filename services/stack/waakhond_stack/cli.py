"""The `waakhond` command: every service, the embedded stack, and the tools around them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from waakhond_aggregator.dashboards.bench import bench_command as dashboards_bench_command
from waakhond_aggregator.dashboards.commands import generate_command, publish_command
from waakhond_classifier.model.commands import (
    bench_command,
    classify_command,
    evaluate_command,
    train_command,
)
from waakhond_contract.log_format import configure_logging
from waakhond_contract.schema_export import PUBLISHED_SCHEMAS, write_schemas
from waakhond_intake.privacy.commands import redact_command
from waakhond_stack.bench.broker import broker_bench_command
from waakhond_stack.bench.commands import pipeline_bench_command

app = typer.Typer(
    help="Waakhond: signals from client support, bundled into regional trends.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
keys_app = typer.Typer(help="Per-organisation API keys for intake.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics of the pipeline.", no_args_is_help=True)
schemas_app = typer.Typer(
    help="JSON Schema files generated from the contract.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
app.add_typer(topics_app, name="topics")
app.add_typer(schemas_app, name="schemas")
bench_app = typer.Typer(help="Benchmarks; results go to files under bench/results/.")
app.add_typer(bench_app, name="bench")
app.command("train", help="Train the classifier from the corpus (deterministic).")(train_command)
app.command("evaluate", help="Per-category scores of the classifier on a split.")(evaluate_command)
app.command("classify", help="Classify JSON Lines from stdin, one result line per input.")(
    classify_command
)
bench_app.command("classifier", help="Classifier throughput in batches.")(bench_command)
app.command("redact", help="Redact identifying details from JSON Lines on stdin.")(redact_command)
deadletter_app = typer.Typer(help="Export and replay dead letters.", no_args_is_help=True)
app.add_typer(deadletter_app, name="deadletter")
grafana_app = typer.Typer(help="Grafana dashboards as code.", no_args_is_help=True)
app.add_typer(grafana_app, name="grafana")
grafana_app.command("generate", help="Write the dashboards and map into deploy/grafana.")(
    generate_command
)
grafana_app.command("publish", help="Push data source and dashboards to a Grafana.")(
    publish_command
)
bench_app.command("dashboards", help="Dashboard panel query latency on generated data.")(
    dashboards_bench_command
)
bench_app.command("pipeline", help="Each pipeline stage against the limit of the part under it.")(
    pipeline_bench_command
)
bench_app.command("broker", help="The test broker's fetch cost against the batches it holds.")(
    broker_bench_command
)

DEFAULT_KEYS_FILE = Path(os.environ.get("WAAKHOND_INTAKE_API_KEYS_FILE", "api-keys.json"))
KeysFile = Annotated[Path, typer.Option("--keys-file", help="The API key registry file.")]


def _log_level() -> str:
    return os.environ.get("WAAKHOND_LOG_LEVEL", "INFO")


@app.command()
def intake() -> None:
    """Run the intake API (configuration from WAAKHOND_* environment variables)."""
    from waakhond_intake.main import run

    configure_logging("intake", _log_level())
    run()


@app.command()
def classifier() -> None:
    """Run the classifier worker (faust)."""
    from waakhond_classifier.app import run
    from waakhond_classifier.model.loader import load_default_classifier

    configure_logging("classifier", _log_level())
    run(load_default_classifier())


@app.command()
def aggregator() -> None:
    """Run the aggregator: Kafka -> ClickHouse, and the trends API."""
    from waakhond_aggregator.main import run

    configure_logging("aggregator", _log_level())
    run()


@app.command()
def migrate() -> None:
    """Apply ClickHouse migrations and load the region reference, then exit."""
    from waakhond_aggregator.main import migrate as apply

    configure_logging("migrate", _log_level())
    applied = apply()
    typer.echo(f"applied migrations: {applied or 'none (up to date)'}")


@topics_app.command("create")
def topics_create() -> None:
    """Create the missing topics with the configured partition count."""
    from waakhond_contract.settings import KafkaSettings, TopicSettings
    from waakhond_stack.topics import ensure_topics

    created = ensure_topics(KafkaSettings(), TopicSettings())
    typer.echo(f"created topics: {', '.join(created) or 'none (all exist)'}")


@keys_app.command("create")
def keys_create(
    organisation: Annotated[str, typer.Option("--org", help="Organisation id, e.g. mee-zuid.")],
    keys_file: KeysFile = DEFAULT_KEYS_FILE,
    label: Annotated[str, typer.Option(help="What the key is for.")] = "",
) -> None:
    """Create a key; the key is printed once and only its hash is stored."""
    from waakhond_intake.auth.keys import create_key

    entry, token = create_key(keys_file, organisation, label)
    typer.echo(f"key id: {entry.key_id}", err=True)
    typer.echo(token)


@keys_app.command("revoke")
def keys_revoke(key_id: str, keys_file: KeysFile = DEFAULT_KEYS_FILE) -> None:
    """Revoke a key; intake stops accepting it within seconds, without a restart."""
    from waakhond_intake.auth.keys import revoke_key

    try:
        entry = revoke_key(keys_file, key_id)
    except KeyError:
        typer.echo(f"no key {key_id} in {keys_file}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"revoked {entry.key_id} of {entry.organisation_id} at {entry.revoked_at}")


@keys_app.command("list")
def keys_list(keys_file: KeysFile = DEFAULT_KEYS_FILE) -> None:
    """List keys (ids, organisations, state; never secrets)."""
    from waakhond_intake.auth.keys import read_key_file

    for entry in read_key_file(keys_file).keys:
        state = f"revoked {entry.revoked_at:%Y-%m-%d}" if entry.revoked_at else "active"
        typer.echo(f"{entry.key_id}  {entry.organisation_id:<24} {state:<20} {entry.label}")


@schemas_app.command("write")
def schemas_write(
    folder: Annotated[Path, typer.Option(help="Where the schema files go.")] = Path("schemas"),
) -> None:
    """(Re)generate schemas/*.json from the contract models."""
    for path in write_schemas(folder):
        typer.echo(str(path))


@schemas_app.command("check")
def schemas_check(
    folder: Annotated[Path, typer.Option(help="Where the schema files are.")] = Path("schemas"),
) -> None:
    """Exit 1 when a schema file differs from its model."""
    stale = [
        p.filename
        for p in PUBLISHED_SCHEMAS
        if not (folder / p.filename).exists()
        or (folder / p.filename).read_text(encoding="utf-8") != p.render()
    ]
    if stale:
        typer.echo(f"out of date: {', '.join(stale)}; run `waakhond schemas write`", err=True)
        raise typer.Exit(1)
    typer.echo("schemas are up to date")


@app.command()
def stack(
    demo: Annotated[bool, typer.Option(help="Load the demo data set and print a summary.")] = True,
    signals: Annotated[int, typer.Option(help="Number of demo signals.")] = 3000,
    seed: Annotated[int, typer.Option(help="Seed of the demo generator.")] = 2025,
    data_dir: Annotated[Path, typer.Option(help="Broker logs, chDB and keys go here.")] = Path(
        "data"
    ),
    serve: Annotated[bool, typer.Option(help="Keep serving until interrupted.")] = True,
    broker_port: Annotated[int, typer.Option(help="Kafka port of the Tansu broker.")] = 9092,
    intake_port: Annotated[int, typer.Option(help="Port of the intake API.")] = 8000,
    classifier_port: Annotated[int, typer.Option(help="Health port of the classifier.")] = 8001,
    aggregator_port: Annotated[int, typer.Option(help="Port of the trends API.")] = 8002,
) -> None:
    """Run everything on this machine: Tansu broker, intake, classifier, aggregator, chDB."""
    import time

    from waakhond_stack.embedded import EmbeddedStack, StackConfig, load_demo

    configure_logging("stack", _log_level())
    embedded = EmbeddedStack(
        StackConfig(
            data_dir=data_dir,
            broker_port=broker_port,
            intake_port=intake_port,
            classifier_port=classifier_port,
            aggregator_port=aggregator_port,
        )
    )
    typer.echo(f"starting the embedded stack (logs in {embedded.data_dir / 'logs'}) ...")
    try:
        tokens = embedded.start()
        typer.echo(f"intake:     {embedded.intake_url}/docs")
        typer.echo(f"trends API: {embedded.aggregator_url}/docs")
        if demo:
            typer.echo(f"loading {signals} demo signals ...")
            report, text = load_demo(embedded, tokens, signals, seed)
            typer.echo(f"accepted {report.accepted} of {report.submitted}\n")
            typer.echo(text)
        organisation, token = next(iter(tokens.items()))
        typer.echo(f"\ndemo API key of {organisation} (valid while this stack runs):\n{token}")
        if serve:
            typer.echo("serving; press Ctrl-C to stop")
            while all(
                s.alive() for s in (embedded.intake, embedded.classifier, embedded.aggregator)
            ):
                time.sleep(1)
            typer.echo("a service stopped; see the logs", err=True)
            raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("stopping ...")
    finally:
        embedded.stop()


@app.command("demo-signals")
def demo_signals(
    count: Annotated[int, typer.Option(help="How many signals.")] = 100,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 2025,
) -> None:
    """Print generated demo signals as JSON Lines: {"organisation_id": ..., "signal": {...}}."""
    from waakhond_stack.demo import generate_signals

    for organisation_id, body in generate_signals(count, seed=seed):
        sys.stdout.write(json.dumps({"organisation_id": organisation_id, "signal": body}) + "\n")


@deadletter_app.command("export")
def deadletter_export(
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason.")] = None,
) -> None:
    """Write the dead letters as JSON Lines on stdout, originals editable under `value`."""
    from waakhond_contract.settings import KafkaSettings, TopicSettings
    from waakhond_stack.deadletters import export_letters

    for line in export_letters(KafkaSettings(), TopicSettings(), stage, reason):
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")


@deadletter_app.command("replay")
def deadletter_replay(
    input_file: Annotated[Path, typer.Option("--input", help="Fixed export lines.")],
    dry_run: Annotated[bool, typer.Option(help="Validate only, produce nothing.")] = False,
) -> None:
    """Validate each fixed line against its topic's contract and re-inject the valid ones."""
    from waakhond_contract.settings import KafkaSettings, TopicSettings
    from waakhond_stack.deadletters import replay_letters

    with input_file.open(encoding="utf-8") as lines:
        outcomes = replay_letters(lines, KafkaSettings(), TopicSettings(), dry_run)
    for outcome in outcomes:
        if outcome.error:
            typer.echo(f"line {outcome.line}: not replayed: {outcome.error}", err=True)
    replayed = sum(o.replayed for o in outcomes)
    valid = sum(o.error is None for o in outcomes)
    typer.echo(f"{valid} valid, {replayed} replayed, {len(outcomes) - valid} still invalid")
    if valid < len(outcomes):
        raise typer.Exit(1)


@bench_app.command("trends")
def bench_trends(
    signals: Annotated[
        list[int] | None, typer.Option("--signals", help="Signal counts to measure at.")
    ] = None,
    runs: Annotated[int, typer.Option(help="Timed runs per query.")] = 20,
    data_dir: Annotated[Path, typer.Option(help="A fresh chDB folder.")] = Path("data/bench-chdb"),
    output: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results/trend_query.json"
    ),
) -> None:
    """Trend query latency: over the facts, and through the disclosed view on weekly cells."""
    import shutil

    from waakhond_aggregator.bench import measure_trend_queries, write_results
    from waakhond_aggregator.storage.client import connect
    from waakhond_contract.settings import ClickHouseSettings

    shutil.rmtree(data_dir, ignore_errors=True)
    client = connect(ClickHouseSettings(dsn=f"chdb://{data_dir.resolve()}"))
    timings = measure_trend_queries(client, "bench", signals or [100_000, 1_000_000], runs)
    write_results(timings, output)
    typer.echo(f"{'signals':>10} {'fact rows':>11} {'query':<30} {'p50 ms':>8} {'p95 ms':>8}")
    for t in timings:
        typer.echo(f"{t.signals:>10} {t.fact_rows:>11} {t.query:<30} {t.p50_ms:>8} {t.p95_ms:>8}")
        if t.refresh_seconds is not None:
            typer.echo(f"{'':>10} {'':>11} {'(cell refresh took)':<30} {t.refresh_seconds:>8} s")
    typer.echo(f"written to {output}")


@bench_app.command("lookup")
def bench_lookup(
    sizes: Annotated[
        list[int] | None, typer.Option("--stored", help="Stored signal counts to measure at.")
    ] = None,
    batch: Annotated[
        list[int] | None, typer.Option("--batch", help="Signal ids per lookup.")
    ] = None,
    runs: Annotated[int, typer.Option(help="Timed lookups per case, each with fresh ids.")] = 5,
    data_dir: Annotated[Path, typer.Option(help="A fresh chDB folder.")] = Path(
        "data/bench-lookup"
    ),
    output: Annotated[Path, typer.Option(help="Where the JSON results go.")] = Path(
        "bench/results/lookup.json"
    ),
) -> None:
    """The aggregator's lookup of stored signals before each insert, as the store grows."""
    import shutil

    from waakhond_aggregator.lookup_bench import (
        LookupParameters,
        lookup_table,
        measure_lookups,
        write_lookup_results,
    )
    from waakhond_aggregator.storage.client import connect
    from waakhond_contract.settings import ClickHouseSettings

    defaults = LookupParameters()
    parameters = LookupParameters(
        sizes=tuple(sizes or defaults.sizes),
        batch_sizes=tuple(batch or defaults.batch_sizes),
        runs=runs,
    )
    shutil.rmtree(data_dir, ignore_errors=True)
    client = connect(ClickHouseSettings(dsn=f"chdb://{data_dir.resolve()}"))
    timings = measure_lookups(client, "bench", parameters)
    write_lookup_results(timings, output)
    typer.echo(lookup_table(timings))
    typer.echo(f"written to {output}")


def main() -> None:
    app()

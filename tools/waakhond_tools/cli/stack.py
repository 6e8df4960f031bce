"""``waakhond stack``: the embedded default, everything on this machine."""

from __future__ import annotations

import datetime as dt
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

app = typer.Typer(add_completion=False)

# What systemd, Docker and CI send to stop a command, and what a closed terminal sends.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _stop_as_ctrl_c(signum: int, _frame: FrameType | None) -> None:
    """Turns a stop signal into the KeyboardInterrupt that Ctrl-C raises, so every way of
    stopping takes the same orderly path; a repeated signal must not cut that path short."""
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


@app.command()
def stack(
    demo: Annotated[bool, typer.Option(help="Load the demo data set and print a summary.")] = True,
    signals: Annotated[int, typer.Option(help="Number of demo signals.")] = 3000,
    seed: Annotated[int, typer.Option(help="Seed of the demo generator.")] = 2025,
    demo_date: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="The day the demo data is made for (default today)."
        ),
    ] = None,
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
    from waakhond_cli.common import log_level
    from waakhond_runtime.log_format import configure_logging
    from waakhond_tools.stack.embedded import (
        DemoNotSettledError,
        EmbeddedStack,
        StackConfig,
        load_demo,
    )

    configure_logging("stack", log_level())
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, _stop_as_ctrl_c)
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
            try:
                report, settled, text = load_demo(
                    embedded, tokens, signals, seed, today=demo_date.date() if demo_date else None
                )
            except DemoNotSettledError as error:
                typer.echo(str(error), err=True)
                raise typer.Exit(1) from None
            typer.echo(f"accepted {report.accepted} of {report.submitted}")
            if settled.dead_lettered:
                reasons = ", ".join(f"{n} {r}" for r, n in sorted(settled.dead_lettered.items()))
                typer.echo(
                    f"not counted: {reasons}; see the logs in {data_dir / 'logs'} and "
                    "docs/runbook.md (dead letters)."
                )
            typer.echo("")
            typer.echo(text)
        organisation, token = next(iter(tokens.items()))
        typer.echo(f"\ndemo API key of {organisation} (valid while this stack runs):\n{token}")
        assert embedded.demo_reviewer is not None  # set by start()
        username, password = embedded.demo_reviewer
        typer.echo(
            f"\nreview page: {embedded.review_url}\n"
            f"  sign in as {username} (coordinator), password {password} "
            "(valid while this stack runs)"
        )
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

"""``waakhond signals``: an operator's actions on one organisation's signal.

``erase`` serves a request under the AVG's right to erasure that an organisation forwards:
the same withdrawal as the organisation's own ``DELETE /v1/signals/{signal_id}``, published
on ``signals.withdrawn`` with ``requested_by = operator``. It first checks that the signal
is that organisation's, and then waits until the aggregator reports it withdrawn: out of
every count, its text erased (services/intake/PRIVACY.md, "Withdrawal and the right to
erasure").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from waakhond_cli.common import STACK_STATUS_TOKEN_FILE

if TYPE_CHECKING:
    from waakhond_runtime.settings import KafkaSettings

app = typer.Typer(help="An operator's actions on an organisation's signals.", no_args_is_help=True)

# The name of the variable, not a token.
TOKEN_VARIABLE = "WAAKHOND_AGGREGATOR_STATUS_TOKEN"  # noqa: S105


@app.callback()
def signals() -> None:
    """An operator's actions on an organisation's signals."""


def _token(data_dir: Path | None) -> str:
    if data_dir is not None:
        path = data_dir / STACK_STATUS_TOKEN_FILE
        if not path.is_file():
            raise typer.BadParameter(
                f"{path} does not exist: is this the stack's --data-dir, and has it run?",
                param_hint="--data-dir",
            )
        return path.read_text(encoding="utf-8").strip()
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise typer.BadParameter(
            f"set {TOKEN_VARIABLE} (the aggregator's), or give the stack's --data-dir",
            param_hint="--data-dir",
        )
    return token


@app.command("erase")
def erase(
    organisation: Annotated[
        str, typer.Option(help="The organisation the signal came from (its id).")
    ],
    client_ref: Annotated[
        str | None, typer.Option(help="The organisation's own reference of the signal.")
    ] = None,
    signal_id: Annotated[
        str | None, typer.Option(help="The signal's id, when the reference is not at hand.")
    ] = None,
    aggregator_url: Annotated[
        str, typer.Option(help="Where the aggregator serves signal statuses.")
    ] = "http://127.0.0.1:8002",
    data_dir: Annotated[
        Path | None,
        typer.Option(help="The embedded stack's --data-dir: read its status token there."),
    ] = None,
    wait_seconds: Annotated[
        float, typer.Option(min=0, help="How long to wait for the aggregator to apply it.")
    ] = 60.0,
) -> None:
    """Withdraw a signal for the right to erasure: out of every count, its text erased."""
    from waakhond_contract.identity import derive_signal_id
    from waakhond_contract.messages import SignalState, SignalWithdrawn, WithdrawalRequester
    from waakhond_intake.status.client import SignalStatusClient, StatusUnavailableError
    from waakhond_runtime.codec import encode
    from waakhond_runtime.settings import KafkaSettings, TopicSettings

    if (client_ref is None) == (signal_id is None):
        raise typer.BadParameter(
            "give either --client-ref or --signal-id", param_hint="--client-ref"
        )
    if signal_id is not None:
        try:
            target = uuid.UUID(signal_id)
        except ValueError:
            raise typer.BadParameter("not a signal id (a UUID)", param_hint="--signal-id") from None
    else:
        assert client_ref is not None
        target = derive_signal_id(organisation, client_ref)
    try:
        statuses = SignalStatusClient(aggregator_url, _token(data_dir), timeout_seconds=10)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--aggregator-url") from None

    def read_status() -> SignalState | None:
        try:
            found = asyncio.run(statuses.status(organisation, target))
        except StatusUnavailableError as error:
            typer.echo(f"the aggregator at {aggregator_url} did not answer: {error}", err=True)
            raise typer.Exit(1) from None
        return None if found is None else found.status

    before = read_status()
    if before is None:
        typer.echo(f"no signal {target} of organisation {organisation!r}", err=True)
        raise typer.Exit(1)
    if before is SignalState.WITHDRAWN:
        typer.echo(f"signal {target} is withdrawn already: out of every count, text erased")
        return
    withdrawal = SignalWithdrawn(
        withdrawal_id=uuid.uuid4(),
        signal_id=target,
        organisation_id=organisation,
        requested_by=WithdrawalRequester.OPERATOR,
        withdrawn_at=dt.datetime.now(dt.UTC),
    )
    _publish(KafkaSettings(), TopicSettings().withdrawn, target, encode(withdrawal))
    typer.echo(f"withdrawal {withdrawal.withdrawal_id} of signal {target} published")
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if read_status() is SignalState.WITHDRAWN:
            typer.echo(f"signal {target} is withdrawn: out of every count, text erased")
            return
        time.sleep(0.5)
    typer.echo(
        f"the aggregator has not applied the withdrawal within {wait_seconds:g} s; it will "
        "when it catches up. Check again with the same command.",
        err=True,
    )
    raise typer.Exit(1)


def _publish(kafka: KafkaSettings, topic: str, key: uuid.UUID, value: bytes) -> None:
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    try:
        producer = KafkaProducer(
            bootstrap_servers=kafka.bootstrap_list, acks="all", bootstrap_timeout_ms=10_000
        )
    except KafkaError as error:
        typer.echo(f"Kafka at {kafka.bootstrap_servers} is not reachable: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        producer.send(topic, key=str(key).encode(), value=value).get(timeout=30)
    except KafkaError as error:
        typer.echo(f"the withdrawal was not acknowledged: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        producer.close(timeout=5)

"""The ``waakhond`` command: a registry of command groups, each in its own module.

A group's module is imported only when that command runs (or its own ``--help`` is
asked for): ``waakhond intake`` loads intake and nothing of the classifier, the
tooling or their libraries. The run-time commands live in ``waakhond_cli.commands``;
the tooling's commands in ``waakhond_tools.cli``, which is present only where the
development set is installed (never in an image).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any

import typer

# typer carries its own copy of click; its group API is typed with that copy's classes.
from typer._click import Command, Context, HelpFormatter
from typer.core import TyperGroup


@dataclass(frozen=True, slots=True)
class CommandEntry:
    """Where a command lives, and its one-line help for ``waakhond --help``."""

    module: str
    help: str
    tool: bool = False


_RUNTIME = "waakhond_cli.commands"
_TOOLS = "waakhond_tools.cli"

COMMANDS: dict[str, CommandEntry] = {
    "intake": CommandEntry(f"{_RUNTIME}.intake", "Run the intake API."),
    "classifier": CommandEntry(f"{_RUNTIME}.classifier", "Run the classifier worker (faust)."),
    "aggregator": CommandEntry(
        f"{_RUNTIME}.aggregator", "Run the aggregator: Kafka -> ClickHouse, and the trends API."
    ),
    "migrate": CommandEntry(
        f"{_RUNTIME}.migrate", "Apply ClickHouse migrations and load the region reference."
    ),
    "topics": CommandEntry(f"{_RUNTIME}.topics", "Kafka topics of the pipeline."),
    "keys": CommandEntry(f"{_RUNTIME}.keys", "Per-organisation API keys for intake."),
    "reviewers": CommandEntry(f"{_RUNTIME}.reviewers", "Local accounts of the review page."),
    "reviews": CommandEntry(
        f"{_RUNTIME}.reviews", "Export people's decisions on the review page, for training."
    ),
    "read-keys": CommandEntry(
        f"{_RUNTIME}.read_keys", "Read keys per audience for the trends API."
    ),
    "import": CommandEntry(
        f"{_RUNTIME}.import_signals", "Import signals from a CSV or XLSX file (per-row report)."
    ),
    "signals": CommandEntry(
        f"{_RUNTIME}.signals", "Erase a signal for the right to erasure (an operator's withdrawal)."
    ),
    "reclassify": CommandEntry(
        f"{_RUNTIME}.reclassify", "Run the current model again on stored, unreviewed signals."
    ),
    "classify": CommandEntry(
        f"{_RUNTIME}.classify", "Classify JSON Lines from stdin, one result line per input."
    ),
    "redact": CommandEntry(
        f"{_RUNTIME}.redact", "Redact identifying details from JSON Lines on stdin."
    ),
    "report": CommandEntry(
        f"{_RUNTIME}.report", "The signal report of a period for a region, as PDF or HTML."
    ),
    "digest": CommandEntry(
        f"{_RUNTIME}.digest", "Mail subscribers the new significant rises of a week (weekly)."
    ),
    "stack": CommandEntry(
        f"{_TOOLS}.stack",
        "Run everything on this machine: broker, intake, classifier, aggregator, chDB.",
        tool=True,
    ),
    "demo-signals": CommandEntry(
        f"{_TOOLS}.demo_signals", "Print generated demo signals as JSON Lines.", tool=True
    ),
    "train": CommandEntry(
        f"{_TOOLS}.train", "Train the classifier from the corpus (deterministic).", tool=True
    ),
    "evaluate": CommandEntry(
        f"{_TOOLS}.evaluate", "Per-category scores of the classifier on a split.", tool=True
    ),
    "bench": CommandEntry(
        f"{_TOOLS}.bench", "Benchmarks; results go to files under bench/results/.", tool=True
    ),
    "grafana": CommandEntry(f"{_TOOLS}.grafana", "Grafana dashboards as code.", tool=True),
    "schemas": CommandEntry(
        f"{_TOOLS}.schemas", "JSON Schema files generated from the contract.", tool=True
    ),
    "deadletter": CommandEntry(
        f"{_TOOLS}.deadletter", "Export and replay dead letters.", tool=True
    ),
    "export": CommandEntry(
        f"{_TOOLS}.export",
        "Open data: disclosed counts as CSV, Parquet and a Data Package.",
        tool=True,
    ),
}


def tools_installed() -> bool:
    return importlib.util.find_spec("waakhond_tools") is not None


def _missing_tools(name: str) -> Command:
    """A stand-in that says where a tooling command is, where the tooling is not installed."""
    stand_in = typer.Typer(add_completion=False)

    @stand_in.command(
        name,
        help=COMMANDS[name].help,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
    def explain() -> None:
        typer.echo(
            f"`waakhond {name}` is part of the development tools (waakhond_tools, tools/ in "
            "the repository), which this installation does not have; run it from a checkout "
            "after `make venv`.",
            err=True,
        )
        raise typer.Exit(2)

    return typer.main.get_command(stand_in)


class LazyGroup(TyperGroup):
    """Imports a command's module when the command is looked up, not before."""

    def list_commands(self, ctx: Context) -> list[str]:  # noqa: ARG002 (click's signature)
        tools = tools_installed()
        return [name for name, entry in COMMANDS.items() if tools or not entry.tool]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:  # noqa: ARG002
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if entry.tool and not tools_installed():
            return _missing_tools(cmd_name)
        module = importlib.import_module(entry.module)
        command = typer.main.get_command(module.app)
        command.name = cmd_name
        return command

    def invoke(self, ctx: Context) -> Any:
        """Runs the command; a user's mistake ends in a message and an exit code
        (``waakhond_cli.errors``), never a traceback."""
        try:
            return super().invoke(ctx)
        except Exception as error:
            from waakhond_cli.errors import explain, show_tracebacks

            explained = explain(error)
            if explained is None or show_tracebacks():
                raise
            command = ctx.invoked_subcommand or ctx.info_name or "waakhond"
            typer.echo(f"waakhond {command}: {explained.message}", err=True)
            raise typer.Exit(explained.exit_code) from None

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        # The registry's help, so that `waakhond --help` imports no command module.
        rows = [(name, COMMANDS[name].help) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=LazyGroup,
    help="Waakhond: signals from client support, bundled into regional trends.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain help, so that ``format_commands`` above lists the registry without imports.
    rich_markup_mode=None,
)


@app.callback()
def waakhond() -> None:
    """Waakhond: signals from client support, bundled into regional trends."""


def main() -> None:
    app()

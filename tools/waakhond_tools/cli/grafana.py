"""``waakhond grafana generate`` and ``waakhond grafana publish``: dashboards as code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from grafana_client.client import GrafanaException

from waakhond_tools.dashboards.build import GRAFANA_DIR, stale_files, write_all
from waakhond_tools.dashboards.publish import (
    ClickHouseSource,
    GrafanaTarget,
    connect,
    publish,
)

app = typer.Typer(help="Grafana dashboards as code.", no_args_is_help=True)


@app.command("generate")
def generate_command(
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output-dir",
            help="The Grafana deploy folder: dashboards/<audience>/*.json and maps/ go here.",
        ),
    ] = GRAFANA_DIR,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 when a generated file is missing or stale."
        ),
    ] = False,
) -> None:
    """Generate the dashboards (national, association, regional, operations) and the region map."""
    if check:
        stale = stale_files(output_dir)
        for path in stale:
            typer.echo(f"stale: {path}", err=True)
        if stale:
            typer.echo("run `waakhond grafana generate` and commit the result", err=True)
            raise typer.Exit(1)
        typer.echo("dashboards are up to date")
        return
    changed = write_all(output_dir)
    for path in changed:
        typer.echo(f"written: {path}")
    typer.echo(f"{len(changed)} file(s) changed")


@app.command("publish")
def publish_command(
    url: Annotated[
        str,
        typer.Option(
            "--url", envvar="WAAKHOND_GRAFANA_URL", help="Grafana's base URL, e.g. https://host/."
        ),
    ],
    token: Annotated[
        str,
        typer.Option(
            "--token",
            envvar="WAAKHOND_GRAFANA_TOKEN",
            help="A service account token with the Editor role (prefer the environment "
            "variable: a command line is visible to other users).",
        ),
    ],
    clickhouse_host: Annotated[
        str, typer.Option(help="ClickHouse host as Grafana reaches it.")
    ] = "clickhouse",
    clickhouse_port: Annotated[int, typer.Option(help="ClickHouse port (HTTP: 8123).")] = 8123,
    clickhouse_protocol: Annotated[str, typer.Option(help="`http` or `native`.")] = "http",
    clickhouse_secure: Annotated[bool, typer.Option(help="TLS to ClickHouse.")] = False,
    clickhouse_user: Annotated[
        str, typer.Option(help="The read-only dashboard account.")
    ] = "grafana_reader",
    clickhouse_password: Annotated[
        str | None,
        typer.Option(
            envvar="WAAKHOND_GRAFANA_CLICKHOUSE_PASSWORD",
            help="Its password; when left out, a data source that exists keeps its password.",
        ),
    ] = None,
    clickhouse_database: Annotated[str, typer.Option(help="The Waakhond database.")] = ("waakhond"),
    timeout: Annotated[float, typer.Option(help="Seconds per HTTP request.")] = 10.0,
) -> None:
    """Create or update the ClickHouse data source, one folder per audience and the
    dashboards in an existing Grafana, matched by uid (safe to run again)."""
    if clickhouse_protocol not in ("http", "native"):
        raise typer.BadParameter("use http or native", param_hint="--clickhouse-protocol")
    protocol: Literal["http", "native"] = "http" if clickhouse_protocol == "http" else "native"
    source = ClickHouseSource(
        host=clickhouse_host,
        port=clickhouse_port,
        protocol=protocol,
        secure=clickhouse_secure,
        username=clickhouse_user,
        password=clickhouse_password,
        database=clickhouse_database,
    )
    target = GrafanaTarget(url=url, token=token, timeout_seconds=timeout)
    try:
        results = publish(connect(target), source)
    except (GrafanaException, OSError) as error:
        typer.echo(f"publishing to {url} failed: {error}", err=True)
        raise typer.Exit(1) from error
    for result in results:
        typer.echo(f"{result.kind:<10} {result.uid:<28} {result.action}")
    typer.echo(
        "The map panel needs maps/zorgkantoorregio_2025_wgs84.geojson served by this "
        "Grafana under public/maps/waakhond/ (see services/aggregator/ANALYTICS.md)."
    )


@app.command("permissions")
def permissions_command(
    url: Annotated[
        str,
        typer.Option(
            "--url", envvar="WAAKHOND_GRAFANA_URL", help="Grafana's base URL, e.g. https://host/."
        ),
    ],
    token: Annotated[
        str,
        typer.Option(
            "--token",
            envvar="WAAKHOND_GRAFANA_TOKEN",
            help="A service account token with the Admin role (prefer the environment variable).",
        ),
    ],
    timeout: Annotated[float, typer.Option(help="Seconds per HTTP request.")] = 10.0,
) -> None:
    """One team per audience with read access to its folder only (safe to run again)."""
    from waakhond_tools.dashboards.permissions import apply_permissions
    from waakhond_tools.dashboards.permissions import connect as connect_permissions

    target = GrafanaTarget(url=url, token=token, timeout_seconds=timeout)
    try:
        results = apply_permissions(connect_permissions(target))
    except (GrafanaException, OSError) as error:
        typer.echo(f"setting folder permissions in {url} failed: {error}", err=True)
        raise typer.Exit(1) from error
    for result in results:
        typer.echo(f"{result.kind:<7} {result.name:<32} {result.action}")
    missing = [r.name for r in results if r.action == "missing"]
    if missing:
        typer.echo(f"folders not found (provision the dashboards first): {missing}", err=True)
        raise typer.Exit(1)

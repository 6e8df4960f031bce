"""Which ClickHouse errors the rows cause (dead-letter the row) and which waiting may fix."""

from __future__ import annotations

import pytest
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

from waakhond_aggregator.storage.errors import caused_by_rows, transient
from waakhond_runtime.settings import ClickHouseSettings


def error_of(client: Client, action: str, database: str) -> BaseException:
    client.command(f"CREATE DATABASE IF NOT EXISTS {database}")
    client.command(
        f"CREATE TABLE IF NOT EXISTS {database}.t (n UInt8, s String) ENGINE = MergeTree ORDER BY n"
    )
    try:
        if action == "none-in-string":
            client.insert(f"{database}.t", [[1, None]], column_names=["n", "s"])
        elif action == "too-large-for-uint8":
            client.insert(f"{database}.t", [[300, "x"]], column_names=["n", "s"])
        elif action == "not-a-number":
            client.insert(f"{database}.t", [["abc", "x"]], column_names=["n", "s"])
        elif action == "missing-table":
            client.insert(f"{database}.missing", [[1, "x"]], column_names=["n", "s"])
        elif action == "bad-cast":
            client.command("SELECT toUInt8('not a number')")
    except Exception as error:
        return error
    raise AssertionError(f"{action} raised nothing")


@pytest.mark.parametrize(
    ("action", "rows"),
    [
        pytest.param("none-in-string", True, id="value-a-column-cannot-take"),
        pytest.param("too-large-for-uint8", True, id="number-out-of-range"),
        pytest.param("not-a-number", True, id="wrong-type"),
        pytest.param("bad-cast", True, id="server-cannot-parse"),
        pytest.param("missing-table", False, id="missing-table-is-no-row-s-fault"),
    ],
)
def test_real_errors_are_told_apart(
    clickhouse_client: Client, clickhouse_settings: ClickHouseSettings, action: str, rows: bool
) -> None:
    error = error_of(clickhouse_client, action, clickhouse_settings.database)
    assert caused_by_rows(error) is rows, repr(error)
    assert transient(error) is not rows


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(ConnectionError("refused"), id="connection"),
        pytest.param(TimeoutError("slow"), id="timeout"),
        pytest.param(OperationalError("HTTP driver received a bad response"), id="driver"),
        pytest.param(DatabaseError("Code: 241. Memory limit exceeded"), id="memory"),
        pytest.param(DatabaseError("Code: 516. Authentication failed"), id="login"),
        pytest.param(DatabaseError("an error without a code"), id="no-code"),
    ],
)
def test_errors_of_the_connection_or_the_server_are_retried(error: BaseException) -> None:
    assert transient(error)

"""Read keys on the trends API: open without a keys file, 401 problems without a valid key
when one is configured, and the `waakhond read-keys` command that writes the file."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import waakhond_cli.main as cli
from waakhond_aggregator.api.auth import (
    Audience,
    ReadKeyRegistry,
    create_read_key,
    revoke_read_key,
)
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_runtime.problems import PROBLEM_MEDIA_TYPE, problem_type
from waakhond_runtime.settings import ClickHouseSettings

runner = CliRunner()
V1_PATHS = [
    "/v1/trends",
    "/v1/alerts",
    "/v1/trends/monthly",
]
OPEN_PATHS = ["/healthz", "/metrics"]


def _app(client: Client, chdb_path: Path, database: str) -> TestClient:
    settings = ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=database)
    return TestClient(create_app(AggregatorSettings(consume=False), settings, client=client))


@pytest.fixture(scope="module")
def keyed_api(
    clickhouse_client: Client, chdb_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Path]]:
    keys = tmp_path_factory.mktemp("read-keys") / "read-keys.json"
    database = f"t_{uuid.uuid4().hex[:10]}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAAKHOND_AGGREGATOR_READ_KEYS_FILE", str(keys))
        app = _app(clickhouse_client, chdb_path, database)
    with app as client:
        yield client, keys
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


def _assert_unauthorized(response_status: int, headers: dict[str, str], body: str) -> None:
    assert response_status == 401
    assert headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert headers["www-authenticate"] == "Bearer"
    problem = json.loads(body)
    assert problem["type"] == problem_type("unauthorized")
    assert "wr.<id>.<secret>" in problem["title"]


@pytest.mark.parametrize("path", V1_PATHS)
def test_without_a_key_the_v1_routes_answer_401(
    keyed_api: tuple[TestClient, Path], path: str
) -> None:
    client, _ = keyed_api
    response = client.get(path)
    _assert_unauthorized(response.status_code, dict(response.headers), response.text)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("wr.0123456789abcdef." + "A" * 43, id="unknown-key"),
        pytest.param("wk.0123456789abcdef." + "A" * 43, id="intake-key-shape"),
        pytest.param("not-a-key", id="garbage"),
    ],
)
def test_a_wrong_key_answers_401(keyed_api: tuple[TestClient, Path], token: str) -> None:
    client, _ = keyed_api
    response = client.get("/v1/trends", headers={"Authorization": f"Bearer {token}"})
    _assert_unauthorized(response.status_code, dict(response.headers), response.text)


def test_a_valid_key_reads_and_a_revoked_key_no_longer_does(
    keyed_api: tuple[TestClient, Path],
) -> None:
    client, keys = keyed_api
    entry, token = create_read_key(keys, Audience.REGIONAL, "coördinator Noord")
    # The registry re-reads a changed file every few seconds; a fresh one sees it now.
    client.app.state.read_keys = ReadKeyRegistry(keys, recheck_seconds=0)  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {token}"}
    for path in V1_PATHS:
        assert client.get(path, headers=headers).status_code == 200, path
    revoke_read_key(keys, entry.key_id)
    response = client.get("/v1/trends", headers=headers)
    _assert_unauthorized(response.status_code, dict(response.headers), response.text)


@pytest.mark.parametrize("path", OPEN_PATHS)
def test_health_and_metrics_stay_open(keyed_api: tuple[TestClient, Path], path: str) -> None:
    client, _ = keyed_api
    assert client.get(path).status_code == 200


def test_every_v1_route_asks_for_a_key(keyed_api: tuple[TestClient, Path]) -> None:
    client, _ = keyed_api
    document = client.get("/openapi.json").json()
    paths = sorted(p.replace("{period}", "2025") for p in document["paths"] if p.startswith("/v1/"))
    assert "/v1/trends" in paths
    assert "/v1/reports/2025" in paths
    for path in paths:
        assert client.get(path).status_code == 401, path
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_auth_is_checked_before_parameters(keyed_api: tuple[TestClient, Path]) -> None:
    client, _ = keyed_api
    # An unauthenticated caller learns nothing about which parameters exist.
    assert client.get("/v1/trends", params={"nonsense": "1"}).status_code == 401


def test_without_a_keys_file_the_api_stays_open(
    clickhouse_client: Client, chdb_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WAAKHOND_AGGREGATOR_READ_KEYS_FILE", raising=False)
    database = f"t_{uuid.uuid4().hex[:10]}"
    try:
        with _app(clickhouse_client, chdb_path, database) as client:
            assert client.get("/v1/trends").status_code == 200
    finally:
        clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


def test_stored_file_holds_hashes_only(tmp_path: Path) -> None:
    keys = tmp_path / "read-keys.json"
    entry, token = create_read_key(keys, Audience.NATIONAL)
    stored = keys.read_text(encoding="utf-8")
    secret = token.split(".")[2]
    assert secret not in stored
    assert json.loads(stored)["keys"][0]["audience"] == "national"
    assert keys.stat().st_mode & 0o077 == 0
    reader = ReadKeyRegistry(keys, recheck_seconds=0).authenticate(token)
    assert reader is not None
    assert (reader.audience, reader.key_id) == (Audience.NATIONAL, entry.key_id)


# --- waakhond read-keys -------------------------------------------------------------------


@pytest.mark.parametrize("audience", [a.value for a in Audience])
def test_read_keys_command_creates_lists_and_revokes(tmp_path: Path, audience: str) -> None:
    keys = tmp_path / "read-keys.json"
    created = runner.invoke(
        cli.app, ["read-keys", "create", "--audience", audience, "--keys-file", str(keys)]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    reader = ReadKeyRegistry(keys, recheck_seconds=0).authenticate(token)
    assert reader is not None
    assert reader.audience == audience
    listed = runner.invoke(cli.app, ["read-keys", "list", "--keys-file", str(keys)])
    assert reader.key_id in listed.stdout
    assert token.split(".")[2] not in listed.stdout
    revoked = runner.invoke(
        cli.app, ["read-keys", "revoke", reader.key_id, "--keys-file", str(keys)]
    )
    assert revoked.exit_code == 0, revoked.output
    assert ReadKeyRegistry(keys, recheck_seconds=0).authenticate(token) is None


def test_read_keys_command_defaults_to_the_file_the_aggregator_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "etc" / "read-keys.json"
    monkeypatch.setenv("WAAKHOND_AGGREGATOR_READ_KEYS_FILE", str(keys))
    created = runner.invoke(cli.app, ["read-keys", "create", "--audience", "national"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert ReadKeyRegistry(keys, recheck_seconds=0).authenticate(token) is not None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ["create", "--audience", "pers", "--keys-file", "{keys}"],
            "onbekende doelgroep",
            id="unknown-audience",
        ),
        pytest.param(["create", "--audience", "national"], "geen sleutelbestand", id="no-file"),
        pytest.param(["revoke", "f" * 16, "--keys-file", "{keys}"], "geen sleutel", id="no-key"),
    ],
)
def test_read_keys_command_mistakes_end_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], message: str
) -> None:
    monkeypatch.delenv("WAAKHOND_AGGREGATOR_READ_KEYS_FILE", raising=False)
    keys = str(tmp_path / "read-keys.json")
    result = runner.invoke(cli.app, ["read-keys", *[a.format(keys=keys) for a in arguments]])
    assert result.exit_code != 0
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_without_a_keys_file_the_openapi_document_asks_for_no_key(
    clickhouse_client: Client, chdb_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WAAKHOND_AGGREGATOR_READ_KEYS_FILE", raising=False)
    database = f"t_{uuid.uuid4().hex[:10]}"
    try:
        with _app(clickhouse_client, chdb_path, database) as client:
            document = client.get("/openapi.json").json()
    finally:
        clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")
    assert "securitySchemes" not in document.get("components", {})
    assert not [
        path
        for path, operations in document["paths"].items()
        if any("security" in operation for operation in operations.values())
    ]

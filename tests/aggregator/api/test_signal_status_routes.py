"""The internal status routes intake reads: only with the shared bearer token, only the
organisation's own signals, a page at a time; unavailable (503) while no token is set."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.aggregator.storage.test_status import ORG, T1, accepted, counted, message
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_contract.messages import SignalState, SignalStatus, SignalStatusPage
from waakhond_contract.vocabularies import Category
from waakhond_runtime.settings import ClickHouseSettings

TOKEN = "intake-status-token-0123456789"
OTHER_ORG = "mee-zuid"
SIGNALS = 12


@dataclass(frozen=True)
class StatusApi:
    client: TestClient
    counted: list[uuid.UUID]  # ORG's signals, counted
    waiting: uuid.UUID  # ORG's signal, accepted only
    others: uuid.UUID  # OTHER_ORG's signal, counted


def path(organisation_id: str, signal_id: uuid.UUID | None = None) -> str:
    base = f"/internal/v1/organisations/{organisation_id}/signals"
    return base if signal_id is None else f"{base}/{signal_id}"


AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def api(clickhouse_client: Client, chdb_path: Path) -> Iterator[StatusApi]:
    database = f"t_{uuid.uuid4().hex[:10]}"
    settings = ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=database)
    app = create_app(
        AggregatorSettings(consume=False, status_token=SecretStr(TOKEN)),
        settings,
        client=clickhouse_client,
    )
    sink = TrendStore(clickhouse_client, database)
    ids = []
    for index in range(SIGNALS):
        signal = message(uuid.uuid4(), T1 + dt.timedelta(minutes=index), [Category.POLICY_GAP])
        accepted(sink, signal)
        counted(sink, signal)
        ids.append(signal.signal_id)
    waiting = message(uuid.uuid4(), T1, [Category.MISSED_RIGHTS])
    accepted(sink, waiting)
    others = message(uuid.uuid4(), T1, [Category.POLICY_GAP], organisation_id=OTHER_ORG)
    accepted(sink, others)
    counted(sink, others)
    with TestClient(app) as client:
        yield StatusApi(client, ids, waiting.signal_id, others.signal_id)
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer wrong-token"}, id="wrong-token"),
        pytest.param({"Authorization": f"Bearer {TOKEN}x"}, id="token-with-a-suffix"),
        pytest.param({"Authorization": f"Basic {TOKEN}"}, id="not-a-bearer"),
    ],
)
@pytest.mark.parametrize("listing", [False, True], ids=["one-signal", "list"])
def test_only_intakes_token_is_let_in(
    headers: dict[str, str], listing: bool, api: StatusApi
) -> None:
    response = api.client.get(path(ORG, None if listing else api.counted[0]), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert str(api.counted[0]) not in response.text


def test_an_organisation_reads_its_own_signal(api: StatusApi) -> None:
    response = api.client.get(path(ORG, api.counted[0]), headers=AUTH)
    assert response.status_code == 200
    status = SignalStatus.model_validate(response.json())
    assert (status.signal_id, status.status, status.version, status.labels) == (
        api.counted[0],
        SignalState.COUNTED,
        1,
        [Category.POLICY_GAP],
    )
    assert status.signal is not None
    waiting = SignalStatus.model_validate(
        api.client.get(path(ORG, api.waiting), headers=AUTH).json()
    )
    assert (waiting.status, waiting.signal) == (SignalState.ACCEPTED, None)


@pytest.mark.parametrize(
    ("organisation_id", "signal"),
    [
        pytest.param(ORG, "others", id="another-organisations-signal"),
        pytest.param(OTHER_ORG, "own", id="asked-as-another-organisation"),
        pytest.param(ORG, "unknown", id="no-such-signal"),
    ],
)
def test_a_signal_of_another_organisation_is_not_found(
    organisation_id: str, signal: str, api: StatusApi
) -> None:
    signal_id = {"others": api.others, "own": api.counted[0], "unknown": uuid.uuid4()}[signal]
    response = api.client.get(path(organisation_id, signal_id), headers=AUTH)
    assert response.status_code == 404
    # The same answer as for a signal that does not exist: nothing of the signal shows.
    body = response.json()
    assert (body["status"], body["title"]) == (404, f"No signal {signal_id} of this organisation.")
    assert set(body) == {"type", "title", "status"}


def test_the_list_pages_through_the_organisations_signals_only(api: StatusApi) -> None:
    seen: list[uuid.UUID] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 5}
        if cursor is not None:
            params["after"] = cursor
        response = api.client.get(path(ORG), headers=AUTH, params=params)
        assert response.status_code == 200
        page = SignalStatusPage.model_validate(response.json())
        assert len(page.items) <= 5
        seen.extend(item.signal_id for item in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 3  # 13 signals, 5 a page
    assert sorted(seen) == sorted([*api.counted, api.waiting])
    assert len(set(seen)) == len(seen)


def test_the_list_filters_on_status_and_since(api: StatusApi) -> None:
    response = api.client.get(path(ORG), headers=AUTH, params={"status": "accepted", "limit": 100})
    page = SignalStatusPage.model_validate(response.json())
    assert [item.signal_id for item in page.items] == [api.waiting]
    assert page.next_cursor is None
    since = (T1 + dt.timedelta(minutes=SIGNALS - 2)).isoformat()
    recent = SignalStatusPage.model_validate(
        api.client.get(path(ORG), headers=AUTH, params={"since": since}).json()
    )
    assert sorted(item.signal_id for item in recent.items) == sorted(api.counted[-2:])


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"limit": 0}, id="limit-0"),
        pytest.param({"limit": 1001}, id="limit-above-the-maximum"),
        pytest.param({"since": "2026-10-05T09:00:00"}, id="since-without-a-zone"),
        pytest.param({"status": "lost"}, id="unknown-status"),
        pytest.param({"after": "not-a-uuid"}, id="cursor-not-a-uuid"),
    ],
)
def test_a_malformed_query_is_refused(params: dict[str, str | int], api: StatusApi) -> None:
    assert api.client.get(path(ORG), headers=AUTH, params=params).status_code == 422


def test_without_a_token_configured_the_routes_answer_unavailable(
    clickhouse_client: Client, chdb_path: Path
) -> None:
    database = f"t_{uuid.uuid4().hex[:10]}"
    settings = ClickHouseSettings(dsn=f"chdb://{chdb_path}", database=database)
    app = create_app(AggregatorSettings(consume=False), settings, client=clickhouse_client)
    try:
        with TestClient(app) as client:
            # Unavailable, not "no such signal": intake reports the missing token as such.
            for route in (path(ORG), path(ORG, uuid.uuid4())):
                for headers in ({}, AUTH):
                    assert client.get(route, headers=headers).status_code == 503
    finally:
        clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")

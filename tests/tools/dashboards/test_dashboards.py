"""Dashboards as code: committed JSON equals the generator, every panel's SQL runs on chDB
and reads suppressed views only, and publishing to Grafana is idempotent.

No Grafana server can run here, so publishing is tested against ``FakeGrafana``: a
small HTTP server in this file that implements the few endpoints of Grafana's HTTP
API that publishing uses, with Grafana's semantics (uids, 404s, versions,
``overwrite``), and records every request.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import typer
from clickhouse_connect.driver.client import Client
from typer.testing import CliRunner

from tests.aggregator.storage.test_analytics_views import DEFAULT, seed_analytics
from waakhond_tools.cli.grafana import generate_command, publish_command
from waakhond_tools.dashboards import build
from waakhond_tools.dashboards.build import GeneratedDashboard, generate
from waakhond_tools.dashboards.labels import CATEGORY_LABELS_WITH_ALL
from waakhond_tools.dashboards.macros import MacroError, QueryContext, expand
from waakhond_tools.dashboards.panels import DATASOURCE_TYPE, DATASOURCE_UID, PanelQuery
from waakhond_tools.dashboards.publish import (
    FOLDERS,
    ClickHouseSource,
    GrafanaTarget,
    connect,
    publish,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"
RANGE = (
    dt.datetime(2024, 12, 2, tzinfo=dt.UTC),
    dt.datetime(2025, 3, 30, 23, 59, 59, tzinfo=dt.UTC),
)
VARIABLE_SETS = [
    pytest.param({"categorie": "all", "niveau": "zorgkantoorregio", "regio": "ZK02"}, id="zk02"),
    pytest.param(
        {"categorie": "no_suitable_care", "niveau": "municipality", "regio": "GM0363"},
        id="amsterdam-no-suitable-care",
    ),
]
GENERATED = generate()


def panels(generated: GeneratedDashboard) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = generated.model_dict()["panels"]
    return found


def data_panels() -> list[tuple[GeneratedDashboard, dict[str, Any]]]:
    return [(g, p) for g in GENERATED for p in panels(g) if p["type"] != "text"]


def panel_id(case: tuple[GeneratedDashboard, dict[str, Any]]) -> str:
    return f"{case[0].audience}-{case[1]['id']}"


# --- the committed files ---------------------------------------------------------------


def test_committed_files_are_what_the_generator_writes() -> None:
    assert build.stale_files(GRAFANA_DIR) == [], "run `waakhond grafana generate`"


def test_one_dashboard_per_audience_folder() -> None:
    found = sorted(
        p.relative_to(GRAFANA_DIR / "dashboards")
        for p in GRAFANA_DIR.glob("dashboards/*/*.json")
        if p.parent.name != "operations"
    )
    assert found == [
        Path("association/waakhond-verenigingen.json"),
        Path("national/waakhond-landelijk.json"),
        Path("regional/waakhond-regionaal.json"),
    ]


def test_generation_is_deterministic() -> None:
    assert [g.to_json() for g in generate()] == [g.to_json() for g in GENERATED]


def test_map_is_the_reference_with_region_codes_as_feature_ids() -> None:
    reference = json.loads(
        resources.files("waakhond_contract")
        .joinpath("reference", "geo", build.CARE_OFFICE_MAP)
        .read_text(encoding="utf-8")
    )
    served = json.loads((GRAFANA_DIR / "maps" / build.CARE_OFFICE_MAP).read_text("utf-8"))
    assert len(served["features"]) == len(reference["features"]) == 31
    for ours, theirs in zip(served["features"], reference["features"], strict=True):
        assert ours["id"] == theirs["properties"]["statcode"]
        assert ours["geometry"] == theirs["geometry"]


# --- structure ------------------------------------------------------------------------------


@pytest.mark.parametrize("generated", GENERATED, ids=lambda g: g.audience)
def test_layout_has_unique_ids_and_no_overlap(generated: GeneratedDashboard) -> None:
    found = panels(generated)
    assert [p["id"] for p in found] == list(range(1, len(found) + 1))
    cells: set[tuple[int, int]] = set()
    for panel in found:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        covered = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not covered & cells, panel["title"]
        cells |= covered


@pytest.mark.parametrize("case", data_panels(), ids=panel_id)
def test_every_data_panel_queries_clickhouse_with_plugin_fields(
    case: tuple[GeneratedDashboard, dict[str, Any]],
) -> None:
    generated, panel = case
    (target,) = panel["targets"]
    assert panel["datasource"] == {"type": DATASOURCE_TYPE, "uid": DATASOURCE_UID}
    assert target["datasource"] == panel["datasource"]
    assert target["editorType"] == "sql"
    assert (target["queryType"], target["format"]) in {("timeseries", 0), ("table", 1)}
    assert tuple(int(part) for part in target["pluginVersion"].split(".")) >= (4, 0, 0)
    query = generated.panel_queries[panel["id"]]
    assert target["rawSql"] == query.sql
    assert (target["queryType"] == "timeseries") is query.time_series
    assert panel["title"]
    assert panel["description"]


def objects_read(sql: str) -> list[str]:
    """Every table or view after FROM or JOIN; subqueries are followed into."""
    text = re.sub(r"'(?:[^'\\]|\\.)*'", "''", sql)
    text = re.sub(r'"[^"]*"', '""', text)
    keywords = re.findall(r"\b(?:FROM|JOIN)\b", text, flags=re.IGNORECASE)
    names = re.findall(r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)", text, flags=re.IGNORECASE)
    subqueries = re.findall(r"\b(?:FROM|JOIN)\s*\(", text, flags=re.IGNORECASE)
    assert len(keywords) == len(names) + len(subqueries), sql
    return names


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("SELECT 1 FROM waakhond.suppressed_a", ["waakhond.suppressed_a"], id="one"),
        pytest.param(
            "SELECT * FROM (SELECT x FROM db.t) AS s JOIN db.u ON 1",
            ["db.t", "db.u"],
            id="subquery-and-join",
        ),
        pytest.param(
            "SELECT * FROM db.v(as_of = toDate('x FROM y')) LEFT JOIN\n  db.n AS n ON 1",
            ["db.v", "db.n"],
            id="parameterized-and-string",
        ),
    ],
)
def test_objects_read_parser(sql: str, expected: list[str]) -> None:
    assert objects_read(sql) == expected


def all_queries() -> list[tuple[str, str]]:
    found = [
        (panel_id((g, {"id": pid})), q.sql) for g in GENERATED for pid, q in g.panel_queries.items()
    ]
    found += [
        (f"{g.audience}-var-{name}", q.sql)
        for g in GENERATED
        for name, q in g.variable_queries.items()
    ]
    return found


@pytest.mark.parametrize(("name", "sql"), all_queries(), ids=[n for n, _ in all_queries()])
def test_panels_read_suppressed_views_only(name: str, sql: str) -> None:
    read = objects_read(sql)
    assert read
    assert all(re.fullmatch(r"waakhond\.suppressed_\w+", obj) for obj in read), read


# --- variables and time range -------------------------------------------------------------


@pytest.mark.parametrize("generated", GENERATED, ids=lambda g: g.audience)
def test_time_range_drives_every_data_panel(generated: GeneratedDashboard) -> None:
    model = generated.model_dict()
    assert model["time"] == {"from": "now-1y", "to": "now"}
    assert model["timezone"] == "utc"
    for panel_query in generated.panel_queries.values():
        assert "$__fromTime" in panel_query.sql or "$__toTime" in panel_query.sql


def variables(generated: GeneratedDashboard) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in generated.model_dict()["templating"]["list"]}


def test_category_variable_offers_all_and_every_category() -> None:
    for generated in GENERATED[:2]:
        variable = variables(generated)["categorie"]
        options = [o.split(" : ") for o in variable["query"].split(", ")]
        assert {value: label for label, value in options} == CATEGORY_LABELS_WITH_ALL
        assert variable["current"]["value"] == "all"
        uses = [q for q in generated.panel_queries.values() if "${categorie}" in q.sql]
        assert len(uses) >= 3


def test_region_variable_is_chained_on_the_level_and_used_everywhere() -> None:
    regional = GENERATED[2]
    found = variables(regional)
    assert list(found) == ["niveau", "regio"]
    assert found["niveau"]["current"]["value"] == "zorgkantoorregio"
    assert found["regio"]["type"] == "query"
    assert found["regio"]["datasource"]["uid"] == DATASOURCE_UID
    assert "'${niveau}'" in found["regio"]["query"]
    for panel_query in regional.panel_queries.values():
        assert "'${regio}'" in panel_query.sql
        assert "'${niveau}'" in panel_query.sql


# --- the SQL runs ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_database(clickhouse_client: Client, chdb_path: Path) -> Iterator[str]:
    database = f"t_{uuid.uuid4().hex[:10]}"
    seed_analytics(clickhouse_client, database, DEFAULT)
    yield database
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


@pytest.mark.parametrize("variable_values", VARIABLE_SETS)
@pytest.mark.parametrize("generated", GENERATED, ids=lambda g: g.audience)
def test_every_query_runs_and_returns_its_columns(
    generated: GeneratedDashboard,
    variable_values: dict[str, str],
    clickhouse_client: Client,
    seeded_database: str,
) -> None:
    context = QueryContext(*RANGE, variables=variable_values)
    queries: list[tuple[object, PanelQuery]] = [
        *generated.panel_queries.items(),
        *generated.variable_queries.items(),
    ]
    for key, query in queries:
        sql = expand(query.sql, context).replace("waakhond.", f"{seeded_database}.")
        result = clickhouse_client.query(sql)
        assert tuple(result.column_names) == query.columns, key
        assert result.result_rows, (key, sql)


def test_weekly_series_are_dense_and_keep_suppressed_weeks_empty(
    clickhouse_client: Client, seeded_database: str
) -> None:
    """Amsterdam's 1 and then 6 signals a week are hidden (NULL); a week without signals
    is a true 0, and so is every week of a target group without signals."""
    regional = GENERATED[2]
    query = next(
        q
        for q in regional.panel_queries.values()
        if "suppressed_hard_to_place" in q.sql and q.time_series
    )
    context = QueryContext(*RANGE, variables={"niveau": "zorgkantoorregio", "regio": "ZK02"})
    result = clickhouse_client.query(
        expand(query.sql, context).replace("waakhond.", f"{seeded_database}.")
    )
    series: dict[str, list[int | None]] = {}
    for _, label, signals in result.result_rows:
        series.setdefault(label, []).append(signals)
    # The 17 weeks from 2024-12-02 to the week of 2025-03-30, for every target group.
    assert all(len(values) == 17 for values in series.values())
    assert series["Verstandelijke beperking (incl. LVB)"] == [None] * 16 + [0]
    assert series["Autisme"] == [0] * 17


# --- the macro expander -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expanded"),
    [
        pytest.param(
            "WHERE $__timeFilter(t)",
            "WHERE t >= toDateTime(1733097600) AND t <= toDateTime(1743379199)",
            id="timeFilter",
        ),
        pytest.param(
            "WHERE $__dateFilter( d )",
            "WHERE d >= toDate('2024-12-02') AND d <= toDate('2025-03-30')",
            id="dateFilter",
        ),
        pytest.param(
            "$__fromTime, $__toTime",
            "toDateTime(1733097600), toDateTime(1743379199)",
            id="from-and-to",
        ),
        pytest.param(
            "$__timeInterval(c)",
            "toStartOfInterval(toDateTime(c), INTERVAL 604800 second)",
            id="timeInterval",
        ),
        pytest.param("'${regio}' = '$regio'", "'ZK02' = 'ZK02'", id="variables-both-forms"),
    ],
)
def test_expander(sql: str, expanded: str) -> None:
    assert expand(sql, QueryContext(*RANGE, variables={"regio": "ZK02"})) == expanded


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("'${unknown}'", id="unknown-variable"),
        pytest.param("$__timeGroup(t, '1d')", id="unknown-macro"),
    ],
)
def test_expander_refuses_what_it_cannot_expand(sql: str) -> None:
    with pytest.raises(MacroError):
        expand(sql, QueryContext(*RANGE))


# --- generate command ---------------------------------------------------------------------


def cli(*commands: tuple[str, Any]) -> typer.Typer:
    app = typer.Typer()
    for name, function in commands:
        app.command(name)(function)
    return app


def test_generate_writes_then_check_passes_and_catches_an_edit(tmp_path: Path) -> None:
    app = cli(("generate", generate_command), ("publish", publish_command))
    runner = CliRunner()
    written = runner.invoke(app, ["generate", "--output-dir", str(tmp_path)])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "dashboards/regional/waakhond-regionaal.json").is_file()
    assert runner.invoke(app, ["generate", "--output-dir", str(tmp_path), "--check"]).exit_code == 0
    again = runner.invoke(app, ["generate", "--output-dir", str(tmp_path)])
    assert "0 file(s) changed" in again.output
    edited = tmp_path / "dashboards/national/waakhond-landelijk.json"
    edited.write_text(edited.read_text().replace("Landelijk", "National"))
    stale = runner.invoke(app, ["generate", "--output-dir", str(tmp_path), "--check"])
    assert stale.exit_code == 1
    assert "waakhond-landelijk.json" in stale.output


# --- publishing -----------------------------------------------------------------------------


@dataclass
class FakeGrafana:
    """A fake of the parts of Grafana's HTTP API that publishing uses (not a Grafana)."""

    token: str
    datasources: dict[str, dict[str, Any]] = field(default_factory=dict)
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def handle(self, method: str, path: str, auth: str | None, body: Any) -> tuple[int, Any]:
        self.requests.append((method, path))
        if auth != f"Bearer {self.token}":
            return 401, {"message": "Unauthorized"}
        if match := re.fullmatch(r"/api/datasources/uid/([\w-]+)", path):
            uid = match.group(1)
            if method == "GET":
                found = self.datasources.get(uid)
                return (200, found) if found else (404, {"message": "Data source not found"})
            if method == "PUT" and uid in self.datasources:
                self.datasources[uid] = {**self.datasources[uid], **body}
                return 200, {"message": "Datasource updated"}
        if path == "/api/datasources" and method == "POST":
            if body["uid"] in self.datasources:
                return 409, {"message": "data source with the same uid already exists"}
            self.datasources[body["uid"]] = {**body, "id": len(self.datasources) + 1}
            return 200, {"message": "Datasource added"}
        if match := re.fullmatch(r"/api/folders/([\w-]+)", path):
            uid = match.group(1)
            if method == "GET":
                found = self.folders.get(uid)
                return (200, found) if found else (404, {"message": "folder not found"})
            if method == "PUT" and uid in self.folders:
                self.folders[uid]["title"] = body["title"]
                return 200, self.folders[uid]
        if path == "/api/folders" and method == "POST":
            if body["uid"] in self.folders:
                return 409, {"message": "a folder with the same uid already exists"}
            self.folders[body["uid"]] = {"uid": body["uid"], "title": body["title"]}
            return 200, self.folders[body["uid"]]
        if match := re.fullmatch(r"/api/dashboards/uid/([\w-]+)", path):
            found = self.dashboards.get(match.group(1))
            return (200, found) if found else (404, {"message": "Dashboard not found"})
        if path == "/api/dashboards/db" and method == "POST":
            return self._save_dashboard(body)
        return 404, {"message": f"no fake for {method} {path}"}

    def _save_dashboard(self, body: dict[str, Any]) -> tuple[int, Any]:
        dashboard = dict(body["dashboard"])
        uid = dashboard["uid"]
        if body["folderUid"] not in self.folders:
            return 400, {"message": "folder not found"}
        existing = self.dashboards.get(uid)
        if existing and not body.get("overwrite"):
            return 412, {"status": "name-exists"}
        version = existing["dashboard"]["version"] + 1 if existing else 1
        dashboard.update(id=7, version=version)
        self.dashboards[uid] = {"dashboard": dashboard, "meta": {"folderUid": body["folderUid"]}}
        return 200, {"status": "success", "uid": uid, "version": version}


@pytest.fixture
def grafana() -> Iterator[tuple[FakeGrafana, str]]:
    fake = FakeGrafana(token="service-account-token")

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            status, answer = fake.handle(
                self.command, self.path.split("?")[0], self.headers.get("Authorization"), body
            )
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def actions(results: list[Any]) -> dict[tuple[str, str], str]:
    return {(r.kind, r.uid): r.action for r in results}


def test_publish_creates_then_updates_without_duplicates(
    grafana: tuple[FakeGrafana, str],
) -> None:
    fake, url = grafana
    api = connect(GrafanaTarget(url=url, token=fake.token))
    source = ClickHouseSource(password="reader-secret")
    first = actions(publish(api, source))
    assert set(first.values()) == {"created"}
    assert len(first) == 1 + 3 + 3
    assert set(fake.dashboards) == {g.uid for g in GENERATED}
    assert {d["meta"]["folderUid"] for d in fake.dashboards.values()} == {
        uid for uid, _ in FOLDERS.values()
    }
    datasource = fake.datasources[DATASOURCE_UID]
    assert datasource["type"] == DATASOURCE_TYPE
    assert datasource["jsonData"]["username"] == "grafana_reader"
    assert datasource["secureJsonData"] == {"password": "reader-secret"}

    fake.requests.clear()
    second = actions(publish(api, ClickHouseSource()))
    assert second[("datasource", DATASOURCE_UID)] == "updated"
    assert {a for (kind, _), a in second.items() if kind != "datasource"} == {"unchanged"}
    assert not [r for r in fake.requests if r[0] == "POST"]
    assert (len(fake.datasources), len(fake.folders), len(fake.dashboards)) == (1, 3, 3)
    # Publishing without a password keeps the stored one.
    assert fake.datasources[DATASOURCE_UID]["secureJsonData"] == {"password": "reader-secret"}
    assert {d["dashboard"]["version"] for d in fake.dashboards.values()} == {1}


def test_publish_updates_a_changed_dashboard_and_a_renamed_folder(
    grafana: tuple[FakeGrafana, str],
) -> None:
    fake, url = grafana
    api = connect(GrafanaTarget(url=url, token=fake.token))
    publish(api, ClickHouseSource())
    national_uid = GENERATED[0].uid
    fake.dashboards[national_uid]["dashboard"]["title"] = "edited in the UI"
    fake.folders["waakhond-regional"]["title"] = "renamed"
    again = actions(publish(api, ClickHouseSource()))
    assert again[("dashboard", national_uid)] == "updated"
    assert again[("folder", "waakhond-regional")] == "updated"
    assert fake.dashboards[national_uid]["dashboard"]["version"] == 2
    assert fake.dashboards[national_uid]["dashboard"]["title"] == GENERATED[0].title
    assert fake.folders["waakhond-regional"]["title"] == FOLDERS["regional"][1]
    assert len(fake.dashboards) == 3


def test_publish_command_reports_and_fails_cleanly_on_a_bad_token(
    grafana: tuple[FakeGrafana, str],
) -> None:
    fake, url = grafana
    app = cli(("generate", generate_command), ("publish", publish_command))
    runner = CliRunner()
    ok = runner.invoke(app, ["publish", "--url", url, "--token", fake.token])
    assert ok.exit_code == 0, ok.output
    assert re.search(r"dashboard\s+waakhond-regionaal\s+created", ok.output)
    denied = runner.invoke(app, ["publish", "--url", url, "--token", "wrong"])
    assert denied.exit_code == 1
    assert "failed" in denied.output
    assert len(fake.dashboards) == 3

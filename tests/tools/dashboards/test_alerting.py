"""Grafana alerting as code: the committed provisioning file equals the generator, it has
the shape Grafana's file provisioning reads, its routes reach every rule, and each rule's
query is the alerts view's answer (run on chDB, compared with the view itself)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from clickhouse_connect.driver.client import Client

from tests.aggregator.storage.test_analytics_views import DEFAULT, seed_analytics
from waakhond_tools.dashboards import alerting
from waakhond_tools.dashboards.alerting import AUDIENCES, AlertAudience, alert_query
from waakhond_tools.dashboards.build import generate
from waakhond_tools.dashboards.macros import QueryContext, expand

REPO_ROOT = Path(__file__).resolve().parents[3]
GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"
ALERTING_FILE = GRAFANA_DIR / alerting.ALERTING_FILE
DATASOURCES = GRAFANA_DIR / "provisioning" / "datasources" / "clickhouse.yaml"
# Grafana's own limits and vocabularies for provisioned rules.
UID = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
DURATION = re.compile(r"^[0-9]+[smhdw]$")
NO_DATA_STATES = {"Alerting", "NoData", "OK"}
ERROR_STATES = {"Alerting", "Error", "OK"}
ENV_REFERENCE = re.compile(r"^\$\{(WAAKHOND_ALERT_EMAILS_[A-Z]+)\}$")
AS_OF = dt.datetime(2025, 3, 30, 23, 59, 59, tzinfo=dt.UTC)


def committed() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(ALERTING_FILE.read_text(encoding="utf-8"))
    return document


def rules() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(group, rule) for group in committed()["groups"] for rule in group["rules"]]


# --- the committed file ---------------------------------------------------------------------


def test_committed_file_is_what_the_generator_writes() -> None:
    expected = alerting.render_alerting(generate())
    assert ALERTING_FILE.read_text(encoding="utf-8") == expected, "run `waakhond grafana generate`"


def test_generation_is_deterministic() -> None:
    assert alerting.render_alerting(generate()) == alerting.render_alerting(generate())


# --- Grafana's file provisioning format -----------------------------------------------------


def test_top_level_is_provisioning_version_1_with_rules_contact_points_and_policies() -> None:
    document = committed()
    assert document["apiVersion"] == 1
    assert set(document) == {"apiVersion", "groups", "contactPoints", "policies"}
    assert len(document["policies"]) == 1, "one policy tree per organisation"


def test_one_rule_group_per_audience_in_the_dashboards_folder() -> None:
    groups = committed()["groups"]
    assert [g["folder"] for g in groups] == ["national", "association", "regional"]
    for group in groups:
        assert group["orgId"] == 1
        assert group["name"]
        assert DURATION.match(group["interval"])
        # The rules live beside the dashboards (foldersFromFilesStructure names the folder).
        assert (GRAFANA_DIR / "dashboards" / group["folder"]).is_dir()


@pytest.mark.parametrize(("group", "rule"), rules(), ids=lambda v: v.get("uid", v.get("folder")))
def test_rule_is_a_valid_provisioned_rule(group: dict[str, Any], rule: dict[str, Any]) -> None:
    assert UID.match(rule["uid"])
    assert rule["title"]
    assert rule["noDataState"] in NO_DATA_STATES
    assert rule["execErrState"] in ERROR_STATES
    assert DURATION.match(rule["for"])
    assert all(LABEL_NAME.match(name) for name in rule["labels"])
    # Labels are expanded from the environment when Grafana reads the file: no '$' there.
    assert not any("$" in value for value in rule["labels"].values())
    assert rule["annotations"]["summary"]
    refs = [query["refId"] for query in rule["data"]]
    assert len(set(refs)) == len(refs)
    assert rule["condition"] in refs
    datasource_uid = yaml.safe_load(DATASOURCES.read_text())["datasources"][0]["uid"]
    for query in rule["data"]:
        assert query["model"]["refId"] == query["refId"]
        if query["datasourceUid"] == "__expr__":
            assert query["model"]["expression"] in refs
        else:
            assert query["datasourceUid"] == datasource_uid
            assert query["model"]["datasource"]["uid"] == datasource_uid
            assert query["model"]["format"] == 1, "a table: each row is one alert instance"
            assert query["relativeTimeRange"]["to"] == 0
    assert ("dashboardUid" in rule) == ("panelId" in rule)


def test_uids_are_unique() -> None:
    document = committed()
    rule_uids = [rule["uid"] for _, rule in rules()]
    receiver_uids = [r["uid"] for cp in document["contactPoints"] for r in cp["receivers"]]
    assert len(set(rule_uids)) == len(rule_uids)
    assert len(set(receiver_uids)) == len(receiver_uids)


def test_rules_link_the_alerts_table_of_their_dashboard() -> None:
    dashboards = {d.uid: d for d in generate()}
    linked = [rule for _, rule in rules() if "panelId" in rule]
    assert {rule["dashboardUid"] for rule in linked} == {"waakhond-landelijk", "waakhond-regionaal"}
    for rule in linked:
        panel = dashboards[rule["dashboardUid"]].panel_queries[rule["panelId"]]
        assert "waakhond.suppressed_trend_alerts(as_of = toDate($__toTime))" in panel.sql


def test_contact_points_are_e_mail_with_addresses_from_the_environment() -> None:
    points = committed()["contactPoints"]
    assert len(points) == len(AUDIENCES) + 1
    variables = []
    for point in points:
        assert point["orgId"] == 1
        (receiver,) = point["receivers"]
        assert receiver["type"] == "email"
        match = ENV_REFERENCE.match(receiver["settings"]["addresses"])
        assert match, "no literal address book in the repository"
        variables.append(match.group(1))
    assert sorted(variables) == sorted(alerting.address_variables())


def test_policies_route_each_audience_folder_to_its_own_contact_point() -> None:
    document = committed()
    (root,) = document["policies"]
    receivers = {point["name"] for point in document["contactPoints"]}
    assert root["receiver"] in receivers
    routed: dict[str, str] = {}
    for route in root["routes"]:
        assert route["receiver"] in receivers
        (matcher,) = route["object_matchers"]
        name, operator, value = matcher
        assert (name, operator) == ("grafana_folder", "=")
        routed[value] = route["receiver"]
        assert set(root["group_by"]) <= set(route["group_by"]) | {"grafana_folder", "alertname"}
    folders = [group["folder"] for group in document["groups"]]
    assert sorted(routed) == sorted(folders)
    assert len(set(routed.values())) == len(folders), "each audience has its own e-mail"
    regional = next(r for r in root["routes"] if r["object_matchers"][0][2] == "regional")
    assert {"level", "region_code"} <= set(regional["group_by"]), "one e-mail per region"


# --- the query is the alerts view's answer --------------------------------------------------


@pytest.fixture(scope="module")
def seeded_database(clickhouse_client: Client, chdb_path: Path) -> Iterator[str]:
    database = f"t_{uuid.uuid4().hex[:10]}"
    seed_analytics(clickhouse_client, database, DEFAULT)
    yield database
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


def _rule_sql(audience: AlertAudience) -> str:
    (rule,) = [rule for group, rule in rules() if group["folder"] == audience.folder]
    (query,) = [q for q in rule["data"] if q["datasourceUid"] != "__expr__"]
    sql: str = query["model"]["rawSql"]
    assert sql == alert_query(audience.levels).sql
    return sql


@pytest.mark.parametrize("audience", AUDIENCES, ids=lambda a: a.folder)
def test_rule_query_answers_the_alerts_view_rows_of_its_levels(
    audience: AlertAudience, clickhouse_client: Client, seeded_database: str
) -> None:
    context = QueryContext(AS_OF - dt.timedelta(days=1), AS_OF)
    sql = expand(_rule_sql(audience), context).replace("waakhond.", f"{seeded_database}.")
    result = clickhouse_client.query(sql)
    assert tuple(result.column_names) == alert_query(audience.levels).columns
    # Grafana makes labels of string columns and evaluates the one numeric column.
    types = dict(zip(result.column_names, (t.name for t in result.column_types), strict=True))
    for column in alerting.LABEL_COLUMNS:
        assert types[column] in {"String", "LowCardinality(String)"}, (column, types[column])
    assert types[alerting.VALUE_COLUMN].startswith(("Float", "Nullable(Float"))
    levels = [str(level) for level in audience.levels]
    view_rows = clickhouse_client.query(
        f"SELECT level, region_code, category, rate_ratio "
        f"FROM {seeded_database}.suppressed_trend_alerts(as_of = {{as_of:Date}}) "
        f"WHERE level IN {{levels:Array(String)}}",
        parameters={"as_of": AS_OF.date(), "levels": levels},
    ).result_rows
    rule_rows = [(row[0], row[1], row[2], row[-1]) for row in result.result_rows]
    assert rule_rows, "the seed has rises at every audience's levels"
    assert sorted(rule_rows) == sorted(tuple(row) for row in view_rows)
    keys = [(row[0], row[1], row[2]) for row in result.result_rows]
    assert len(set(keys)) == len(keys), "each alert instance has its own labels"
    for row in result.result_rows:
        assert row[-1] is not None
        assert row[-1] > 0, "every row fires the threshold"

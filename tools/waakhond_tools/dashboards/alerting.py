"""Grafana alerting as code: rules on the alerts view, e-mail contact points, policies.

One rule per audience, in that audience's folder (the dashboards' folders: ``national``
for the ministry, ``association``, ``regional`` for the coordinators). Each rule reads
``waakhond.suppressed_trend_alerts`` as of the evaluation day, the same view and the
same ``as_of`` as the dashboards' "stijgingen" tables, limited to the region levels that
audience follows. Every row is a significant rise and becomes one alert instance,
labelled with its level, region and category (Grafana turns the string columns of a
table answer into labels); no rows means no rises, which is the normal state (OK).

The notification policies route on the folder (``grafana_folder``, a label Grafana adds)
to one e-mail contact point per audience. The regional route groups per region, so a
coordinator's e-mail covers one region; the others send one e-mail with all rises.
Addresses come from Grafana's environment (``WAAKHOND_ALERT_EMAILS_*``), expanded when
Grafana reads the file, so the repository holds no address book. Rises change weekly,
so a rise that persists is repeated at most weekly.

The file is written to ``deploy/grafana/provisioning/alerting/`` and checked like the
dashboards (``waakhond grafana generate [--check]``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from grafana_foundation_sdk.builders import alerting, expr
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import alerting as alerting_models
from grafana_foundation_sdk.models import dashboard as dashboard_models

from waakhond_contract.regions import RegionLevel
from waakhond_tools.dashboards.labels import CATEGORY_LABELS_WITH_ALL, LEVEL_LABELS, sql_string
from waakhond_tools.dashboards.panels import DATASOURCE_UID, ClickHouseTarget, PanelQuery
from waakhond_tools.dashboards.sql import AS_OF, labelled, view

if TYPE_CHECKING:
    # build imports this module; the dashboards are handed in, not generated here.
    from waakhond_tools.dashboards.build import GeneratedDashboard

ALERTING_FILE = Path("provisioning/alerting/waakhond-alerts.yaml")
ORG_ID = 1
EVALUATION_INTERVAL = "6h"
REPEAT_INTERVAL = "168h"
ALERTS_VIEW = "suppressed_trend_alerts"
QUERY_REF, REDUCE_REF, CONDITION_REF = "A", "B", "C"
# The columns that become an alert instance's labels (keys for matching, Dutch for people),
# and the one number Grafana evaluates: the rise factor, at least 1.5 for every alert.
LABEL_COLUMNS = ("level", "region_code", "category", "niveau", "regio", "categorie")
VALUE_COLUMN = "factor"
AUDIENCE_LABEL = "waakhond_audience"
FOLDER_LABEL = "grafana_folder"
OPERATIONS_RECEIVER = "Waakhond – beheer"
# Grafana's server-side expressions (reduce, threshold) are a data source of their own.
EXPRESSIONS = dashboard_models.DataSourceRef(type_val="__expr__", uid="__expr__")


@dataclass(frozen=True, slots=True)
class AlertAudience:
    """An audience: its folder, the region levels it follows and where its e-mail goes."""

    folder: str
    rule_title: str
    levels: tuple[RegionLevel, ...]
    receiver: str
    addresses_variable: str
    group_by: tuple[str, ...]
    dashboard_uid: str


AUDIENCES: tuple[AlertAudience, ...] = (
    AlertAudience(
        folder="national",
        rule_title="Significante stijging (landelijk, provincie, zorgkantoorregio)",
        levels=(RegionLevel.NATIONAL, RegionLevel.PROVINCE, RegionLevel.ZORGKANTOORREGIO),
        receiver="Waakhond – ministerie",
        addresses_variable="WAAKHOND_ALERT_EMAILS_NATIONAL",
        group_by=(FOLDER_LABEL, "alertname"),
        dashboard_uid="waakhond-landelijk",
    ),
    AlertAudience(
        folder="association",
        rule_title="Significante stijging (landelijk, provincie)",
        levels=(RegionLevel.NATIONAL, RegionLevel.PROVINCE),
        receiver="Waakhond – verenigingen",
        addresses_variable="WAAKHOND_ALERT_EMAILS_ASSOCIATION",
        group_by=(FOLDER_LABEL, "alertname"),
        dashboard_uid="waakhond-verenigingen",
    ),
    AlertAudience(
        folder="regional",
        rule_title="Significante stijging in de regio",
        levels=(
            RegionLevel.ZORGKANTOORREGIO,
            RegionLevel.GGDREGIO,
            RegionLevel.JEUGDREGIO,
            RegionLevel.MUNICIPALITY,
        ),
        receiver="Waakhond – regio's",
        addresses_variable="WAAKHOND_ALERT_EMAILS_REGIONAL",
        # One e-mail per region: a coordinator reads the rises of one region together.
        group_by=(FOLDER_LABEL, "alertname", "level", "region_code"),
        dashboard_uid="waakhond-regionaal",
    ),
)
OPERATIONS_ADDRESSES_VARIABLE = "WAAKHOND_ALERT_EMAILS_OPERATIONS"

SUMMARY = (
    "Significante stijging van {{ $labels.categorie }} in {{ $labels.regio }} "
    "({{ $labels.niveau }})"
)
DESCRIPTION = (
    "In de laatste 4 volledige weken kwamen per week {{ humanize $values.B.Value }} keer zo "
    "veel signalen binnen als in de 12 weken ervoor (exacte toets, gecorrigeerd voor het "
    "aantal vergeleken regio's). Alleen getoonde, afgeronde aantallen zijn gebruikt."
)


def rule_uid(audience: AlertAudience) -> str:
    return f"waakhond-stijging-{audience.folder}"


def alert_query(levels: tuple[RegionLevel, ...]) -> PanelQuery:
    """The rule's SQL: the alerts view as of the evaluation day, for the given levels."""
    return PanelQuery(
        sql=f"""SELECT
    level,
    region_code,
    category,
    {labelled("level", LEVEL_LABELS)} AS niveau,
    ifNull(nullIf(region_name, ''), region_code) AS regio,
    {labelled("category", CATEGORY_LABELS_WITH_ALL)} AS categorie,
    rate_ratio AS {VALUE_COLUMN}
FROM {view(ALERTS_VIEW)}(as_of = {AS_OF})
WHERE level IN ({", ".join(sql_string(str(level)) for level in levels)})
ORDER BY level, region_code, category""",
        columns=(*LABEL_COLUMNS, VALUE_COLUMN),
    )


def _rule(audience: AlertAudience) -> alerting.Rule:
    query = (
        alerting.Query(QUERY_REF)
        .datasource_uid(DATASOURCE_UID)
        .model(ClickHouseTarget(alert_query(audience.levels), QUERY_REF))
        # The view takes its windows from as_of (the end of the range); the start is unused.
        .relative_time_range(alerting_models.RelativeTimeRange(from_val=86_400, to=0))
    )
    reduce = (
        alerting.Query(REDUCE_REF)
        .datasource_uid("__expr__")
        .model(
            expr.TypeReduce()
            .ref_id(REDUCE_REF)
            .expression(QUERY_REF)
            .reducer("last")
            .datasource(EXPRESSIONS)
        )
    )
    threshold = (
        alerting.Query(CONDITION_REF)
        .datasource_uid("__expr__")
        .model(
            expr.TypeThreshold()
            .ref_id(CONDITION_REF)
            .expression(REDUCE_REF)
            .conditions(
                [
                    expr.ExprTypeThresholdConditions().evaluator(
                        expr.ExprTypeThresholdConditionsEvaluator().type("gt").params([0])
                    )
                ]
            )
            .datasource(EXPRESSIONS)
        )
    )
    annotations = {"summary": SUMMARY, "description": DESCRIPTION}
    return (
        alerting.Rule(audience.rule_title)
        .uid(rule_uid(audience))
        .queries([query, reduce, threshold])
        .condition(CONDITION_REF)
        # Every row already is a significant rise; waiting would only delay the e-mail.
        .for_val("0s")
        # No rows: no rises this week, the normal state.
        .no_data_state("OK")
        .exec_err_state("Error")
        .labels({AUDIENCE_LABEL: audience.folder})
        .annotations(annotations)
        .is_paused(False)
    )


def _plain(value: Any) -> Any:
    """SDK objects as the plain values Grafana's files hold."""
    return json.loads(json.dumps(value, cls=JSONEncoder))


# The keys of a rule in the file format; the SDK's model is the HTTP API's, which also
# carries folderUID, ruleGroup and orgID (the file puts those on the group).
_RULE_KEYS = (
    "uid",
    "title",
    "condition",
    "data",
    "noDataState",
    "execErrState",
    "for",
    "annotations",
    "labels",
    "isPaused",
)


def alerts_panel(dashboards: Sequence[GeneratedDashboard], dashboard_uid: str) -> int | None:
    """The id of the dashboard's table of rises (the panel reading the alerts view per
    region), if it has one."""
    (generated,) = [d for d in dashboards if d.uid == dashboard_uid]
    for panel_id, query in sorted(generated.panel_queries.items()):
        if f"FROM {view(ALERTS_VIEW)}(" in query.sql and "Regio" in query.columns:
            return panel_id
    return None


def rule_group(audience: AlertAudience, dashboards: Sequence[GeneratedDashboard]) -> dict[str, Any]:
    built = _plain(_rule(audience).build())
    rule = {key: built[key] for key in _RULE_KEYS if key in built}
    # Grafana links a rule to a panel only with both ids; the e-mail then links the panel.
    panel_id = alerts_panel(dashboards, audience.dashboard_uid)
    if panel_id is not None:
        rule["dashboardUid"] = audience.dashboard_uid
        rule["panelId"] = panel_id
    return {
        "orgId": ORG_ID,
        "name": "Stijgingen",
        "folder": audience.folder,
        "interval": EVALUATION_INTERVAL,
        "rules": [rule],
    }


def _contact_point(name: str, uid: str, addresses_variable: str) -> dict[str, Any]:
    receiver = _plain(
        alerting.ContactPoint()
        .uid(uid)
        .name(name)
        .type("email")
        .settings({"addresses": f"${{{addresses_variable}}}", "singleEmail": True})
        # A rise that ends needs no e-mail; the weekly digest shows what changed.
        .disable_resolve_message(True)
        .build()
    )
    return {
        "orgId": ORG_ID,
        "name": name,
        "receivers": [
            {key: receiver[key] for key in ("uid", "type", "settings", "disableResolveMessage")}
        ],
    }


def address_variables() -> list[str]:
    """The environment variables Grafana needs: one list of addresses per contact point."""
    return [*(a.addresses_variable for a in AUDIENCES), OPERATIONS_ADDRESSES_VARIABLE]


def contact_points() -> list[dict[str, Any]]:
    points = [
        _contact_point(a.receiver, f"waakhond-mail-{a.folder}", a.addresses_variable)
        for a in AUDIENCES
    ]
    points.append(
        _contact_point(
            OPERATIONS_RECEIVER, "waakhond-mail-operations", OPERATIONS_ADDRESSES_VARIABLE
        )
    )
    return points


def notification_policy() -> dict[str, Any]:
    routes = [
        alerting.NotificationPolicy()
        .receiver(audience.receiver)
        .object_matchers([[FOLDER_LABEL, "=", audience.folder]])
        .group_by(list(audience.group_by))
        .repeat_interval(REPEAT_INTERVAL)
        for audience in AUDIENCES
    ]
    root = (
        alerting.NotificationPolicy()
        # Anything else (a rule made in the UI, or in the operations folder) goes to operations.
        .receiver(OPERATIONS_RECEIVER)
        .group_by([FOLDER_LABEL, "alertname"])
        .group_wait("1m")
        .group_interval("30m")
        .repeat_interval(REPEAT_INTERVAL)
        .routes(list(routes))
    )
    return {"orgId": ORG_ID, **_plain(root.build())}


def provisioning(dashboards: Sequence[GeneratedDashboard]) -> dict[str, Any]:
    """The whole file: rule groups, contact points and the policy tree, apiVersion 1."""
    return {
        "apiVersion": 1,
        "groups": [rule_group(audience, dashboards) for audience in AUDIENCES],
        "contactPoints": contact_points(),
        "policies": [notification_policy()],
    }


# PyYAML has no type hints here; the dumper is built at run time.
_Dumper: Any = type("_Dumper", (yaml.SafeDumper,), {})


def _string(dumper: Any, value: str) -> Any:
    # SQL reads best as a block; everything else as plain or quoted scalars.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)

HEADER = (
    "# Generated by `waakhond grafana generate` from tools/waakhond_tools/dashboards/"
    "alerting.py;\n# do not edit. Grafana expands ${WAAKHOND_ALERT_EMAILS_*} from its "
    "environment when it reads\n# this file (the rule queries and annotations are not "
    "expanded).\n"
)


def render_alerting(dashboards: Sequence[GeneratedDashboard]) -> str:
    return HEADER + str(
        yaml.dump(
            provisioning(dashboards),
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            width=4096,
        )
    )


def expected_alerting_files(
    grafana_dir: Path, dashboards: Sequence[GeneratedDashboard]
) -> dict[Path, str]:
    return {grafana_dir / ALERTING_FILE: render_alerting(dashboards)}

"""Push the data source, the audience folders and the dashboards to a running Grafana.

For a Grafana that is not provisioned from ``deploy/grafana`` (an existing or
managed instance). Everything is matched by uid, so publishing again updates in
place and never duplicates: the data source by its uid, one folder per audience,
each dashboard by its uid (an unchanged dashboard is not saved again, so its
version history stays clean). The map file for the geomap panel cannot be sent
over the HTTP API; ANALYTICS.md says where to put it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaClientError

from waakhond_tools.dashboards.build import GeneratedDashboard, generate
from waakhond_tools.dashboards.panels import DATASOURCE_TYPE, DATASOURCE_UID

log = logging.getLogger(__name__)

Action = Literal["created", "updated", "unchanged"]

FOLDERS: dict[str, tuple[str, str]] = {
    "national": ("waakhond-national", "Waakhond – Landelijk (ministerie)"),
    "association": ("waakhond-association", "Waakhond – Verenigingen"),
    "regional": ("waakhond-regional", "Waakhond – Regionaal"),
}
# Grafana's own bookkeeping, which differs between what we send and what it stores.
_VOLATILE_DASHBOARD_KEYS = frozenset({"id", "version"})


@dataclass(frozen=True, slots=True)
class GrafanaTarget:
    url: str
    token: str = field(repr=False)
    timeout_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class ClickHouseSource:
    """How Grafana reaches ClickHouse: the read-only dashboard account, as provisioned in
    deploy/grafana/provisioning/datasources/clickhouse.yaml."""

    host: str = "clickhouse"
    port: int = 8123
    protocol: Literal["http", "native"] = "http"
    secure: bool = False
    username: str = "grafana_reader"
    password: str | None = field(default=None, repr=False)
    database: str = "waakhond"
    name: str = "ClickHouse"


@dataclass(frozen=True, slots=True)
class Published:
    kind: Literal["datasource", "folder", "dashboard"]
    uid: str
    action: Action


class GrafanaSession:
    """The few calls publishing needs, typed, over grafana-client's untyped elements."""

    def __init__(self, api: Any) -> None:
        self._api = api

    def get_datasource(self, uid: str) -> dict[str, Any]:
        return dict(self._api.datasource.get_datasource_by_uid(uid))

    def create_datasource(self, model: dict[str, Any]) -> None:
        self._api.datasource.create_datasource(model)

    def update_datasource(self, uid: str, model: dict[str, Any]) -> None:
        self._api.datasource.update_datasource_by_uid(uid, model)

    def get_folder(self, uid: str) -> dict[str, Any]:
        return dict(self._api.folder.get_folder(uid))

    def create_folder(self, uid: str, title: str) -> None:
        self._api.folder.create_folder(title, uid=uid)

    def rename_folder(self, uid: str, title: str) -> None:
        self._api.folder.update_folder(uid, title=title, overwrite=True)

    def get_dashboard(self, uid: str) -> dict[str, Any]:
        return dict(self._api.dashboard.get_dashboard(uid))

    def save_dashboard(self, payload: dict[str, Any]) -> None:
        self._api.dashboard.update_dashboard(payload)


def connect(target: GrafanaTarget) -> GrafanaSession:
    # grafana-client appends "api" to the URL's path, so a sub-path needs its slash.
    url = target.url if target.url.endswith("/") else target.url + "/"
    return GrafanaSession(
        GrafanaApi.from_url(url, credential=target.token, timeout=target.timeout_seconds)
    )


def datasource_model(source: ClickHouseSource) -> dict[str, Any]:
    model: dict[str, Any] = {
        "uid": DATASOURCE_UID,
        "name": source.name,
        "type": DATASOURCE_TYPE,
        "access": "proxy",
        "isDefault": True,
        "jsonData": {
            "host": source.host,
            "port": source.port,
            "protocol": source.protocol,
            "secure": source.secure,
            "username": source.username,
            "defaultDatabase": source.database,
        },
    }
    # Without a password the stored one is kept: Grafana leaves secure fields that an
    # update does not mention alone.
    if source.password is not None:
        model["secureJsonData"] = {"password": source.password}
    return model


def _is_not_found(error: GrafanaClientError) -> bool:
    return int(error.status_code) == 404


def ensure_datasource(api: GrafanaSession, source: ClickHouseSource) -> Published:
    model = datasource_model(source)
    try:
        api.get_datasource(DATASOURCE_UID)
    except GrafanaClientError as error:
        if not _is_not_found(error):
            raise
        api.create_datasource(model)
        return Published("datasource", DATASOURCE_UID, "created")
    api.update_datasource(DATASOURCE_UID, model)
    return Published("datasource", DATASOURCE_UID, "updated")


def ensure_folder(api: GrafanaSession, uid: str, title: str) -> Published:
    try:
        existing = api.get_folder(uid)
    except GrafanaClientError as error:
        if not _is_not_found(error):
            raise
        api.create_folder(uid, title)
        return Published("folder", uid, "created")
    if existing.get("title") == title:
        return Published("folder", uid, "unchanged")
    api.rename_folder(uid, title)
    return Published("folder", uid, "updated")


def _comparable(model: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in model.items() if key not in _VOLATILE_DASHBOARD_KEYS}


def publish_dashboard(
    api: GrafanaSession, generated: GeneratedDashboard, folder_uid: str
) -> Published:
    model = _comparable(generated.model_dict())
    action: Action = "created"
    try:
        existing = api.get_dashboard(generated.uid)
    except GrafanaClientError as error:
        if not _is_not_found(error):
            raise
    else:
        same_folder = existing.get("meta", {}).get("folderUid") == folder_uid
        if same_folder and _comparable(existing.get("dashboard", {})) == model:
            return Published("dashboard", generated.uid, "unchanged")
        action = "updated"
    api.save_dashboard(
        {
            "dashboard": {**model, "id": None},
            "folderUid": folder_uid,
            "overwrite": True,
            "message": "waakhond grafana publish",
        }
    )
    return Published("dashboard", generated.uid, action)


def publish(
    api: GrafanaSession,
    source: ClickHouseSource,
    dashboards: list[GeneratedDashboard] | None = None,
) -> list[Published]:
    """Data source, then folders, then dashboards (a dashboard needs its folder)."""
    results = [ensure_datasource(api, source)]
    for audience in sorted(FOLDERS):
        uid, title = FOLDERS[audience]
        results.append(ensure_folder(api, uid, title))
    for generated in dashboards if dashboards is not None else generate():
        folder_uid, _ = FOLDERS[generated.audience]
        results.append(publish_dashboard(api, generated, folder_uid))
    for result in results:
        log.info("%s %s: %s", result.kind, result.uid, result.action)
    return results

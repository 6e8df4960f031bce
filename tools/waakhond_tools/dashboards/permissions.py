"""Who sees which folder: one Grafana team per audience with read access to its folder.

Grafana's file provisioning has no folder permissions (that is Grafana Enterprise's
access-control provisioning), so they are code here and applied over the HTTP API by
``waakhond grafana permissions``: one team per audience, and each audience folder's
permissions replaced by exactly "that team may view" (Admins keep access). People who
sign in with OIDC get the Viewer role, which then opens no folder until they are in a
team; administrators add members in Grafana, or Grafana Enterprise's team sync fills the
teams from the provider's groups (the ``group`` of each audience below).

Folders are found by uid (folders made by ``waakhond grafana publish``) or by title
(folders made by the file provisioning, which names them after their directory:
``national``, ``association``, ``regional``, ``operations``). Safe to run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from grafana_client.api import GrafanaApi

from waakhond_tools.dashboards.publish import FOLDERS, GrafanaTarget

log = logging.getLogger(__name__)

VIEW = 1  # Grafana's folder permission levels: 1 view, 2 edit, 4 admin.


@dataclass(frozen=True, slots=True)
class AudienceAccess:
    """An audience's team, the folder it reads and the provider group meant for it."""

    folder: str
    team: str
    group: str


ACCESS: tuple[AudienceAccess, ...] = (
    AudienceAccess("national", "Waakhond – Ministerie", "waakhond-ministerie"),
    AudienceAccess("association", "Waakhond – Verenigingen", "waakhond-verenigingen"),
    AudienceAccess("regional", "Waakhond – Regiocoördinatoren", "waakhond-regio"),
    # The pipeline's own health: for those who run it.
    AudienceAccess("operations", "Waakhond – Beheer", "waakhond-beheer"),
)


@dataclass(frozen=True, slots=True)
class Applied:
    kind: Literal["team", "folder"]
    name: str
    action: Literal["created", "unchanged", "updated", "missing"]


class PermissionSession:
    """The few Grafana HTTP API calls permissions need, typed."""

    def __init__(self, api: Any) -> None:
        self._api = api

    def folders(self) -> list[dict[str, Any]]:
        return [dict(folder) for folder in self._api.folder.get_all_folders()]

    def team_id(self, name: str) -> int | None:
        found = self._api.teams.search_teams(query=name)
        for team in found:
            if team.get("name") == name:
                return int(team["id"])
        return None

    def create_team(self, name: str) -> int:
        return int(self._api.teams.add_team({"name": name})["teamId"])

    def folder_permissions(self, uid: str) -> list[dict[str, Any]]:
        return [dict(item) for item in self._api.folder.get_folder_permissions(uid)]

    def set_folder_permissions(self, uid: str, items: list[dict[str, Any]]) -> None:
        self._api.folder.update_folder_permissions(uid, {"items": items})


def connect(target: GrafanaTarget) -> PermissionSession:
    # grafana-client appends "api" to the URL's path, so a sub-path needs its slash.
    url = target.url if target.url.endswith("/") else target.url + "/"
    return PermissionSession(
        GrafanaApi.from_url(url, credential=target.token, timeout=target.timeout_seconds)
    )


def folder_uid(folders: list[dict[str, Any]], audience: str) -> str | None:
    """The folder of an audience: the published uid first, else the provisioned title."""
    published_uid = FOLDERS[audience][0] if audience in FOLDERS else None
    for folder in folders:
        if published_uid is not None and folder.get("uid") == published_uid:
            return str(folder["uid"])
    for folder in folders:
        if folder.get("title") == audience:
            return str(folder["uid"])
    return None


def desired_items(team_id: int) -> list[dict[str, Any]]:
    return [{"teamId": team_id, "permission": VIEW}]


def granted(items: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    """A folder's permissions as (team|user|role, who, level), without the implicit
    access of Admins (Grafana lists it, and it cannot be removed)."""
    found: set[tuple[str, str, int]] = set()
    for item in items:
        level = int(item["permission"])
        if item.get("teamId"):
            found.add(("team", str(item["teamId"]), level))
        elif item.get("userId"):
            found.add(("user", str(item["userId"]), level))
        elif item.get("role") and item["role"] != "Admin":
            found.add(("role", str(item["role"]), level))
    return found


def apply_permissions(
    api: PermissionSession, access: tuple[AudienceAccess, ...] = ACCESS
) -> list[Applied]:
    """Teams first, then each folder's permissions; a folder not (yet) there is reported."""
    results: list[Applied] = []
    folders = api.folders()
    for audience in access:
        team_id = api.team_id(audience.team)
        if team_id is None:
            team_id = api.create_team(audience.team)
            results.append(Applied("team", audience.team, "created"))
        else:
            results.append(Applied("team", audience.team, "unchanged"))
        uid = folder_uid(folders, audience.folder)
        if uid is None:
            results.append(Applied("folder", audience.folder, "missing"))
            continue
        wanted = desired_items(team_id)
        if granted(api.folder_permissions(uid)) == granted(wanted):
            results.append(Applied("folder", audience.folder, "unchanged"))
            continue
        api.set_folder_permissions(uid, wanted)
        results.append(Applied("folder", audience.folder, "updated"))
    for result in results:
        log.info("%s %s: %s", result.kind, result.name, result.action)
    return results

"""Folder permissions as code: one team per audience that may view its folder only.

No Grafana server can run here, so ``apply_permissions`` is tested against a small HTTP
server in this file with the semantics of the few Grafana endpoints it uses (teams by
name, folder permissions replaced as a whole, Admin access implicit)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from typer.testing import CliRunner

from tests.tools.dashboards.test_dashboards import cli
from waakhond_tools.cli.grafana import permissions_command
from waakhond_tools.dashboards.permissions import ACCESS, VIEW, apply_permissions, connect
from waakhond_tools.dashboards.publish import FOLDERS, GrafanaTarget

TOKEN = "admin-service-account-token"
# What Grafana's file provisioning makes of deploy/grafana/dashboards/<audience>/.
PROVISIONED_FOLDERS = ["national", "association", "regional", "operations"]
DEFAULT_ITEMS = [
    {"role": "Viewer", "permission": 1},
    {"role": "Editor", "permission": 2},
    {"role": "Admin", "permission": 4},
]


@dataclass
class FakeGrafana:
    """The team and folder-permission endpoints of Grafana's HTTP API (not a Grafana)."""

    folders: dict[str, str]
    teams: dict[str, int] = field(default_factory=dict)
    permissions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)

    def handle(self, method: str, raw_path: str, auth: str | None, body: Any) -> tuple[int, Any]:
        if auth != f"Bearer {TOKEN}":
            return 401, {"message": "Unauthorized"}
        parts = urlsplit(raw_path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        if path == "/api/folders" and method == "GET":
            return 200, [{"uid": uid, "title": title} for uid, title in self.folders.items()]
        if path == "/api/teams/search" and method == "GET":
            wanted = query.get("query", [""])[0]
            found = [{"id": i, "name": n} for n, i in self.teams.items() if wanted in n]
            return 200, {"teams": found, "perPage": 1000, "page": 1, "totalCount": len(found)}
        if path == "/api/teams" and method == "POST":
            if body["name"] in self.teams:
                return 409, {"message": "Team name taken"}
            self.teams[body["name"]] = len(self.teams) + 1
            self.writes.append(f"team {body['name']}")
            return 200, {"message": "Team created", "teamId": self.teams[body["name"]]}
        if path.startswith("/api/folders/") and path.endswith("/permissions"):
            uid = path.split("/")[3]
            if uid not in self.folders:
                return 404, {"message": "folder not found"}
            if method == "GET":
                return 200, self.permissions.get(uid, DEFAULT_ITEMS)
            if method == "POST":
                # Grafana replaces the folder's explicit permissions; Admins keep access.
                self.permissions[uid] = [*body["items"], {"role": "Admin", "permission": 4}]
                self.writes.append(f"permissions {uid}")
                return 200, {"message": "Folder permissions updated"}
        return 404, {"message": f"no fake for {method} {path}"}


def serve(fake: FakeGrafana) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            status, answer = fake.handle(
                self.command, self.path, self.headers.get("Authorization"), body
            )
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def provisioned() -> Iterator[tuple[FakeGrafana, str]]:
    fake = FakeGrafana(folders={f"gen{index}": t for index, t in enumerate(PROVISIONED_FOLDERS)})
    for url in serve(fake):
        yield fake, url


def session(url: str) -> Any:
    return connect(GrafanaTarget(url=url, token=TOKEN))


def test_each_audience_folder_is_viewable_by_its_team_only(
    provisioned: tuple[FakeGrafana, str],
) -> None:
    fake, url = provisioned
    results = apply_permissions(session(url))
    assert {(r.kind, r.action) for r in results} == {("team", "created"), ("folder", "updated")}
    assert sorted(fake.teams) == sorted(access.team for access in ACCESS)
    by_title = {title: uid for uid, title in fake.folders.items()}
    for access in ACCESS:
        items = fake.permissions[by_title[access.folder]]
        explicit = [item for item in items if item.get("role") != "Admin"]
        # No role-wide access left: a Viewer outside the team sees nothing here.
        assert explicit == [{"teamId": fake.teams[access.team], "permission": VIEW}]


def test_every_audience_folder_of_the_dashboards_has_a_team() -> None:
    assert sorted(access.folder for access in ACCESS) == sorted(PROVISIONED_FOLDERS)
    assert len({access.team for access in ACCESS}) == len(ACCESS)


def test_applying_again_changes_nothing(provisioned: tuple[FakeGrafana, str]) -> None:
    fake, url = provisioned
    apply_permissions(session(url))
    writes = len(fake.writes)
    again = apply_permissions(session(url))
    assert {r.action for r in again} == {"unchanged"}
    assert len(fake.writes) == writes


def test_published_folders_are_found_by_uid() -> None:
    # `waakhond grafana publish` makes folders with fixed uids and longer titles.
    folders = dict(FOLDERS.values())
    folders["ops"] = "operations"
    fake = FakeGrafana(folders=folders)
    for url in serve(fake):
        results = apply_permissions(session(url))
    assert [r for r in results if r.action == "missing"] == []
    assert set(fake.permissions) == {*folders}


def test_a_missing_folder_is_reported_and_the_command_fails() -> None:
    fake = FakeGrafana(folders={"a": "national"})
    runner = CliRunner()
    for url in serve(fake):
        result = runner.invoke(
            cli(("permissions", permissions_command)),
            ["--url", url, "--token", TOKEN],
        )
    assert result.exit_code == 1
    assert "association" in result.output
    assert fake.permissions.keys() == {"a"}


def test_a_bad_token_fails_cleanly(provisioned: tuple[FakeGrafana, str]) -> None:
    _, url = provisioned
    result = CliRunner().invoke(
        cli(("permissions", permissions_command)), ["--url", url, "--token", "wrong"]
    )
    assert result.exit_code == 1
    assert "failed" in result.output
    assert "Traceback" not in result.output

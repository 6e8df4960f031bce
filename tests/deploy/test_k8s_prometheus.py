"""Offline checks of Prometheus and Grafana's Prometheus data source in deploy/k8s.

The operations dashboard works on Kubernetes only if Prometheus finds every replica of
intake, classifier and aggregator, scrapes it the way Compose does, may read what its
service discovery needs (and nothing more), and Grafana's data source points at it.
Service discovery is checked by simulating it: each rendered Service's pods become the
targets an EndpointSlice would yield, and the scrape configuration's relabelling is
applied to them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deploy.test_k8s_manifests import (
    API_CLIENTS,
    DEPLOY_DIR,
    NAMESPACE,
    REPO_ROOT,
    SERVICE_IDS,
    SERVICES,
    TARGETS,
    Doc,
    Pod,
    ServiceSpec,
    container_port_numbers,
    containers,
    named,
    of_kind,
    pod,
    pods,
    render,
    selector_matches,
)

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
COMPOSE_PROMETHEUS_CONFIG = DEPLOY_DIR / "prometheus" / "prometheus.yml"
K8S_PROMETHEUS_CONFIG = DEPLOY_DIR / "k8s" / "base" / "prometheus" / "prometheus.yml"
GRAFANA = DEPLOY_DIR / "grafana"
PROMETHEUS_DATASOURCE = GRAFANA / "provisioning" / "datasources" / "prometheus.yaml"
OPERATIONS_DASHBOARDS = GRAFANA / "dashboards" / "operations"

PROMETHEUS = "prometheus"
PINNED_TAG = re.compile(r"^[^@]+:(?!latest$)[\w][\w.-]*$|@sha256:[0-9a-f]{64}$")

# What the endpointslice role of kubernetes_sd_configs watches; Prometheus' discovery
# does not start without all three (discovery/kubernetes/endpointslice.go).
DISCOVERY_RESOURCES = {
    ("discovery.k8s.io", "endpointslices"),
    ("", "services"),
    ("", "pods"),
}
READ_VERBS = {"get", "list", "watch"}

Config = dict[str, Any]
Labels = dict[str, str]


@pytest.fixture(params=list(TARGETS), ids=list(TARGETS))
def docs(request: pytest.FixtureRequest) -> tuple[Doc, ...]:
    target: str = request.param
    return render(target)


def load_yaml(path: Path) -> Config:
    loaded: Config = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def compose_service(name: str) -> Config:
    service: Config = load_yaml(COMPOSE_FILE)["services"][name]
    return service


def prometheus_container(docs: tuple[Doc, ...]) -> Mapping[str, Any]:
    (container,) = pod(docs, PROMETHEUS).spec["containers"]
    found: Mapping[str, Any] = container
    return found


def flag(container: Mapping[str, Any], name: str) -> str:
    values: list[str] = [
        arg.split("=", 1)[1] for arg in container.get("args", []) if arg.startswith(f"{name}=")
    ]
    assert len(values) == 1, f"expected {name}=... once in the Prometheus args"
    return values[0]


def mount_path(container: Mapping[str, Any], volume: str) -> str:
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == volume]
    path: str = mount["mountPath"]
    return path


def volume(p: Pod, name: str) -> Mapping[str, Any]:
    (found,) = [v for v in p.spec["volumes"] if v["name"] == name]
    typed: Mapping[str, Any] = found
    return typed


def config_directory(docs: tuple[Doc, ...]) -> dict[str, str]:
    """The files of Prometheus' configuration directory as the pod sees them: the volume
    "config" projects the generated ConfigMaps (scrape configuration and alert rules), each
    key to its item's path or, without items, to its own name."""
    files: dict[str, str] = {}
    for source in volume(pod(docs, PROMETHEUS), "config")["projected"]["sources"]:
        data = named(docs, "ConfigMap", source["configMap"]["name"])["data"]
        items = source["configMap"].get("items") or [{"key": k, "path": k} for k in data]
        for item in items:
            assert item["path"] not in files, f"two sources project {item['path']}"
            files[item["path"]] = data[item["key"]]
    return files


def rendered_scrape_config(docs: tuple[Doc, ...]) -> Config:
    """The scrape configuration as the cluster gets it: from the generated ConfigMap."""
    container = prometheus_container(docs)
    config_file = Path(flag(container, "--config.file"))
    assert mount_path(container, "config") == str(config_file.parent)
    loaded: Config = yaml.safe_load(config_directory(docs)[config_file.name])
    return loaded


def scrape_jobs(config: Config) -> dict[str, Config]:
    return {job["job_name"]: job for job in config["scrape_configs"]}


# --- simulated service discovery -----------------------------------------------------


def relabel(labels: Labels, configs: list[Mapping[str, Any]]) -> Labels | None:
    """Prometheus' relabelling for the actions the configuration uses; None = dropped."""
    result = dict(labels)
    for config in configs:
        action = config.get("action", "replace")
        separator = config.get("separator", ";")
        value = separator.join(result.get(name, "") for name in config.get("source_labels", []))
        # Prometheus anchors every regex at both ends.
        match = re.fullmatch(config.get("regex", "(.*)"), value)
        if action == "keep":
            if match is None:
                return None
        elif action == "drop":
            if match is not None:
                return None
        elif action == "replace":
            if match is None:
                continue
            template = re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", config.get("replacement", "$1"))
            replaced = match.expand(template)
            if replaced:
                result[config["target_label"]] = replaced
            else:
                result.pop(config["target_label"], None)
        else:
            pytest.fail(f"the simulation does not know relabel action {action!r}")
    return result


def discovered_targets(docs: tuple[Doc, ...], *, ready: bool) -> list[Labels]:
    """What the endpointslice role yields: one target per Service port and selected pod."""
    targets = []
    for service in of_kind(docs, "Service"):
        selected = [
            p
            for p in pods(docs)
            if selector_matches({"matchLabels": service["spec"]["selector"]}, p.labels)
        ]
        for port in service["spec"]["ports"]:
            for p in selected:
                target_port = port["targetPort"]
                numbers = (
                    container_port_numbers(p, target_port)
                    if isinstance(target_port, str)
                    else {target_port}
                )
                (number,) = numbers
                targets.append(
                    {
                        "__address__": f"{p.workload}-pod:{number}",
                        "__meta_kubernetes_namespace": service["metadata"]["namespace"],
                        "__meta_kubernetes_service_name": service["metadata"]["name"],
                        "__meta_kubernetes_endpointslice_port_name": port.get("name", ""),
                        "__meta_kubernetes_endpointslice_port": str(number),
                        "__meta_kubernetes_endpointslice_endpoint_conditions_ready": str(
                            ready
                        ).lower(),
                        "__meta_kubernetes_pod_name": f"{p.workload}-pod",
                        **{
                            "__meta_kubernetes_pod_label_"
                            + re.sub(r"[^a-zA-Z0-9_]", "_", key): value
                            for key, value in p.labels.items()
                        },
                    }
                )
    return targets


def scraped(docs: tuple[Doc, ...], *, ready: bool) -> list[tuple[str, str, str, Labels]]:
    """(job, address, metrics path, final labels) of every target Prometheus would scrape."""
    found: list[tuple[str, str, str, Labels]] = []
    config = rendered_scrape_config(docs)
    for job_name, job in scrape_jobs(config).items():
        for target in discovered_targets(docs, ready=ready):
            labels = relabel(target, job.get("relabel_configs", []))
            if labels is None:
                continue
            path = labels.get("__metrics_path__", str(job.get("metrics_path", "/metrics")))
            kept = {k: v for k, v in labels.items() if not k.startswith("__")}
            found.append((labels.get("job", job_name), labels["__address__"], path, kept))
    return found


# --- image and configuration ---------------------------------------------------------


def test_prometheus_runs_the_pinned_image_that_compose_runs(docs: tuple[Doc, ...]) -> None:
    image = prometheus_container(docs)["image"]
    assert PINNED_TAG.search(image), f"{image} is not pinned"
    assert image == compose_service(PROMETHEUS)["image"]


def test_scrape_jobs_match_the_compose_configuration(docs: tuple[Doc, ...]) -> None:
    # The operations dashboard groups by job; Compose and Kubernetes must name and
    # scrape the services alike, or one of the two shows empty panels.
    compose = load_yaml(COMPOSE_PROMETHEUS_CONFIG)
    kubernetes = rendered_scrape_config(docs)
    assert {name: job["metrics_path"] for name, job in scrape_jobs(kubernetes).items()} == {
        name: job["metrics_path"] for name, job in scrape_jobs(compose).items()
    }
    assert kubernetes["global"] == compose["global"]


def test_generated_config_map_holds_the_file_in_the_repository(docs: tuple[Doc, ...]) -> None:
    assert rendered_scrape_config(docs) == load_yaml(K8S_PROMETHEUS_CONFIG)


def test_grafana_time_interval_equals_the_scrape_interval(docs: tuple[Doc, ...]) -> None:
    (datasource,) = load_yaml(PROMETHEUS_DATASOURCE)["datasources"]
    interval = rendered_scrape_config(docs)["global"]["scrape_interval"]
    assert datasource["jsonData"]["timeInterval"] == interval


def test_discovery_reads_only_endpoint_slices_of_its_own_namespace(
    docs: tuple[Doc, ...],
) -> None:
    for name, job in scrape_jobs(rendered_scrape_config(docs)).items():
        assert "static_configs" not in job, f"{name}: a static Service address hits one replica"
        (sd_config,) = job["kubernetes_sd_configs"]
        # The Role grants this namespace only; another namespace would be refused.
        assert sd_config == {"role": "endpointslice", "namespaces": {"own_namespace": True}}


# --- service discovery ---------------------------------------------------------------


READINESS = [True, False]


@pytest.mark.parametrize("ready", READINESS, ids=["ready", "not-ready"])
@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_every_pod_of_a_service_is_scraped_on_its_metrics_port(
    docs: tuple[Doc, ...], service: ServiceSpec, ready: bool
) -> None:
    # Not-ready pods too: readiness fails while Kafka or ClickHouse is down, which is
    # when the metrics matter most.
    compose_paths = {
        name: job["metrics_path"]
        for name, job in scrape_jobs(load_yaml(COMPOSE_PROMETHEUS_CONFIG)).items()
    }
    targets = [t for t in scraped(docs, ready=ready) if t[0] == service.name]
    assert [(address, path) for _, address, path, _ in targets] == [
        (f"{service.name}-pod:{service.port}", compose_paths[service.name])
    ]
    (_, _, _, labels) = targets[0]
    # Series of different replicas stay apart, and say which pod they came from.
    assert labels["pod"] == f"{service.name}-pod"
    assert labels["namespace"] == NAMESPACE


def test_only_the_three_services_are_scraped(docs: tuple[Doc, ...]) -> None:
    jobs = {(job, address) for job, address, _, _ in scraped(docs, ready=True)}
    assert jobs == {(s.name, f"{s.name}-pod:{s.port}") for s in SERVICES}


# --- access to the Kubernetes API ----------------------------------------------------


def test_service_discovery_may_only_read_in_its_namespace(docs: tuple[Doc, ...]) -> None:
    assert of_kind(docs, "ClusterRole") == []
    assert of_kind(docs, "ClusterRoleBinding") == []
    role = named(docs, "Role", PROMETHEUS)
    granted: set[tuple[str, str]] = set()
    for rule in role["rules"]:
        assert set(rule["verbs"]) == READ_VERBS, rule
        assert "resourceNames" not in rule
        granted.update(
            (group, resource) for group in rule["apiGroups"] for resource in rule["resources"]
        )
    assert granted == DISCOVERY_RESOURCES


def test_the_role_is_bound_to_the_account_prometheus_runs_as(docs: tuple[Doc, ...]) -> None:
    binding = named(docs, "RoleBinding", PROMETHEUS)
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": PROMETHEUS,
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": PROMETHEUS, "namespace": NAMESPACE}
    ]
    account = named(docs, "ServiceAccount", PROMETHEUS)
    # The pod opts in; the account itself hands its token to nobody by default.
    assert account.get("automountServiceAccountToken") is False
    spec = pod(docs, PROMETHEUS).spec
    assert spec["serviceAccountName"] == PROMETHEUS
    assert spec["automountServiceAccountToken"] is True


def test_only_api_clients_run_with_a_service_account(docs: tuple[Doc, ...]) -> None:
    accounts = {
        p.workload: p.spec.get("serviceAccountName", "default")
        for p in pods(docs)
        if p.spec.get("automountServiceAccountToken") is not False
    }
    assert accounts == {workload: workload for workload in API_CLIENTS}


# --- the Prometheus pod --------------------------------------------------------------


def test_prometheus_keeps_its_data_on_a_persistent_volume_claim(docs: tuple[Doc, ...]) -> None:
    container = prometheus_container(docs)
    prometheus = pod(docs, PROMETHEUS)
    claim_name = volume(prometheus, "data")["persistentVolumeClaim"]["claimName"]
    claim = named(docs, "PersistentVolumeClaim", claim_name)
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert flag(container, "--storage.tsdb.path") == mount_path(container, "data")
    # Bounded by size too, so a burst of series cannot fill the volume.
    assert flag(container, "--storage.tsdb.retention.time")
    assert flag(container, "--storage.tsdb.retention.size")
    deployment = named(docs, "Deployment", PROMETHEUS)
    # A second pod could neither mount the volume nor take the TSDB lock.
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_prometheus_pod_is_hardened(docs: tuple[Doc, ...]) -> None:
    prometheus = pod(docs, PROMETHEUS)
    security = prometheus.spec["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] != 0
    for container in containers(prometheus.spec):
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        writable = {
            m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly", False)
        }
        # The data volume is the one place it writes.
        assert writable == {flag(container, "--storage.tsdb.path")}


@pytest.mark.parametrize(
    ("probe", "path"),
    [
        ("startupProbe", "/-/ready"),
        ("readinessProbe", "/-/ready"),
        ("livenessProbe", "/-/healthy"),
    ],
    ids=["startup", "readiness", "liveness"],
)
def test_prometheus_probes_use_its_health_endpoints(
    docs: tuple[Doc, ...], probe: str, path: str
) -> None:
    container = prometheus_container(docs)
    assert container[probe]["httpGet"] == {"path": path, "port": "http"}
    listen = flag(container, "--web.listen-address")
    assert container_port_numbers(pod(docs, PROMETHEUS), "http") == {int(listen.split(":")[-1])}


# --- Grafana's data source -----------------------------------------------------------


def grafana_env(docs: tuple[Doc, ...]) -> dict[str, Any]:
    (container,) = pod(docs, "grafana").spec["containers"]
    return {env["name"]: env.get("value") for env in container.get("env", [])}


def test_grafana_prometheus_url_points_at_the_prometheus_service(docs: tuple[Doc, ...]) -> None:
    url = urlsplit(grafana_env(docs)["PROMETHEUS_URL"])
    assert url.scheme == "http"
    assert url.path in {"", "/"}
    assert url.hostname is not None
    service_name, _, domain = url.hostname.partition(".")
    assert domain in {"", NAMESPACE, f"{NAMESPACE}.svc", f"{NAMESPACE}.svc.cluster.local"}
    service = named(docs, "Service", service_name)
    (port,) = [p for p in service["spec"]["ports"] if p["port"] == url.port]
    prometheus = pod(docs, PROMETHEUS)
    assert selector_matches({"matchLabels": service["spec"]["selector"]}, prometheus.labels)
    assert container_port_numbers(prometheus, port["targetPort"])


def test_grafana_prometheus_url_is_the_one_compose_uses(docs: tuple[Doc, ...]) -> None:
    compose = compose_service("grafana")["environment"]["PROMETHEUS_URL"]
    assert grafana_env(docs)["PROMETHEUS_URL"] == compose


def test_the_grafana_image_provisions_the_data_source_the_dashboard_uses() -> None:
    # Kubernetes runs deploy/grafana/Dockerfile, which bakes the provisioning files in;
    # the data source is only there if that copy includes it and it reads PROMETHEUS_URL.
    dockerfile = (GRAFANA / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(
        r"^COPY\s+provisioning/datasources/?\s+/etc/grafana/provisioning/datasources/?\s*$",
        dockerfile,
        re.MULTILINE,
    )
    (datasource,) = load_yaml(PROMETHEUS_DATASOURCE)["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "${PROMETHEUS_URL}"
    used: set[str] = set()
    for path in OPERATIONS_DASHBOARDS.glob("*.json"):
        used.update(prometheus_datasource_uids(json.loads(path.read_text(encoding="utf-8"))))
    assert used == {datasource["uid"]}


def prometheus_datasource_uids(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        reference = node.get("datasource")
        if isinstance(reference, dict) and reference.get("type") == "prometheus":
            found.add(reference["uid"])
        for value in node.values():
            found |= prometheus_datasource_uids(value)
    elif isinstance(node, list):
        for value in node:
            found |= prometheus_datasource_uids(value)
    return found

"""Offline checks of the Kubernetes manifests in deploy/k8s.

Both kustomizations (the base and the production overlay) are rendered with
`kubectl kustomize`, every rendered object is validated against the Kubernetes 1.32
schemas, and the properties the deployment relies on are asserted: probes, resources,
disruption budgets, autoscaling bounded by the partition count, no secret values, and
network policies that keep ClickHouse and the services closed.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_ROOT / "deploy"
README = DEPLOY_DIR / "README.md"
NAMESPACE = "waakhond"
KUBERNETES_VERSION = "1.32.0"

TARGETS = {
    "base": DEPLOY_DIR / "k8s" / "base",
    "production": DEPLOY_DIR / "k8s" / "overlays" / "production",
}

NAME_LABEL = "app.kubernetes.io/name"
# Workloads that read the Kubernetes API and therefore mount a service account token;
# every other pod must not (test_k8s_prometheus.py checks what the token may do).
API_CLIENTS = {"prometheus"}
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job", "CronJob")
CLUSTER_SCOPED_KINDS = {"Namespace"}

# Secrets the manifests expect to exist in the namespace: name -> keys read from it.
# deploy/README.md documents the same table.
EXPECTED_SECRETS: dict[str, set[str]] = {
    "waakhond-intake-api-keys": {"api-keys.json"},
    "waakhond-clickhouse-admin": {"username", "password"},
    "waakhond-clickhouse-writer": {"password"},
    "waakhond-clickhouse-grafana-reader": {"password"},
    "waakhond-grafana-admin": {"admin-user", "admin-password"},
    "waakhond-aggregator-read-keys": {"read-keys.json"},
    "waakhond-smtp": {"host", "port", "username", "password", "sender"},
    "waakhond-session-secrets": {"intake-form", "review"},
    "waakhond-status-token": {"token"},
}
# Only the production overlay: Grafana's OIDC client and the Ingresses' certificates.
PRODUCTION_SECRETS: dict[str, set[str]] = {
    "waakhond-grafana-oauth": {"client-id", "client-secret"},
    "waakhond-intake-tls": {"tls.crt", "tls.key"},
    "waakhond-grafana-tls": {"tls.crt", "tls.key"},
    "waakhond-trends-tls": {"tls.crt", "tls.key"},
}
# Production Ingress -> (Service, the paths it routes).
PRODUCTION_INGRESSES = {
    "intake": ("intake", ["/v1/"]),
    "grafana": ("grafana", ["/"]),
    "trends": ("aggregator", ["/v1/"]),
}
ALERTING_FILE = DEPLOY_DIR / "grafana" / "provisioning" / "alerting" / "waakhond-alerts.yaml"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    autoscaled_by_partitions: bool


SERVICES = [
    ServiceSpec("intake", 8000, autoscaled_by_partitions=False),
    ServiceSpec("classifier", 8001, autoscaled_by_partitions=True),
    ServiceSpec("aggregator", 8002, autoscaled_by_partitions=True),
]
SERVICE_IDS = [service.name for service in SERVICES]


@dataclass(frozen=True)
class Pod:
    """A pod template, named after the workload that owns it."""

    workload: str
    kind: str
    labels: Mapping[str, str]
    spec: Mapping[str, Any]


Doc = dict[str, Any]


@functools.cache
def render(target: str) -> tuple[Doc, ...]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is required to render the kustomizations (kubectl kustomize)")
    result = subprocess.run(
        [kubectl, "kustomize", str(TARGETS[target])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {target} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


@pytest.fixture(params=list(TARGETS), ids=list(TARGETS))
def docs(request: pytest.FixtureRequest) -> tuple[Doc, ...]:
    target: str = request.param
    return render(target)


def of_kind(docs: tuple[Doc, ...], kind: str) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] == kind]


def named(docs: tuple[Doc, ...], kind: str, name: str) -> Doc:
    matches = [doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected exactly one {kind}/{name}, found {len(matches)}"
    return matches[0]


def pods(docs: tuple[Doc, ...]) -> list[Pod]:
    found = []
    for doc in docs:
        if doc["kind"] in WORKLOAD_KINDS:
            spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
            template = spec["template"]
            found.append(
                Pod(
                    workload=doc["metadata"]["name"],
                    kind=doc["kind"],
                    labels=template["metadata"].get("labels", {}),
                    spec=template["spec"],
                )
            )
    return found


def pod(docs: tuple[Doc, ...], workload: str) -> Pod:
    matches = [p for p in pods(docs) if p.workload == workload]
    assert len(matches) == 1, f"expected exactly one workload {workload}"
    return matches[0]


def containers(pod_spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from pod_spec.get("initContainers", [])
    yield from pod_spec["containers"]


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Kubernetes label selector semantics; an empty selector matches everything."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def config_value(docs: tuple[Doc, ...], key: str) -> str:
    config_maps = [
        doc
        for doc in of_kind(docs, "ConfigMap")
        if doc["metadata"]["name"].startswith("waakhond-config")
    ]
    assert len(config_maps) == 1, "expected one generated waakhond-config ConfigMap"
    value: str = config_maps[0]["data"][key]
    return value


# --- schema and general hygiene ---------------------------------------------------------


def test_every_document_is_valid_for_kubernetes_1_32(docs: tuple[Doc, ...]) -> None:
    errors = []
    for doc in docs:
        ref = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{ref}: {error.message} at {'/'.join(map(str, error.path))}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"{ref}: {error.message}")
    assert not errors, "\n".join(errors)


def test_everything_lives_in_the_waakhond_namespace(docs: tuple[Doc, ...]) -> None:
    assert named(docs, "Namespace", NAMESPACE)
    outside = [
        f"{doc['kind']}/{doc['metadata']['name']}"
        for doc in docs
        if doc["kind"] not in CLUSTER_SCOPED_KINDS and doc["metadata"].get("namespace") != NAMESPACE
    ]
    assert not outside, f"objects outside namespace {NAMESPACE}: {outside}"


def test_every_container_has_requests_and_limits(docs: tuple[Doc, ...]) -> None:
    missing = []
    for p in pods(docs):
        for container in containers(p.spec):
            resources = container.get("resources", {})
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(section, {}):
                        missing.append(f"{p.workload}/{container['name']}: {section}.{resource}")
    assert not missing, f"containers without resources: {missing}"


def test_every_http_container_has_readiness_and_liveness_probes(docs: tuple[Doc, ...]) -> None:
    missing = []
    for p in pods(docs):
        for container in containers(p.spec):
            ports = {port.get("name") for port in container.get("ports", [])}
            if "http" not in ports:
                continue
            for probe in ("readinessProbe", "livenessProbe"):
                if "httpGet" not in container.get(probe, {}):
                    missing.append(f"{p.workload}/{container['name']}: {probe}")
    assert not missing, f"HTTP containers without HTTP probes: {missing}"


def test_pods_meet_the_restricted_pod_security_standard(docs: tuple[Doc, ...]) -> None:
    labels = named(docs, "Namespace", NAMESPACE)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    problems = []
    for p in pods(docs):
        pod_security = p.spec.get("securityContext", {})
        mounts_token = p.spec.get("automountServiceAccountToken") is not False
        if mounts_token and p.workload not in API_CLIENTS:
            problems.append(f"{p.workload}: mounts a service account token")
        if not mounts_token and p.workload in API_CLIENTS:
            problems.append(f"{p.workload}: needs its token for the Kubernetes API")
        if pod_security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{p.workload}: no RuntimeDefault seccomp profile")
        for container in containers(p.spec):
            security = container.get("securityContext", {})
            ref = f"{p.workload}/{container['name']}"
            if not (security.get("runAsNonRoot") or pod_security.get("runAsNonRoot")):
                problems.append(f"{ref}: runAsNonRoot is not set")
            if security.get("runAsUser", pod_security.get("runAsUser")) in (None, 0):
                problems.append(f"{ref}: no numeric non-root runAsUser")
            if security.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{ref}: allowPrivilegeEscalation is not false")
            if security.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{ref}: capabilities are not dropped")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_service_pods_have_a_read_only_root_filesystem(
    docs: tuple[Doc, ...], service: ServiceSpec
) -> None:
    for container in containers(pod(docs, service.name).spec):
        assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_services_select_pods_and_name_existing_ports(docs: tuple[Doc, ...]) -> None:
    problems = []
    for service in of_kind(docs, "Service"):
        name = service["metadata"]["name"]
        selected = [
            p
            for p in pods(docs)
            if selector_matches({"matchLabels": service["spec"]["selector"]}, p.labels)
        ]
        if {p.kind for p in selected} - {"Deployment", "StatefulSet"} or not selected:
            problems.append(f"Service {name} selects {[p.workload for p in selected]}")
            continue
        for port in service["spec"]["ports"]:
            target = port["targetPort"]
            names = {
                container_port.get("name")
                for p in selected
                for container in containers(p.spec)
                for container_port in container.get("ports", [])
            }
            if target not in names:
                problems.append(f"Service {name}: targetPort {target} is not a container port")
    assert not problems, "\n".join(problems)


# --- the three services -----------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_service_probes_use_the_health_endpoints(
    docs: tuple[Doc, ...], service: ServiceSpec
) -> None:
    (container,) = pod(docs, service.name).spec["containers"]
    assert container["ports"] == [{"name": "http", "containerPort": service.port}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    # The image's CMD starts the right subcommand; a command here would override it.
    assert "command" not in container
    assert "args" not in container


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_service_has_a_pod_disruption_budget(docs: tuple[Doc, ...], service: ServiceSpec) -> None:
    labels = pod(docs, service.name).labels
    budgets = [
        pdb
        for pdb in of_kind(docs, "PodDisruptionBudget")
        if selector_matches(pdb["spec"]["selector"], labels)
    ]
    assert len(budgets) == 1, f"{service.name}: expected one PodDisruptionBudget"
    # maxUnavailable lets a single-replica Deployment be drained; minAvailable: 1 would not.
    assert budgets[0]["spec"].get("maxUnavailable") == 1


@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_autoscaled_deployment_leaves_the_replica_count_to_the_hpa(
    docs: tuple[Doc, ...], service: ServiceSpec
) -> None:
    hpa = named(docs, "HorizontalPodAutoscaler", service.name)
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": service.name,
    }
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert "replicas" not in named(docs, "Deployment", service.name)["spec"]


@pytest.mark.parametrize(
    "service", [s for s in SERVICES if s.autoscaled_by_partitions], ids=lambda s: s.name
)
def test_consumer_replicas_are_bounded_by_the_partition_count(
    docs: tuple[Doc, ...], service: ServiceSpec
) -> None:
    partitions = int(config_value(docs, "WAAKHOND_TOPIC_PARTITIONS"))
    hpa = named(docs, "HorizontalPodAutoscaler", service.name)
    assert hpa["spec"]["maxReplicas"] == partitions


def test_services_are_configured_from_one_config_map(docs: tuple[Doc, ...]) -> None:
    assert config_value(docs, "WAAKHOND_KAFKA_BOOTSTRAP_SERVERS") == "kafka:9092"
    assert config_value(docs, "WAAKHOND_CLICKHOUSE_DSN") == "http://clickhouse:8123"
    assert config_value(docs, "WAAKHOND_CLICKHOUSE_DATABASE") == "waakhond"
    assert config_value(docs, "WAAKHOND_TOPIC_SUBMITTED") == "signals.submitted"
    assert config_value(docs, "WAAKHOND_TOPIC_CLASSIFIED") == "signals.classified"
    assert config_value(docs, "WAAKHOND_TOPIC_REVIEWED") == "signals.reviewed"
    assert config_value(docs, "WAAKHOND_TOPIC_DEADLETTER") == "signals.deadletter"
    # The addresses in the ConfigMap are Services of this namespace.
    kafka_ports = [p["port"] for p in named(docs, "Service", "kafka")["spec"]["ports"]]
    clickhouse_ports = [p["port"] for p in named(docs, "Service", "clickhouse")["spec"]["ports"]]
    assert kafka_ports == [9092]
    assert clickhouse_ports == [8123]
    for p in pods(docs):
        if p.labels.get(NAME_LABEL) in {"intake", "classifier", "aggregator", "topics"}:
            (container,) = p.spec["containers"]
            refs = [source["configMapRef"]["name"] for source in container["envFrom"]]
            assert len(refs) == 1
            assert refs[0].startswith("waakhond-config"), p.workload


@pytest.mark.parametrize(
    ("workload", "command"),
    [
        ("topics-create", ["waakhond", "topics", "create"]),
        ("migrate", ["waakhond", "migrate"]),
    ],
)
def test_setup_jobs_run_their_subcommand(
    docs: tuple[Doc, ...], workload: str, command: list[str]
) -> None:
    job = named(docs, "Job", workload)
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == command
    assert job["spec"]["template"]["spec"]["restartPolicy"] in {"OnFailure", "Never"}


# --- secrets ----------------------------------------------------------------------------


def test_rendered_manifests_contain_no_secret(docs: tuple[Doc, ...]) -> None:
    assert of_kind(docs, "Secret") == []


def test_repository_contains_no_secret_objects_or_generators() -> None:
    offenders = []
    for path in sorted(DEPLOY_DIR.rglob("*.y*ml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not isinstance(doc, dict):
                continue
            if doc.get("kind") == "Secret" or "secretGenerator" in doc:
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert not offenders, f"secret values belong in the cluster, not in: {offenders}"


def secret_references(docs: tuple[Doc, ...]) -> dict[str, set[str]]:
    """Secret name -> keys, from secretKeyRef, envFrom secretRef and secret volumes."""
    found: dict[str, set[str]] = {}
    for p in pods(docs):
        for container in containers(p.spec):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    found.setdefault(ref["name"], set()).add(ref["key"])
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    found.setdefault(source["secretRef"]["name"], set()).add("*")
        for volume in p.spec.get("volumes", []):
            if "secret" in volume:
                keys = {item["key"] for item in volume["secret"].get("items", [])} or {"*"}
                found.setdefault(volume["secret"]["secretName"], set()).update(keys)
    for ingress in of_kind(docs, "Ingress"):
        for tls in ingress["spec"].get("tls", []):
            found.setdefault(tls["secretName"], set()).update({"tls.crt", "tls.key"})
    return found


def test_secret_references_match_the_documented_secrets(docs: tuple[Doc, ...]) -> None:
    references = secret_references(docs)
    expected = dict(EXPECTED_SECRETS)
    if of_kind(docs, "Ingress"):
        expected |= PRODUCTION_SECRETS
    assert references == expected


def test_readme_documents_every_secret_and_key() -> None:
    readme = README.read_text(encoding="utf-8")
    for name, keys in (EXPECTED_SECRETS | PRODUCTION_SECRETS).items():
        assert f"`{name}`" in readme, f"deploy/README.md does not mention Secret {name}"
        for key in keys:
            assert f"`{key}`" in readme, f"deploy/README.md does not mention key {key}"


def test_secrets_are_required_not_optional(docs: tuple[Doc, ...]) -> None:
    # An optional reference would start a pod without its password: ClickHouse would then
    # create a password-less account from its users.d file.
    for p in pods(docs):
        for container in containers(p.spec):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert not ref.get("optional", False), f"{p.workload}: {env['name']}"


# --- network policies -------------------------------------------------------------------


def policies(docs: tuple[Doc, ...]) -> list[Doc]:
    return of_kind(docs, "NetworkPolicy")


def policy_types(policy: Doc) -> list[str]:
    types: list[str] = policy["spec"]["policyTypes"]
    return types


def peer_is_external(peer: Mapping[str, Any]) -> bool:
    """True when a peer admits traffic from outside the namespace."""
    return "ipBlock" in peer or "namespaceSelector" in peer


def peer_matches_pod(peer: Mapping[str, Any], target: Pod) -> bool:
    if "ipBlock" in peer:
        return False
    namespace_selector = peer.get("namespaceSelector")
    if namespace_selector is not None and not selector_matches(
        namespace_selector, {"kubernetes.io/metadata.name": NAMESPACE}
    ):
        return False
    return selector_matches(peer.get("podSelector", {}), target.labels)


def container_port_numbers(target: Pod, name: str) -> set[int]:
    return {
        container_port["containerPort"]
        for container in containers(target.spec)
        for container_port in container.get("ports", [])
        if container_port.get("name") == name
    }


def port_allowed(ports: list[Mapping[str, Any]] | None, port: int, destination: Pod) -> bool:
    """Whether a rule's ports admit `port`; a named port means the destination pod's port."""
    if ports is None:
        return True
    for rule_port in ports:
        value = rule_port.get("port")
        if value is None or value == port:
            return True
        if isinstance(value, str) and port in container_port_numbers(destination, value):
            return True
    return False


def traffic_allowed(docs: tuple[Doc, ...], source: Pod, target: Pod, port: int) -> bool:
    """Whether the namespace's NetworkPolicies let source open a connection to target:port."""

    def allowed(direction: str, subject: Pod, other: Pod, peer_key: str) -> bool:
        selecting = [
            policy
            for policy in policies(docs)
            if direction in policy_types(policy)
            and selector_matches(policy["spec"]["podSelector"], subject.labels)
        ]
        if not selecting:
            return True
        for policy in selecting:
            for rule in policy["spec"].get(direction.lower(), []):
                peers = rule.get(peer_key)
                if not port_allowed(rule.get("ports"), port, target):
                    continue
                if peers is None or any(peer_matches_pod(peer, other) for peer in peers):
                    return True
        return False

    return allowed("Egress", source, target, "to") and allowed("Ingress", target, source, "from")


def test_default_deny_policy_covers_every_pod(docs: tuple[Doc, ...]) -> None:
    deny_all = [
        policy
        for policy in policies(docs)
        if policy["spec"]["podSelector"] == {}
        and set(policy_types(policy)) == {"Ingress", "Egress"}
        and not policy["spec"].get("ingress")
        and not policy["spec"].get("egress")
    ]
    assert len(deny_all) == 1


def test_clickhouse_accepts_connections_only_from_aggregator_and_grafana(
    docs: tuple[Doc, ...],
) -> None:
    clickhouse = pod(docs, "clickhouse")
    allowed_names: set[str] = set()
    for policy in policies(docs):
        if "Ingress" not in policy_types(policy):
            continue
        if not selector_matches(policy["spec"]["podSelector"], clickhouse.labels):
            continue
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from")
            assert peers is not None, f"{policy['metadata']['name']}: admits any source"
            for peer in peers:
                assert not peer_is_external(peer), f"{policy['metadata']['name']}: {peer}"
                allowed_names.update(
                    p.labels[NAME_LABEL]
                    for p in pods(docs)
                    if selector_matches(peer.get("podSelector", {}), p.labels)
                )
    assert allowed_names == {"aggregator", "grafana"}


def test_only_intake_is_reachable_from_outside_in_the_base() -> None:
    assert exposed_workloads(render("base")) == {"intake"}


def test_production_exposes_intake_grafana_and_the_trends_api_to_the_ingress_only() -> None:
    docs = render("production")
    assert exposed_workloads(docs) == {"intake", "grafana", "aggregator"}
    controller = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
    }
    for policy in policies(docs):
        for rule in policy["spec"].get("ingress", []):
            external = [peer for peer in rule.get("from", []) if peer_is_external(peer)]
            assert external in ([], [controller]), policy["metadata"]["name"]
    # The trends API admits the controller on the API's port only, never the setup pods.
    trends = named(docs, "NetworkPolicy", "trends-from-ingress")
    assert trends["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8002}]
    admitted = [
        p.workload for p in pods(docs) if selector_matches(trends["spec"]["podSelector"], p.labels)
    ]
    assert admitted == ["aggregator"]


def exposed_workloads(docs: tuple[Doc, ...]) -> set[str]:
    exposed: set[str] = set()
    for policy in policies(docs):
        if "Ingress" not in policy_types(policy):
            continue
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from")
            if peers is None or any(peer_is_external(peer) for peer in peers):
                exposed.update(
                    p.workload
                    for p in pods(docs)
                    if selector_matches(policy["spec"]["podSelector"], p.labels)
                )
    return exposed


def test_production_admits_only_the_ingress_controller_to_intake() -> None:
    policy = named(render("production"), "NetworkPolicy", "intake")
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
                    }
                }
            ],
            "ports": [{"protocol": "TCP", "port": 8000}],
        }
    ]


FLOWS = [
    # (source workload, target workload, port, allowed)
    ("intake", "kafka", 9092, True),
    ("classifier", "kafka", 9092, True),
    ("aggregator", "kafka", 9092, True),
    ("topics-create", "kafka", 9092, True),
    ("aggregator", "clickhouse", 8123, True),
    ("migrate", "clickhouse", 8123, True),
    ("grafana", "clickhouse", 8123, True),
    ("intake", "clickhouse", 8123, False),
    ("classifier", "clickhouse", 8123, False),
    ("topics-create", "clickhouse", 8123, False),
    ("kafka", "clickhouse", 8123, False),
    ("grafana", "kafka", 9092, False),
    ("migrate", "kafka", 9093, False),
    # Signal statuses for GET /v1/signals (behind a token as well).
    ("intake", "aggregator", 8002, True),
    ("intake", "aggregator", 8123, False),
    ("classifier", "aggregator", 8002, False),
    ("grafana", "aggregator", 8002, False),
    ("classifier", "intake", 8000, False),
    ("aggregator", "grafana", 3000, False),
]


@pytest.mark.parametrize(
    ("source", "target", "port", "expected"),
    FLOWS,
    ids=[f"{s}-to-{t}:{p}" for s, t, p, _ in FLOWS],
)
def test_network_flows(
    docs: tuple[Doc, ...], source: str, target: str, port: int, expected: bool
) -> None:
    assert traffic_allowed(docs, pod(docs, source), pod(docs, target), port) is expected


# --- production overlay -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "service", "routed"),
    [(name, *spec) for name, spec in PRODUCTION_INGRESSES.items()],
    ids=list(PRODUCTION_INGRESSES),
)
def test_production_ingress_routes_only_what_it_should(
    name: str, service: str, routed: list[str]
) -> None:
    ingress = named(render("production"), "Ingress", name)
    paths = [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert [path["path"] for path in paths] == routed
    for path in paths:
        assert path["backend"]["service"] == {"name": service, "port": {"name": "http"}}
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert ingress["spec"]["tls"], "the Ingress must terminate TLS"
    assert [h for tls in ingress["spec"]["tls"] for h in tls["hosts"]] == hosts


def test_production_ingresses_have_hosts_of_their_own() -> None:
    # intake and the trends API both serve /v1/: one host each keeps them apart.
    hosts = [
        rule["host"]
        for ingress in of_kind(render("production"), "Ingress")
        for rule in ingress["spec"]["rules"]
    ]
    assert len(hosts) == len(set(hosts)) == len(PRODUCTION_INGRESSES)


def test_production_ingress_keeps_each_api_key_on_one_intake_replica() -> None:
    """The per-organisation rate limit is a bucket per replica: it is the organisation's
    whole limit only if all of its requests reach the same replica."""
    ingress = named(render("production"), "Ingress", "intake")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$http_authorization"


def test_base_has_no_ingress() -> None:
    assert of_kind(render("base"), "Ingress") == []


def test_production_images_are_pinned_and_from_the_registry() -> None:
    images = [
        container["image"] for p in pods(render("production")) for container in containers(p.spec)
    ]
    tag = re.compile(r"^[^@]+:(?!latest$)[\w][\w.-]*$|@sha256:[0-9a-f]{64}$")
    unpinned = [image for image in images if not tag.search(image)]
    assert not unpinned, f"images without a pinned tag: {unpinned}"
    placeholders = [image for image in images if image.startswith("waakhond/")]
    assert not placeholders, f"images not rewritten by the overlay: {placeholders}"

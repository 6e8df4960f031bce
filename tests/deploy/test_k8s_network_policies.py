"""Offline checks that the NetworkPolicies in deploy/k8s describe every pod's traffic.

test_k8s_manifests.py evaluates individual connections; these tests check the policy set
as a whole: every pod has a policy of its own in both directions, every admitted port is
one the target actually listens on, only Prometheus leaves the pod network (for the
API server), and the monitoring flows work in the base and in every overlay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.deploy.test_k8s_manifests import (
    NAMESPACE,
    SERVICES,
    TARGETS,
    Doc,
    Pod,
    container_port_numbers,
    containers,
    peer_matches_pod,
    pod,
    pods,
    policies,
    policy_types,
    render,
    selector_matches,
    traffic_allowed,
)

DNS_PORTS = {("UDP", 53), ("TCP", 53)}
API_SERVER_PORTS = {("TCP", 443), ("TCP", 6443)}
MAIL_PORTS = {("TCP", 25), ("TCP", 465), ("TCP", 587)}


@pytest.fixture(params=list(TARGETS), ids=list(TARGETS))
def docs(request: pytest.FixtureRequest) -> tuple[Doc, ...]:
    target: str = request.param
    return render(target)


def selected_pods(docs: tuple[Doc, ...], policy: Doc) -> list[Pod]:
    return [p for p in pods(docs) if selector_matches(policy["spec"]["podSelector"], p.labels)]


def exposed_ports(p: Pod) -> set[int]:
    return {
        port["containerPort"]
        for container in containers(p.spec)
        for port in container.get("ports", [])
    }


def resolves(rule_port: Mapping[str, Any], p: Pod) -> bool:
    """Whether a rule's port is one the pod listens on (named ports resolve per pod)."""
    value = rule_port.get("port")
    if value is None:
        return True
    if isinstance(value, str):
        return bool(container_port_numbers(p, value))
    return value in exposed_ports(p)


def rules(policy: Doc, key: str) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = policy["spec"].get(key, [])
    return found


def port_set(rule: Mapping[str, Any]) -> set[tuple[str, int]]:
    return {(p.get("protocol", "TCP"), p["port"]) for p in rule.get("ports", [])}


@pytest.mark.parametrize("direction", ["Ingress", "Egress"], ids=["ingress", "egress"])
def test_every_pod_has_a_policy_of_its_own(docs: tuple[Doc, ...], direction: str) -> None:
    # The namespace-wide deny covers everything; a policy that names the pod is where
    # its allowed traffic is written down, so a new workload without one stands out.
    uncovered = [
        p.workload
        for p in pods(docs)
        if not any(
            direction in policy_types(policy) and policy["spec"]["podSelector"]
            for policy in policies(docs)
            if selector_matches(policy["spec"]["podSelector"], p.labels)
        )
    ]
    assert not uncovered, f"pods without their own {direction} policy: {uncovered}"


def test_every_admitted_ingress_port_is_one_the_target_listens_on(
    docs: tuple[Doc, ...],
) -> None:
    problems: list[str] = []
    for policy in policies(docs):
        # Pods that listen on nothing (the migrate Job shares the aggregator's labels)
        # get no traffic either way; the rule is meant for their siblings.
        listening = [p for p in selected_pods(docs, policy) if exposed_ports(p)]
        for rule in rules(policy, "ingress"):
            for rule_port in rule.get("ports", []):
                problems.extend(
                    f"{policy['metadata']['name']}: {p.workload} does not listen on "
                    f"{rule_port['port']}"
                    for p in listening
                    if not resolves(rule_port, p)
                )
    assert not problems, "\n".join(problems)


def test_every_admitted_egress_port_is_one_a_peer_listens_on(docs: tuple[Doc, ...]) -> None:
    problems: list[str] = []
    for policy in policies(docs):
        for rule in rules(policy, "egress"):
            in_namespace = [
                peer
                for peer in rule.get("to", [])
                if "ipBlock" not in peer and "namespaceSelector" not in peer
            ]
            if not in_namespace:
                continue
            peers = [p for p in pods(docs) if any(peer_matches_pod(x, p) for x in in_namespace)]
            if not peers:
                problems.append(f"{policy['metadata']['name']}: egress to no pod: {rule}")
            for rule_port in rule.get("ports", []):
                if not any(resolves(rule_port, p) for p in peers):
                    problems.append(
                        f"{policy['metadata']['name']}: no peer listens on {rule_port['port']}"
                    )
    assert not problems, "\n".join(problems)


# Egress to addresses outside the cluster (ipBlock): policy -> (the pods it selects, the
# ports). Prometheus for the API server; Grafana and the digest for the mail server;
# Grafana in production for the OpenID Connect provider.
EXTERNAL_EGRESS: dict[str, tuple[set[str], set[tuple[str, int]]]] = {
    "prometheus": ({"prometheus"}, API_SERVER_PORTS),
    "mail-out": ({"grafana", "digest"}, MAIL_PORTS),
    "grafana-oidc": ({"grafana"}, {("TCP", 443)}),
}


def test_only_dns_the_api_server_mail_and_sign_in_lie_outside_the_namespace(
    docs: tuple[Doc, ...],
) -> None:
    for policy in policies(docs):
        name = policy["metadata"]["name"]
        for rule in rules(policy, "egress"):
            peers = rule.get("to")
            assert peers, f"{name}: egress rule without peers admits every destination"
            if any("ipBlock" in peer for peer in peers):
                assert name in EXTERNAL_EGRESS, name
                workloads, ports = EXTERNAL_EGRESS[name]
                assert {p.workload for p in selected_pods(docs, policy)} == workloads, name
                assert port_set(rule) == ports, name
                assert all("ipBlock" in peer for peer in peers), name
            elif any("namespaceSelector" in peer for peer in peers):
                assert peers == [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                        },
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ], name
                assert port_set(rule) == DNS_PORTS, name


def test_oidc_egress_only_in_production() -> None:
    assert "grafana-oidc" not in {p["metadata"]["name"] for p in policies(render("base"))}
    assert "grafana-oidc" in {p["metadata"]["name"] for p in policies(render("production"))}


MONITORING_FLOWS = [
    # (source workload, target workload, port, allowed)
    *[("prometheus", s.name, s.port, True) for s in SERVICES],
    ("grafana", "prometheus", 9090, True),
    # Each service admits Prometheus on its own port only.
    ("prometheus", "intake", 8001, False),
    ("prometheus", "classifier", 8000, False),
    ("prometheus", "aggregator", 8000, False),
    ("prometheus", "kafka", 9092, False),
    ("prometheus", "clickhouse", 8123, False),
    ("prometheus", "grafana", 3000, False),
    ("intake", "prometheus", 9090, False),
    ("classifier", "prometheus", 9090, False),
    ("aggregator", "prometheus", 9090, False),
    ("kafka", "prometheus", 9090, False),
    ("clickhouse", "prometheus", 9090, False),
    # Prometheus' admission to the services must not open them to each other.
    ("intake", "classifier", 8001, False),
    ("classifier", "aggregator", 8002, False),
    ("aggregator", "intake", 8000, False),
]


@pytest.mark.parametrize(
    ("source", "target", "port", "expected"),
    MONITORING_FLOWS,
    ids=[f"{s}-to-{t}:{p}" for s, t, p, _ in MONITORING_FLOWS],
)
def test_monitoring_flows(
    docs: tuple[Doc, ...], source: str, target: str, port: int, expected: bool
) -> None:
    assert traffic_allowed(docs, pod(docs, source), pod(docs, target), port) is expected


def test_prometheus_is_not_reachable_from_outside_the_namespace(docs: tuple[Doc, ...]) -> None:
    prometheus = pod(docs, "prometheus")
    for policy in policies(docs):
        if "Ingress" not in policy_types(policy) or prometheus not in selected_pods(docs, policy):
            continue
        for rule in rules(policy, "ingress"):
            peers = rule.get("from")
            assert peers, f"{policy['metadata']['name']}: admits every source"
            for peer in peers:
                assert "ipBlock" not in peer
                namespace = peer.get("namespaceSelector")
                assert namespace is None or selector_matches(
                    namespace, {"kubernetes.io/metadata.name": NAMESPACE}
                )

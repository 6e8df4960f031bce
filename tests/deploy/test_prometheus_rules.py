"""The alert rules in deploy/prometheus/rules/: promtool checks them and runs their unit tests
(deploy/prometheus/tests/), Compose and Kubernetes both load them, and every alert names only
metrics and labels the services export, carries what operators and Alertmanager routing rely
on (severity, audience, English summary and description) and links to its own section of
docs/runbook.md.

promtool comes from Debian's package prometheus (`make system-deps`, which `make test` runs).
Without it the promtool tests fail and say how to get it, in CI and elsewhere alike.
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import waakhond_aggregator.metrics as aggregator_metrics
import waakhond_classifier.metrics as classifier_metrics
import waakhond_intake.metrics as intake_metrics
import waakhond_runtime.http_metrics as http_metrics
from tests.deploy.test_compose_file import resolved_model
from tests.deploy.test_k8s_manifests import DEPLOY_DIR, REPO_ROOT, TARGETS, render
from tests.deploy.test_k8s_prometheus import (
    COMPOSE_PROMETHEUS_CONFIG,
    config_directory,
    prometheus_container,
    rendered_scrape_config,
)
from tests.tools.dashboards.test_operations import (
    DUTCH_WORDS,
    HISTOGRAM_LABEL,
    TARGET_LABELS,
    grouping_labels,
    metric_names,
    registered_metrics,
    words,
)

PROMETHEUS_DIR = DEPLOY_DIR / "prometheus"
RULES_DIR = PROMETHEUS_DIR / "rules"
RULE_FILES = sorted(RULES_DIR.glob("*.yml"))
UNIT_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
RUNBOOK = REPO_ROOT / "docs" / "runbook.md"
RUNBOOK_URL = "https://waakhond.nl/docs/runbook#"
# Where both deployments put prometheus.yml; rules/ lies beside it.
CONFIG_DIR = Path("/etc/prometheus")

SEVERITIES = {"critical", "warning"}
AUDIENCE = "operations"
TEXTS = ("summary", "description")
ENGLISH_WORDS = {"the", "is", "are", "has", "for", "of", "in"}
# Metrics the rules read that no Waakhond service exports, and who does.
EXTERNAL_METRICS = {
    "up": "Prometheus itself, per target",
    "kubelet_volume_stats_available_bytes": "the kubelet (Kubernetes)",
    "kubelet_volume_stats_capacity_bytes": "the kubelet (Kubernetes)",
    "node_filesystem_avail_bytes": "node_exporter (Compose, job node)",
    "node_filesystem_size_bytes": "node_exporter (Compose, job node)",
}
SERVICE_METRICS = registered_metrics(
    (intake_metrics, classifier_metrics, aggregator_metrics, http_metrics)
)

Rule = dict[str, Any]


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        reason = (
            "promtool is not installed; `make system-deps` installs it "
            "(apt-get install --no-install-recommends prometheus)"
        )
        pytest.fail(reason)
    return found


def run_promtool(*arguments: str, cwd: Path = REPO_ROOT) -> str:
    """promtool's output; a failure shows all of it."""
    result = subprocess.run(
        [promtool(), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )
    output = f"{result.stdout}\n{result.stderr}".strip()
    assert result.returncode == 0, f"promtool {' '.join(arguments)} failed:\n{output}"
    return output


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def rules() -> Iterator[Rule]:
    for path in RULE_FILES:
        for group in load(path)["groups"]:
            yield from group["rules"]


ALERTS = [rule for rule in rules() if "alert" in rule]
ALERT_NAMES = sorted({rule["alert"] for rule in ALERTS})
RECORDED = {rule["record"] for rule in rules() if "record" in rule}
ALERT_PARAMS = [
    pytest.param(rule, id=f"{rule['alert']}-{rule['labels']['severity']}") for rule in ALERTS
]


def test_there_are_rule_files_and_unit_tests() -> None:
    assert [p.name for p in RULE_FILES] == ["waakhond-alerts.yml"]
    assert UNIT_TESTS


# --- promtool ------------------------------------------------------------------------------


def test_promtool_checks_the_rules() -> None:
    output = run_promtool("check", "rules", *map(str, RULE_FILES))
    assert f"SUCCESS: {len(list(rules()))} rules found" in output, output


def test_promtool_unit_tests_pass() -> None:
    # Relative paths, so that promtool's output names the files as they are in the tree.
    output = run_promtool("test", "rules", *(str(p.relative_to(REPO_ROOT)) for p in UNIT_TESTS))
    assert output.count("SUCCESS") == len(UNIT_TESTS), output


def compose_config_directory(target: Path) -> Path:
    """/etc/prometheus as the Compose service sees it: its bind mounts below that folder,
    copied into ``target``."""
    (service,) = [s for name, s in resolved_model()["services"].items() if name == "prometheus"]
    for mount in service["volumes"]:
        inside = Path(mount["target"])
        if mount["type"] != "bind" or not inside.is_relative_to(CONFIG_DIR):
            continue
        assert mount.get("read_only") is True, mount
        source, copy = Path(mount["source"]), target / inside.relative_to(CONFIG_DIR)
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy)
        else:
            shutil.copyfile(source, copy)
    return target


def test_promtool_checks_the_compose_configuration_with_the_rules_it_loads(
    tmp_path: Path,
) -> None:
    directory = compose_config_directory(tmp_path / "etc-prometheus")
    output = run_promtool("check", "config", str(directory / "prometheus.yml"))
    for path in RULE_FILES:
        assert f"SUCCESS: {len(list(rules()))} rules found" in output, output
        assert (directory / "rules" / path.name).read_bytes() == path.read_bytes()


def test_promtool_checks_the_rules_kubernetes_loads(tmp_path: Path) -> None:
    # Debian's promtool is built without Kubernetes service discovery, so `check config`
    # refuses the Kubernetes scrape configuration; the rules it loads are checked instead.
    docs = render("base")
    for relative, content in config_directory(docs).items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(content, encoding="utf-8")
    loaded = loaded_rule_files(rendered_scrape_config(docs), tmp_path)
    run_promtool("check", "rules", *map(str, loaded))


# --- both deployments load the one file ----------------------------------------------------


def loaded_rule_files(config: dict[str, Any], directory: Path) -> list[Path]:
    """The files a configuration's rule_files globs select, relative to its directory."""
    found: list[Path] = []
    for pattern in config["rule_files"]:
        assert not Path(pattern).is_absolute(), "rule_files are relative to prometheus.yml"
        found += [Path(p) for p in sorted(glob.glob(str(directory / pattern)))]
    return found


def test_compose_loads_every_rule_file(tmp_path: Path) -> None:
    directory = compose_config_directory(tmp_path)
    loaded = loaded_rule_files(load(directory / "prometheus.yml"), directory)
    assert [p.name for p in loaded] == [p.name for p in RULE_FILES]
    assert load(COMPOSE_PROMETHEUS_CONFIG) == load(directory / "prometheus.yml")


@pytest.mark.parametrize("target", list(TARGETS))
def test_kubernetes_loads_every_rule_file_from_the_generated_config_map(
    tmp_path: Path, target: str
) -> None:
    docs = render(target)
    files = config_directory(docs)
    # The rules as projected are the files in the repository, byte for byte: generated
    # from them, never copied.
    assert {k: v for k, v in files.items() if k.startswith("rules/")} == {
        f"rules/{p.name}": p.read_text(encoding="utf-8") for p in RULE_FILES
    }
    for relative, content in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(content, encoding="utf-8")
    loaded = loaded_rule_files(rendered_scrape_config(docs), tmp_path)
    assert [p.name for p in loaded] == [p.name for p in RULE_FILES]
    mount = prometheus_container(docs)["volumeMounts"]
    assert {"name": "config", "mountPath": str(CONFIG_DIR), "readOnly": True} in mount


def test_both_deployments_load_the_rules_with_the_same_configuration_entry() -> None:
    kubernetes = rendered_scrape_config(render("base"))
    assert kubernetes["rule_files"] == load(COMPOSE_PROMETHEUS_CONFIG)["rule_files"]


# --- what each alert says ------------------------------------------------------------------


@pytest.mark.parametrize("rule", ALERT_PARAMS)
def test_alert_has_severity_audience_and_english_texts(rule: Rule) -> None:
    assert rule["labels"]["severity"] in SEVERITIES
    assert rule["labels"]["audience"] == AUDIENCE
    annotations = rule["annotations"]
    assert set(annotations) == {"summary", "description", "runbook_url"}
    texts = {key: re.sub(r"\{\{.*?\}\}", " ", annotations[key]) for key in TEXTS}
    for key, text in texts.items():
        assert text.strip(), key
        assert not words(text) & DUTCH_WORDS, f"Dutch in {key}: {text}"
    assert words(texts["description"]) & ENGLISH_WORDS, texts["description"]


@pytest.mark.parametrize("rule", ALERT_PARAMS)
def test_alert_links_to_its_own_runbook_section(rule: Rule) -> None:
    assert rule["annotations"]["runbook_url"] == RUNBOOK_URL + rule["alert"].lower()


def runbook_sections() -> list[str]:
    return re.findall(r"^## (\S+)\s*$", RUNBOOK.read_text(encoding="utf-8"), re.MULTILINE)


def test_the_runbook_has_one_section_per_alert_and_no_other() -> None:
    assert sorted(runbook_sections()) == ALERT_NAMES
    assert len(set(runbook_sections())) == len(runbook_sections())


@pytest.mark.parametrize("name", ALERT_NAMES)
def test_every_runbook_section_says_what_it_means_how_to_look_and_what_to_do(
    name: str,
) -> None:
    text = RUNBOOK.read_text(encoding="utf-8")
    section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
    for part in ("**What it means.**", "**How to look.**", "**What to do.**"):
        assert part in section, f"{name}: no {part}"


def test_every_for_duration_is_explained_by_a_comment() -> None:
    for path in RULE_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if re.match(r"\s+for: ", line):
                assert lines[number - 1].strip().startswith("#"), f"{path.name}:{number + 1}"


# --- what each expression reads ------------------------------------------------------------


def expressions() -> Iterator[tuple[str, str]]:
    for rule in rules():
        yield str(rule.get("alert") or rule["record"]), str(rule["expr"])


EXPRESSIONS = [pytest.param(expr, id=name) for name, expr in expressions()]


def selectors(expr: str) -> Iterator[tuple[str, set[str]]]:
    """(metric, label names matched) of every selector with braces."""
    for name, matchers in re.findall(r"([A-Za-z_:][\w:]*)\{([^}]*)\}", expr):
        yield name, set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers))


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_expression_reads_only_exported_metrics(expr: str) -> None:
    names = metric_names(expr)
    assert names, expr
    unknown = names - set(SERVICE_METRICS) - set(EXTERNAL_METRICS) - RECORDED
    assert not unknown, f"exported by nothing: {unknown} in {expr}"


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_expression_matches_and_groups_by_labels_the_metrics_have(expr: str) -> None:
    service = {name for name in metric_names(expr) if name in SERVICE_METRICS}
    available = set(TARGET_LABELS)
    for name in service:
        available |= SERVICE_METRICS[name] | (
            {HISTOGRAM_LABEL} if name.endswith("_bucket") else set()
        )
    for name, labels in selectors(expr):
        if name in SERVICE_METRICS:
            assert labels <= available, f"{labels - available} on {name}"
    if service and not set(metric_names(expr)) & set(EXTERNAL_METRICS):
        assert grouping_labels(expr) <= available, expr


# --- the unit tests cover every alert ------------------------------------------------------


def unit_test_cases() -> Iterator[dict[str, Any]]:
    for path in UNIT_TESTS:
        test_file = load(path)
        assert test_file["rule_files"] == ["../rules/waakhond-alerts.yml"], path.name
        for test in test_file["tests"]:
            yield from test.get("alert_rule_test", [])


@pytest.mark.parametrize("name", ALERT_NAMES)
def test_every_alert_has_a_firing_and_a_quiet_unit_test(name: str) -> None:
    cases = [case for case in unit_test_cases() if case["alertname"] == name]
    assert any(case.get("exp_alerts") for case in cases), f"{name}: no case where it fires"
    assert any(not case.get("exp_alerts") for case in cases), f"{name}: no quiet case"
    severities = {
        alert["exp_labels"]["severity"] for case in cases for alert in case.get("exp_alerts") or []
    }
    defined = {rule["labels"]["severity"] for rule in ALERTS if rule["alert"] == name}
    assert severities == defined, f"{name}: not every rule of it fires in a test"

"""The operations dashboard: its PromQL names only metrics and labels the services really
expose, its texts are Dutch, it reads the provisioned Prometheus data source, and the
scrape configuration has the job names it groups by.

No Prometheus runs here, so the expressions are checked against prometheus_client's
registry after importing the modules that define the services' metrics.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase

import waakhond_aggregator.streaming.consumer as aggregator_metrics
import waakhond_classifier.metrics as classifier_metrics
import waakhond_intake.metrics as intake_metrics
from waakhond_tools.dashboards import build, operations
from waakhond_tools.dashboards.operations import Series

REPO_ROOT = Path(__file__).resolve().parents[3]
GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"
COMMITTED = GRAFANA_DIR / "dashboards" / "operations" / "waakhond-operatie.json"
SCRAPE_CONFIG = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
DATASOURCE_FILE = GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yaml"

GENERATED = operations.operations()
SERIES = [
    pytest.param(series, id=f"{panel}-{index}")
    for panel, items in sorted(GENERATED.panel_series.items())
    for index, series in enumerate(items)
]
# Labels Prometheus attaches itself (scrape target) or that histograms have.
TARGET_LABELS = {"job", "instance"}
HISTOGRAM_LABEL = "le"
SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_sum", "_count"),
    "gauge": ("",),
}
SERVICE_MODULES = (intake_metrics, classifier_metrics, aggregator_metrics)
# PromQL words that look like names but are not metrics.
PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool"}
PROMQL_KEYWORDS |= {"offset", "and", "or", "unless"}

# Not "of": it is Dutch too ("or").
ENGLISH_WORDS = {"the", "and", "to", "with", "by", "per second", "throughput", "latency"}
ENGLISH_WORDS |= {"memory", "dead letters", "rejected", "received", "stored", "size"}
DUTCH_WORDS = {"de", "het", "een", "en", "van", "per", "die", "dat", "naar", "tot", "bij"}


def registered_metrics(modules: tuple[ModuleType, ...] = SERVICE_MODULES) -> dict[str, set[str]]:
    """Every sample name in the registry with the label names of its metric, for the
    metrics defined in ``modules`` (others have none).

    A labelled metric without observations has no samples yet, so the names are
    derived from the family's type (a counter ``x`` is scraped as ``x_total``).
    """
    assert all(module.__name__ for module in modules)  # imported for registration
    labels_by_family = {
        metric._name: set(metric._labelnames)
        for module in modules
        for metric in vars(module).values()
        if isinstance(metric, MetricWrapperBase)
    }
    found: dict[str, set[str]] = {}
    for family in REGISTRY.collect():
        # A collector's families carry their label names themselves.
        labels = labels_by_family.get(family.name, set(getattr(family, "_labelnames", ())))
        names = {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
        names |= {sample.name for sample in family.samples}
        for name in names:
            found[name] = labels | (
                {HISTOGRAM_LABEL}
                if name.endswith("_bucket") and family.type == "histogram"
                else set()
            )
    return found


REGISTERED = registered_metrics()


def metric_names(expr: str) -> set[str]:
    """The metric names in a PromQL expression: identifiers that are not functions,
    aggregation operators, keywords, label names or label values."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])[A-Za-z_:][\w:]*", text):
        if text[match.end() :].lstrip().startswith("("):
            continue
        names.add(match.group())
    return names - PROMQL_KEYWORDS


def grouping_labels(expr: str) -> set[str]:
    return {
        label.strip()
        for clause in re.findall(r"\bby\s*\(([^)]*)\)", expr)
        for label in clause.split(",")
        if label.strip()
    }


def panels() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(build.render(GENERATED.model))["panels"]
    return found


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-zà-ÿ]+", text.lower()))


# --- the parser the checks rely on ----------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("sum(rate(a_total[5m]))", {"a_total"}),
        ("histogram_quantile(0.95, sum by (le) (rate(b_bucket[$__rate_interval])))", {"b_bucket"}),
        ('sum by (job) (process_cpu_seconds_total{job=~"x|y"})', {"process_cpu_seconds_total"}),
        ("sum(rate(a_sum[1m])) / sum(rate(a_count[1m])) - 1e-9", {"a_sum", "a_count"}),
        ("c_total / on (instance) d", {"c_total", "d"}),
    ],
)
def test_metric_names_parser(expr: str, expected: set[str]) -> None:
    assert metric_names(expr) == expected


def test_registry_holds_the_services_and_process_metrics() -> None:
    for name in (
        "waakhond_intake_signals_received_total",
        "waakhond_classifier_batch_size_bucket",
        "waakhond_aggregator_open_batch_messages",
        "process_resident_memory_bytes",
    ):
        assert name in REGISTERED, name
    assert REGISTERED["waakhond_intake_signals_rejected_total"] == {"reason"}


# --- the queries -----------------------------------------------------------------------------


@pytest.mark.parametrize("series", SERIES)
def test_expression_names_only_registered_metrics(series: Series) -> None:
    names = metric_names(series.expr)
    assert names, series.expr
    unknown = {name for name in names if name not in REGISTERED}
    assert not unknown, f"not exposed by any service: {unknown} in {series.expr}"
    assert all(name.startswith(("waakhond_", "process_")) for name in names)


@pytest.mark.parametrize("series", SERIES)
def test_grouping_and_legend_use_labels_the_metrics_have(series: Series) -> None:
    available = set(TARGET_LABELS)
    for name in metric_names(series.expr):
        available |= REGISTERED[name]
    grouped = grouping_labels(series.expr)
    assert grouped <= available, f"{grouped - available} in {series.expr}"
    # A legend can only show labels the aggregation kept.
    legend_labels = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", series.legend))
    assert legend_labels <= grouped, series
    assert series.legend, series.expr


def test_every_data_panel_reads_the_prometheus_datasource() -> None:
    for panel in panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "waakhond-prometheus"}
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"]
            assert target["expr"]
        assert [t["refId"] for t in panel["targets"]] == [
            chr(ord("A") + i) for i in range(len(panel["targets"]))
        ]


def test_panel_series_are_the_panels_targets() -> None:
    for panel in panels():
        series = GENERATED.panel_series[panel["id"]]
        assert [(t["expr"], t["legendFormat"]) for t in panel["targets"]] == [
            (s.expr, s.legend) for s in series
        ]


def test_rates_use_grafanas_rate_interval() -> None:
    for panel in panels():
        for target in panel["targets"]:
            for window in re.findall(r"\[([^\]]+)\]", target["expr"]):
                assert window == "$__rate_interval", target["expr"]


# --- texts -----------------------------------------------------------------------------------


def test_titles_and_descriptions_are_dutch() -> None:
    model = json.loads(build.render(GENERATED.model))
    texts = [(model["title"], model["description"])]
    texts += [(p["title"], p["description"]) for p in panels()]
    for title, description in texts:
        assert title, description
        assert description, title
        for text in (title, description):
            lowered = f" {text.lower()} "
            english = {w for w in ENGLISH_WORDS if f" {w} " in lowered}
            assert not english, f"English in {text!r}: {english}"
        assert words(description) & DUTCH_WORDS, description


def test_the_panels() -> None:
    assert [p["title"] for p in panels()] == [
        "Pijplijn: doorvoer per stap",
        "Pijplijn: vertraging van intake tot opslag",
        "Intake: ontvangen, geaccepteerd en geweigerd",
        "Intake: publicatietijd naar Kafka",
        "Intake: vervangen persoonsgegevens per soort",
        "Classificatie: signalen per categorie",
        "Classificatie: aandeel ter beoordeling",
        "Dode brieven per stap en reden",
        "Opslag: signalen per seconde",
        "Opslag: duur van een insert",
        "Opslag: open batch",
        "Batchgrootte",
        "Beoordeling: wachtrij",
        "Beoordeling: oudste in de wachtrij",
        "Beoordeling: besluiten per dag",
        "Model tegen beoordelaars: precisie per categorie",
        "Model tegen beoordelaars: recall per categorie",
        "Overeenstemming tussen beoordelaars",
        "Privacy: gemiste identificerende gegevens",
        "Privacy: gemist per soort gegeven",
        "Geheugengebruik per dienst",
        "Processorgebruik per dienst",
    ]
    assert [p["id"] for p in panels()] == list(range(1, len(panels()) + 1))
    for panel in panels():
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24


# --- files and provisioning ------------------------------------------------------------------


def test_generator_writes_the_committed_operations_dashboard() -> None:
    expected = build.expected_files(GRAFANA_DIR)
    assert expected[COMMITTED] == build.render(GENERATED.model)
    assert COMMITTED.read_text(encoding="utf-8") == expected[COMMITTED]
    # Publishing and the SQL tests cover the ClickHouse dashboards only.
    assert operations.UID not in {g.uid for g in build.generate()}


def test_audience_dashboards_do_not_list_the_operations_dashboard() -> None:
    assert not set(GENERATED.model.tags or []) & set(build.TAGS)


def test_prometheus_datasource_is_provisioned_with_the_dashboards_uid() -> None:
    document = yaml.safe_load(DATASOURCE_FILE.read_text(encoding="utf-8"))
    (datasource,) = document["datasources"]
    assert datasource["type"] == operations.DATASOURCE_TYPE
    assert datasource["uid"] == operations.DATASOURCE_UID
    assert datasource["url"] == "${PROMETHEUS_URL}"
    assert datasource["isDefault"] is False
    # The ClickHouse data source stays the only default.
    clickhouse = yaml.safe_load(
        (DATASOURCE_FILE.parent / "clickhouse.yaml").read_text(encoding="utf-8")
    )
    assert clickhouse["datasources"][0]["isDefault"] is True


def test_scrape_config_has_the_jobs_the_dashboard_groups_by() -> None:
    config = yaml.safe_load(SCRAPE_CONFIG.read_text(encoding="utf-8"))
    jobs = {
        job["job_name"]: (job["metrics_path"], job["static_configs"][0]["targets"])
        for job in config["scrape_configs"]
    }
    assert jobs == {
        "intake": ("/metrics/", ["intake:8000"]),
        "classifier": ("/metrics", ["classifier:8001"]),
        "aggregator": ("/metrics/", ["aggregator:8002"]),
    }
    assert tuple(jobs) == operations.JOBS

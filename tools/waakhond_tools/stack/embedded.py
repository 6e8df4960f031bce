"""The embedded stack: Tansu broker, the three services and chDB, on one machine, no Docker."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from waakhond_aggregator.review.accounts import create_account
from waakhond_cli.common import STACK_STATUS_TOKEN_FILE
from waakhond_contract.messages import ReviewerRole
from waakhond_contract.vocabularies import DUTCH_LABELS, Category
from waakhond_intake.auth.keys import create_key
from waakhond_runtime.keyfiles import write_private_file
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_runtime.topics import ensure_topics
from waakhond_tools.stack.broker import TansuBroker
from waakhond_tools.stack.demo import DEMO_ORGANISATIONS, LoadReport, generate_signals, load_signals
from waakhond_tools.stack.environments import (
    aggregator_environment,
    classifier_environment,
    intake_environment,
)
from waakhond_tools.stack.processes import ServiceProcess


@dataclass(frozen=True, slots=True)
class StackConfig:
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    broker_port: int = 9092
    intake_port: int = 8000
    classifier_port: int = 8001
    aggregator_port: int = 8002
    ready_timeout_seconds: float = 120.0


DEMO_REVIEWER = "demo-coordinator"


class EmbeddedStack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        data = config.data_dir.resolve()
        self.data_dir = data
        logs = data / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.keys_file = data / "api-keys.json"
        self.review_accounts_file = data / "review-accounts.json"
        self.demo_reviewer: tuple[str, str] | None = None
        self.broker = TansuBroker(
            port=config.broker_port, host=config.host, log_file=logs / "broker.log"
        )
        self.kafka = KafkaSettings(bootstrap_servers=f"{config.host}:{config.broker_port}")
        self.topics = TopicSettings()
        # Intake reads signal statuses from the aggregator with a token of this run only;
        # kept in the data folder for `waakhond signals erase --data-dir`.
        status_token = secrets.token_urlsafe(32)
        write_private_file(data / STACK_STATUS_TOKEN_FILE, status_token)
        services = (
            (
                "intake",
                config.intake_port,
                partial(
                    intake_environment,
                    api_keys_file=self.keys_file,
                    status_url=f"http://{config.host}:{config.aggregator_port}",
                    status_token=status_token,
                ),
            ),
            (
                "classifier",
                config.classifier_port,
                partial(classifier_environment, data_dir=data / "classifier"),
            ),
            (
                "aggregator",
                config.aggregator_port,
                partial(
                    aggregator_environment,
                    chdb_path=data / "chdb",
                    review_accounts_file=self.review_accounts_file,
                    status_token=status_token,
                ),
            ),
        )
        processes: dict[str, ServiceProcess] = {}
        self._ready_urls: dict[str, str] = {}
        for name, port, environment in services:
            processes[name] = ServiceProcess(
                name,
                [name],
                environment(self.kafka, host=config.host, port=port, log_level="INFO"),
                logs / f"{name}.log",
            )
            self._ready_urls[name] = f"http://{config.host}:{port}/readyz"
        self.intake = processes["intake"]
        self.classifier = processes["classifier"]
        self.aggregator = processes["aggregator"]

    @property
    def intake_url(self) -> str:
        return f"http://{self.config.host}:{self.config.intake_port}"

    @property
    def classifier_url(self) -> str:
        return f"http://{self.config.host}:{self.config.classifier_port}"

    @property
    def aggregator_url(self) -> str:
        return f"http://{self.config.host}:{self.config.aggregator_port}"

    def issue_demo_keys(self) -> dict[str, str]:
        """Fresh keys for the demo organisations at every start; only hashes are stored."""
        self.keys_file.unlink(missing_ok=True)
        return {
            org.organisation_id: create_key(self.keys_file, org.organisation_id, "demo")[1]
            for org in DEMO_ORGANISATIONS
        }

    def issue_demo_reviewer(self) -> tuple[str, str]:
        """A coordinator account for the review page, with a fresh password at every start;
        returns (username, password)."""
        self.review_accounts_file.unlink(missing_ok=True)
        password = secrets.token_urlsafe(12)
        create_account(
            self.review_accounts_file,
            DEMO_REVIEWER,
            password,
            ReviewerRole.COORDINATOR,
            [],
        )
        return DEMO_REVIEWER, password

    @property
    def review_url(self) -> str:
        return f"{self.aggregator_url}/review/"

    def start(self) -> dict[str, str]:
        tokens = self.issue_demo_keys()
        self.demo_reviewer = self.issue_demo_reviewer()
        self.broker.start()
        ensure_topics(self.kafka, self.topics)
        for service in (self.aggregator, self.classifier, self.intake):
            service.start()
        for service in (self.aggregator, self.intake, self.classifier):
            service.wait_ready(self._ready_urls[service.name], self.config.ready_timeout_seconds)
        return tokens

    def stop(self) -> None:
        for service in (self.intake, self.classifier, self.aggregator):
            service.stop()
        self.broker.stop()


@dataclass(frozen=True, slots=True)
class Settled:
    """What became of the signals intake accepted, from the consumers' own counters."""

    stored: int
    dead_lettered: dict[str, int]  # by reason, the classifier's and the aggregator's
    reclassifications_ignored: int

    @property
    def total(self) -> int:
        return self.stored + sum(self.dead_lettered.values()) + self.reclassifications_ignored


class DemoNotSettledError(RuntimeError):
    """The demo's signals did not all come out of the pipeline in time."""


def _metric_values(url: str) -> list[tuple[str, dict[str, str], float]]:
    """Every sample a service exposes, read with prometheus_client's own parser."""
    response = httpx.get(url, timeout=30, follow_redirects=True)
    response.raise_for_status()
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    ]


def settled_signals(aggregator_url: str, classifier_url: str) -> Settled:
    """Signals stored, dead-lettered or left as they were (trend numbers are rounded)."""
    stored = ignored = 0.0
    dead: dict[str, float] = {}
    for name, labels, value in _metric_values(f"{aggregator_url}/metrics/"):
        if name == "waakhond_aggregator_signals_stored_total":
            stored = value
        elif name == "waakhond_aggregator_reclassifications_ignored_total":
            ignored = value
        elif name == "waakhond_aggregator_dead_lettered_total":
            dead[labels.get("reason", "")] = dead.get(labels.get("reason", ""), 0) + value
    for name, _labels, value in _metric_values(f"{classifier_url}/metrics"):
        if name == "waakhond_classifier_dead_lettered_total":
            dead["refused by the classifier"] = value
    return Settled(int(stored), {reason: int(n) for reason, n in dead.items() if n}, int(ignored))


def wait_until_settled(stack: EmbeddedStack, at_least: int, timeout: float) -> Settled:
    deadline = time.monotonic() + timeout
    while True:
        settled = settled_signals(stack.aggregator_url, stack.classifier_url)
        if settled.total >= at_least:
            return settled
        if time.monotonic() >= deadline:
            raise DemoNotSettledError(
                f"only {settled.total} of {at_least} demo signals came out of the pipeline "
                f"after {timeout:.0f}s (stored {settled.stored}, dead-lettered "
                f"{sum(settled.dead_lettered.values())}); see the logs in "
                f"{stack.data_dir / 'logs'}"
            )
        time.sleep(0.5)


def summary(aggregator_url: str, date_from: dt.date, date_to: dt.date) -> str:
    """A Dutch report: national totals per category and a table per care-office region."""
    columns: list[str | Category] = ["all", *Category]
    per_region: dict[str, dict[str, int | None]] = {}
    names: dict[str, str] = {}
    national: dict[str, int | None] = {}
    hidden = "<?"
    for column in columns:
        for level in ("national", "zorgkantoorregio"):
            response = httpx.get(
                f"{aggregator_url}/v1/trends",
                params={
                    "level": level,
                    "category": str(column),
                    "from": date_from.isoformat(),
                    "to": date_to.isoformat(),
                },
                timeout=30,
            )
            response.raise_for_status()
            hidden = f"<{response.json()['disclosure']['min_count']}"
            for series in response.json()["series"]:
                if level == "national":
                    national[str(column)] = series["total"]
                else:
                    names[series["region_code"]] = series["region_name"]
                    per_region.setdefault(series["region_code"], {})[str(column)] = series["total"]
    headers = ["Totaal", *(DUTCH_LABELS[c] for c in Category)]
    lines = [
        f"Signalen {date_from.isoformat()} t/m {date_to.isoformat()} "
        f"(met kleine toevalsafwijking, afgerond op vijftallen; {hidden} wordt niet getoond)",
        "",
        "Landelijk",
    ]
    lines += [
        f"  {h:<24} {national.get(str(c), 0):>7}" for h, c in zip(headers, columns, strict=True)
    ]
    lines += ["", "Per zorgkantoorregio"]
    lines.append("  " + f"{'Regio':<28}" + "".join(f"{h[:22]:>24}" for h in headers))
    for code in sorted(per_region, key=lambda c: names[c]):
        counts = per_region[code]
        lines.append(
            "  "
            + f"{names[code][:28]:<28}"
            + "".join(f"{_cell(counts.get(str(c), 0), hidden):>24}" for c in columns)
        )
    return "\n".join(lines)


def _cell(value: int | None, hidden: str) -> str:
    return hidden if value is None else str(value)


def load_demo(
    stack: EmbeddedStack,
    tokens: dict[str, str],
    signals: int,
    seed: int,
    timeout: float = 300.0,
    today: dt.date | None = None,
) -> tuple[LoadReport, Settled, str]:
    """Submit the demo signals, wait until each is stored or set aside, summarise in Dutch.

    A data folder that holds the demo of an earlier day gets the same client references with
    other dates: the aggregator keeps the first version and dead-letters the others, so
    those count as settled too, and the summary shows what is stored.
    """
    today = today or dt.date.today()
    generated = list(generate_signals(signals, seed=seed, today=today))
    report = load_signals(stack.intake_url, tokens, generated)
    date_from = min(dt.date.fromisoformat(body["observed_on"]) for _, body in generated)
    settled = wait_until_settled(stack, report.accepted, timeout)
    return report, settled, summary(stack.aggregator_url, date_from, today)

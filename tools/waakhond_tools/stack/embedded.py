"""The embedded stack: Tansu broker, the three services and chDB, on one machine, no Docker."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

from waakhond_contract.vocabularies import DUTCH_LABELS, Category
from waakhond_intake.auth.keys import create_key
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


class EmbeddedStack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        data = config.data_dir.resolve()
        self.data_dir = data
        logs = data / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.keys_file = data / "api-keys.json"
        self.broker = TansuBroker(
            port=config.broker_port, host=config.host, log_file=logs / "broker.log"
        )
        self.kafka = KafkaSettings(bootstrap_servers=f"{config.host}:{config.broker_port}")
        self.topics = TopicSettings()
        services = (
            (
                "intake",
                config.intake_port,
                partial(intake_environment, api_keys_file=self.keys_file),
            ),
            (
                "classifier",
                config.classifier_port,
                partial(classifier_environment, data_dir=data / "classifier"),
            ),
            (
                "aggregator",
                config.aggregator_port,
                partial(aggregator_environment, chdb_path=data / "chdb"),
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
    def aggregator_url(self) -> str:
        return f"http://{self.config.host}:{self.config.aggregator_port}"

    def issue_demo_keys(self) -> dict[str, str]:
        """Fresh keys for the demo organisations at every start; only hashes are stored."""
        self.keys_file.unlink(missing_ok=True)
        return {
            org.organisation_id: create_key(self.keys_file, org.organisation_id, "demo")[1]
            for org in DEMO_ORGANISATIONS
        }

    def start(self) -> dict[str, str]:
        tokens = self.issue_demo_keys()
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


def stored_signals(aggregator_url: str) -> float:
    """Signal rows the aggregator has written, from its metrics (trend numbers are rounded)."""
    response = httpx.get(f"{aggregator_url}/metrics/", timeout=30)
    response.raise_for_status()
    for line in response.text.splitlines():
        if line.startswith("waakhond_aggregator_signals_stored_total "):
            return float(line.split()[1])
    return 0.0


def wait_until_stored(aggregator_url: str, at_least: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    stored = 0.0
    while time.monotonic() < deadline:
        stored = stored_signals(aggregator_url)
        if stored >= at_least:
            return
        time.sleep(0.5)
    raise TimeoutError(f"only {stored:.0f} of {at_least} signals stored after {timeout}s")


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
    stack: EmbeddedStack, tokens: dict[str, str], signals: int, seed: int, timeout: float = 300.0
) -> tuple[LoadReport, str]:
    today = dt.date.today()
    generated = list(generate_signals(signals, seed=seed, today=today))
    report = load_signals(stack.intake_url, tokens, generated)
    date_from = min(dt.date.fromisoformat(body["observed_on"]) for _, body in generated)
    wait_until_stored(stack.aggregator_url, report.accepted, timeout)
    return report, summary(stack.aggregator_url, date_from, today)

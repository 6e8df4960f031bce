"""The Kubernetes pieces that make the numbers reachable: the weekly digest CronJob, read
keys on the trends API, Grafana's alert e-mail and OIDC sign-in (production overlay).

Rendered with `kubectl kustomize` and schema-validated by test_k8s_manifests.py; these
tests assert what each piece relies on."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.deploy.test_k8s_manifests import (
    ALERTING_FILE,
    TARGETS,
    Doc,
    named,
    of_kind,
    pod,
    render,
    traffic_allowed,
)


@pytest.fixture(params=list(TARGETS), ids=list(TARGETS))
def docs(request: pytest.FixtureRequest) -> tuple[Doc, ...]:
    target: str = request.param
    return render(target)


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def secret_ref(entry: dict[str, Any]) -> tuple[str, str]:
    ref = entry["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


def config_map(docs: tuple[Doc, ...], prefix: str) -> Doc:
    (found,) = [d for d in of_kind(docs, "ConfigMap") if d["metadata"]["name"].startswith(prefix)]
    return found


# --- the weekly digest ------------------------------------------------------------------


def test_digest_runs_weekly_once_at_a_time_without_retries(docs: tuple[Doc, ...]) -> None:
    cron = named(docs, "CronJob", "digest")
    minute, hour, day_of_month, month, weekday = cron["spec"]["schedule"].split()
    assert (day_of_month, month, weekday) == ("*", "*", "1"), "weekly, on Monday"
    assert minute.isdigit()
    assert hour.isdigit()
    assert cron["spec"]["timeZone"] == "Europe/Amsterdam"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    job = cron["spec"]["jobTemplate"]["spec"]
    # A rerun after a failed mail would mail everyone again.
    assert job["backoffLimit"] == 0
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    (container,) = job["template"]["spec"]["containers"]
    assert container["command"] == ["waakhond", "digest"]
    assert container["image"].split("/")[-1].startswith("aggregator")


def test_digest_takes_smtp_settings_from_the_secret(docs: tuple[Doc, ...]) -> None:
    (container,) = pod(docs, "digest").spec["containers"]
    env = env_of(container)
    for setting, key in {
        "WAAKHOND_SMTP_HOST": "host",
        "WAAKHOND_SMTP_PORT": "port",
        "WAAKHOND_SMTP_USERNAME": "username",
        "WAAKHOND_SMTP_PASSWORD": "password",
        "WAAKHOND_SMTP_SENDER": "sender",
    }.items():
        assert secret_ref(env[setting]) == ("waakhond-smtp", key), setting


def test_digest_reads_the_disclosed_views_with_the_read_only_account(
    docs: tuple[Doc, ...],
) -> None:
    digest = pod(docs, "digest")
    (container,) = digest.spec["containers"]
    env = env_of(container)
    assert env["WAAKHOND_CLICKHOUSE_USERNAME"]["value"] == "grafana_reader"
    assert secret_ref(env["WAAKHOND_CLICKHOUSE_PASSWORD"]) == (
        "waakhond-clickhouse-grafana-reader",
        "password",
    )
    assert traffic_allowed(docs, digest, pod(docs, "clickhouse"), 8123)
    assert not traffic_allowed(docs, digest, pod(docs, "intake"), 8000)


def test_digest_reads_its_subscribers_from_the_config_map(docs: tuple[Doc, ...]) -> None:
    digest = pod(docs, "digest")
    (container,) = digest.spec["containers"]
    path = env_of(container)["WAAKHOND_DIGEST_SUBSCRIBERS_FILE"]["value"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    directory, filename = path.rsplit("/", 1)
    volumes = {v["name"]: v for v in digest.spec["volumes"]}
    source = volumes[mounts[directory]]["configMap"]["name"]
    subscribers = config_map(docs, "digest-subscribers")
    assert source == subscribers["metadata"]["name"]
    # The base mails nobody until an overlay lists subscribers.
    assert yaml.safe_load(subscribers["data"][filename]) == []


def test_digest_links_the_public_trends_api_in_production() -> None:
    config = config_map(render("production"), "waakhond-config")["data"]
    (ingress,) = [
        i for i in of_kind(render("production"), "Ingress") if i["metadata"]["name"] == "trends"
    ]
    host = ingress["spec"]["rules"][0]["host"]
    assert config["WAAKHOND_DIGEST_REPORT_BASE_URL"] == f"https://{host}"


# --- read keys on the trends API ----------------------------------------------------------


def test_aggregator_reads_its_read_keys_from_the_secret(docs: tuple[Doc, ...]) -> None:
    aggregator = pod(docs, "aggregator")
    (container,) = aggregator.spec["containers"]
    path = env_of(container)["WAAKHOND_AGGREGATOR_READ_KEYS_FILE"]["value"]
    directory, filename = path.rsplit("/", 1)
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == directory]
    assert mount["readOnly"] is True
    (volume,) = [v for v in aggregator.spec["volumes"] if v["name"] == mount["name"]]
    assert volume["secret"]["secretName"] == "waakhond-aggregator-read-keys"
    assert volume["secret"]["items"] == [{"key": "read-keys.json", "path": filename}]


# --- Grafana: alert e-mail and sign-in ----------------------------------------------------


def grafana_container(docs: tuple[Doc, ...]) -> dict[str, Any]:
    (container,) = pod(docs, "grafana").spec["containers"]
    return dict(container)


def test_grafana_has_every_alert_recipient_variable(docs: tuple[Doc, ...]) -> None:
    variables = set(re.findall(r"\$\{(\w+)\}", ALERTING_FILE.read_text(encoding="utf-8")))
    assert variables, "the alerting file names its recipients by variable"
    container = grafana_container(docs)
    sources = [s["configMapRef"]["name"] for s in container.get("envFrom", [])]
    provided = set(env_of(container))
    for name in sources:
        (config,) = [c for c in of_kind(docs, "ConfigMap") if c["metadata"]["name"] == name]
        provided |= {key for key, value in config["data"].items() if value}
    assert variables <= provided


def test_grafana_sends_mail_through_the_smtp_secret(docs: tuple[Doc, ...]) -> None:
    env = env_of(grafana_container(docs))
    assert env["GF_SMTP_ENABLED"]["value"] == "true"
    assert secret_ref(env["GF_SMTP_PASSWORD"]) == ("waakhond-smtp", "password")
    assert secret_ref(env["GF_SMTP_USER"]) == ("waakhond-smtp", "username")
    # Kubernetes expands $(NAME) only from entries defined before it.
    names = [entry["name"] for entry in grafana_container(docs)["env"]]
    for reference in re.findall(r"\$\((\w+)\)", env["GF_SMTP_HOST"]["value"]):
        assert names.index(reference) < names.index("GF_SMTP_HOST")
        assert secret_ref(env[reference])[0] == "waakhond-smtp"


def test_production_grafana_signs_in_with_oidc_and_no_literal_secret() -> None:
    docs = render("production")
    env = env_of(grafana_container(docs))
    assert env["GF_AUTH_GENERIC_OAUTH_ENABLED"]["value"] == "true"
    assert secret_ref(env["GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET"]) == (
        "waakhond-grafana-oauth",
        "client-secret",
    )
    assert "value" not in env["GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET"]
    for endpoint in ("AUTH_URL", "TOKEN_URL", "API_URL"):
        assert env[f"GF_AUTH_GENERIC_OAUTH_{endpoint}"]["value"].startswith("https://")
    assert "openid" in env["GF_AUTH_GENERIC_OAUTH_SCOPES"]["value"].split()
    # Callbacks go to the address people use: the Ingress host.
    host = named(docs, "Ingress", "grafana")["spec"]["rules"][0]["host"]
    assert env["GF_SERVER_ROOT_URL"]["value"] == f"https://{host}/"
    # No one becomes more than a viewer unless the provider says so.
    assert env["GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_PATH"]["value"].endswith("|| 'Viewer'")
    assert env["GF_AUTH_ANONYMOUS_ENABLED"]["value"] == "false"
    assert env["GF_USERS_ALLOW_SIGN_UP"]["value"] == "false"


def test_base_grafana_has_no_oidc() -> None:
    env = env_of(grafana_container(render("base")))
    assert not [name for name in env if name.startswith("GF_AUTH_GENERIC_OAUTH")]

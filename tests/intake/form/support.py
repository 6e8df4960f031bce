"""The form as a supporter fills it in, for the form's HTTP and browser tests."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from kafka import KafkaConsumer

from tests.intake.conftest import intake_client, wait_ready
from waakhond_runtime.settings import KafkaSettings, TopicSettings

ORG = "mee-noord"
NAME_TEXT = "Mevrouw Jansen (82) uit Zwolle wacht al 14 maanden op een Wlz-indicatie van het CIZ."
REDACTED_TEXT = (
    "Mevrouw [NAAM] ([LEEFTIJD]) uit Zwolle wacht al 14 maanden op een Wlz-indicatie van het CIZ."
)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def form_client(
    keys_file: Path, kafka: KafkaSettings, topics: TopicSettings, **settings: object
) -> Iterator[TestClient]:
    """Intake over plain HTTP (TestClient): the cookie may not be HTTPS-only here."""
    with intake_client(keys_file, kafka, topics, form_cookie_secure=False, **settings) as client:
        wait_ready(client)
        yield client


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> str:
    """Signs in; returns the CSRF token of the form page."""
    page = client.get("/formulier/inloggen")
    answer = client.post(
        "/formulier/inloggen",
        data={"csrf_token": csrf_of(page.text), "api_key": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/formulier/"
    form = client.get("/formulier/")
    assert form.status_code == 200
    return csrf_of(form.text)


def filled_form(**changes: Any) -> dict[str, Any]:
    """A valid form as the browser posts it; a value of None leaves the field out."""
    values: dict[str, Any] = {
        "client_ref": f"formulier-{uuid.uuid4().hex[:10]}",
        "observed_on": (dt.date.today() - dt.timedelta(days=3)).isoformat(),
        "municipality_code": "GM0363",
        "law_domains": ["wlz"],
        "life_domains": ["care"],
        "target_groups": ["elderly_dementia"],
        "age_band": "80+",
        "supporter_type": "informal",
        "description": NAME_TEXT,
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def nothing_published(kafka: KafkaSettings, topic: str, seconds: float = 2.0) -> bool:
    """No record on ``topic`` within ``seconds``: a refused form published nothing (a form
    that is published is on the topic well within this time: see the acceptance test)."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap_list,
        group_id=f"reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
    )
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(consumer.poll(timeout_ms=200).values()):
                return False
    finally:
        consumer.close()
    return True

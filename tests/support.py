"""Helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
import uuid

ORGANISATIONS = ("mee-noord", "zorgbelang-west", "welzijn-oost")


def valid_submission(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "client_ref": f"ref-{uuid.uuid4().hex[:12]}",
        "observed_on": (dt.date.today() - dt.timedelta(days=3)).isoformat(),
        "municipality_code": "GM0363",
        "law_domains": ["wmo"],
        "life_domains": ["housing"],
        "target_groups": ["intellectual_disability"],
        "age_band": "18-26",
        "supporter_type": "formal",
        "description": "Al maanden wachtlijst voor beschermd wonen, geen passende plek.",
    }
    body.update(overrides)
    return body

"""The committed JSON Schema files are exactly what the models generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from waakhond_tools.schemas import PUBLISHED_SCHEMAS, PublishedSchema

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("published", PUBLISHED_SCHEMAS, ids=lambda p: p.filename)
def test_schema_file_matches_its_model(published: PublishedSchema) -> None:
    path = SCHEMAS / published.filename
    assert path.exists(), f"{path} missing: run `waakhond schemas write`"
    assert path.read_text(encoding="utf-8") == published.render(), (
        f"{published.filename} drifted from its model: run `waakhond schemas write`"
    )


def test_no_stray_schema_files() -> None:
    expected = {p.filename for p in PUBLISHED_SCHEMAS}
    assert {p.name for p in SCHEMAS.glob("*.json")} == expected


def test_submission_schema_requires_the_contract_fields() -> None:
    document = json.loads((SCHEMAS / "signal_submission.v1.json").read_text())
    assert set(document["required"]) >= {
        "client_ref",
        "observed_on",
        "municipality_code",
        "law_domains",
        "life_domains",
        "target_groups",
        "age_band",
        "supporter_type",
        "description",
    }
    assert document["additionalProperties"] is False

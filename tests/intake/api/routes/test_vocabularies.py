"""GET /v1/vocabularies: what a form or a spreadsheet template offers for each field."""

from __future__ import annotations

import typing
from typing import Any

from fastapi.testclient import TestClient

from tests.support import valid_submission
from waakhond_contract.messages import SignalSubmission


def _by_name(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get("/v1/vocabularies")
    assert response.status_code == 200
    return {vocabulary["name"]: vocabulary for vocabulary in response.json()["vocabularies"]}


def test_every_closed_list_with_codes_and_dutch_labels(intake: TestClient) -> None:
    vocabularies = _by_name(intake)
    assert set(vocabularies) == {
        "law_domain",
        "life_domain",
        "target_group",
        "age_band",
        "supporter_type",
        "category",
        "municipality",
    }
    assert vocabularies["law_domain"]["fields"] == ["law_domains"]
    assert vocabularies["category"]["fields"] == ["suggested_categories"]
    assert {"code": "wmo", "label": "Wmo"} in vocabularies["law_domain"]["terms"]
    assert {"code": "80+", "label": "80 jaar en ouder"} in vocabularies["age_band"]["terms"]
    municipalities = vocabularies["municipality"]
    assert municipalities["fields"] == ["municipality_code"]
    assert {"code": "GM0363", "label": "Amsterdam"} in municipalities["terms"]
    assert len(municipalities["terms"]) > 300


def test_every_listed_code_is_accepted_by_the_contract(intake: TestClient) -> None:
    # What the list offers must be what a submission may carry, field by field.
    for vocabulary in _by_name(intake).values():
        for field in vocabulary["fields"]:
            for term in vocabulary["terms"]:
                annotation = SignalSubmission.model_fields[field].annotation
                is_list = typing.get_origin(annotation) is list
                body = valid_submission(**{field: [term["code"]] if is_list else term["code"]})
                SignalSubmission.model_validate(body)


def test_needs_no_key_and_can_be_cached(intake: TestClient) -> None:
    first = intake.get("/v1/vocabularies")
    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("public")
    etag = first.headers["etag"]
    again = intake.get("/v1/vocabularies", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = intake.get("/v1/vocabularies", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.json() == first.json()

"""A generated XLSX of 10,000 rows, as organisations write them (Dutch column names and
labels, spreadsheet dates), through POST /v1/imports against the real broker."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.intake.api.routes.test_signals import bearer
from tests.intake.imports.support import XLSX
from tests.support import read_topic
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import SignalSubmitted
from waakhond_runtime.codec import decode
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.bench.spreadsheet_import import spreadsheet_rows, xlsx_bytes

ORG = "zorgbelang-west"
ROWS = 10_000
UNKNOWN_MUNICIPALITY_EVERY = 1000  # rows 1001, 2001, ... (0-based 999, 1999, ...)
DUPLICATE_OF = {5000: 0, 7500: 42}  # 0-based row -> the earlier row whose client_ref it repeats


def expected_result(index: int, rows: list[tuple[object, ...]]) -> dict[str, Any]:
    number = index + 2  # the header is row 1
    client_ref = str(rows[index][0])
    if index in DUPLICATE_OF:
        return {
            "row": number,
            "status": "refused",
            "client_ref": client_ref,
            "signal_id": None,
            "errors": [
                {
                    "field": "client_ref",
                    "column": "referentie",
                    "reason": f"deze referentie staat al in rij {DUPLICATE_OF[index] + 2} van "
                    "dit bestand",
                    "type": "duplicate_client_ref",
                }
            ],
        }
    if index % UNKNOWN_MUNICIPALITY_EVERY == UNKNOWN_MUNICIPALITY_EVERY - 1:
        return {
            "row": number,
            "status": "refused",
            "client_ref": client_ref,
            "signal_id": None,
            "errors": [
                {
                    "field": "municipality_code",
                    "column": "gemeente",
                    "reason": "onbekende gemeente: geef een CBS-code (zoals GM0363) of de naam "
                    "van de gemeente",
                    "type": "string_pattern_mismatch",
                }
            ],
        }
    return {
        "row": number,
        "status": "accepted",
        "client_ref": client_ref,
        "signal_id": str(derive_signal_id(ORG, client_ref)),
        "errors": None,
    }


def test_10000_row_xlsx_gets_an_exact_report_and_only_valid_rows_on_the_topic(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    rows = list(spreadsheet_rows(ROWS, seed=4242))
    for index in range(UNKNOWN_MUNICIPALITY_EVERY - 1, ROWS, UNKNOWN_MUNICIPALITY_EVERY):
        rows[index] = (rows[index][0], rows[index][1], "Atlantis", *rows[index][3:])
    for index, earlier in DUPLICATE_OF.items():
        rows[index] = (rows[earlier][0], *rows[index][1:])

    response = intake.post(
        "/v1/imports",
        content=xlsx_bytes(rows),
        headers={**bearer(tokens[ORG]), "Content-Type": XLSX},
    )

    assert response.status_code == 200, response.text[:2000]
    report = response.json()
    expected = [expected_result(index, rows) for index in range(ROWS)]
    refused = ROWS // UNKNOWN_MUNICIPALITY_EVERY + len(DUPLICATE_OF)
    assert (report["format"], report["rows"]) == ("xlsx", ROWS)
    assert (report["accepted"], report["refused"], report["unavailable"]) == (
        ROWS - refused,
        refused,
        0,
    )
    assert report["results"] == expected

    records = read_topic(kafka_settings, topics.submitted, ROWS - refused)
    stored = [decode(SignalSubmitted, value).signal_id for _, value in records]
    assert sorted(map(str, stored)) == sorted(
        r["signal_id"] for r in expected if r["status"] == "accepted"
    )

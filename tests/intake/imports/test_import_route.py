"""POST /v1/imports against the real broker: CSV and XLSX, Dutch or API column names and
values, a report per row, the file refused as a whole when it cannot be read as asked."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.intake.api.routes.test_signals import bearer
from tests.intake.conftest import intake_client, wait_ready
from tests.intake.imports.support import (
    API_HEADER,
    DESCRIPTION,
    DUTCH_HEADER,
    XLSX,
    code_row,
    csv_bytes,
    recent_day,
    reference,
    xlsx_bytes,
)
from tests.support import read_topic, valid_submission
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import SignalSubmitted
from waakhond_contract.regions import load_region_reference
from waakhond_runtime.codec import decode
from waakhond_runtime.settings import KafkaSettings, TopicSettings

ORG = "mee-noord"


def post_csv(client: TestClient, token: str, body: bytes, **params: str) -> Any:
    return client.post(
        "/v1/imports",
        content=body,
        params=params,
        headers={**bearer(token), "Content-Type": "text/csv"},
    )


DAY = recent_day()
MAP_YEAR = load_region_reference().map_for(DAY).year
NL_DAY = DAY.strftime("%d-%m-%Y")

# Each case: the file, and the submission every one of its rows must come out as.
ACCEPTED_VARIANTS = [
    pytest.param(DUTCH_HEADER, [code_row("{ref}")], {"delimiter": ","}, {}, id="comma-codes"),
    pytest.param(DUTCH_HEADER, [code_row("{ref}")], {"delimiter": ";"}, {}, id="semicolon"),
    pytest.param(DUTCH_HEADER, [code_row("{ref}")], {"delimiter": ";", "bom": True}, {}, id="bom"),
    pytest.param(API_HEADER, [code_row("{ref}")], {}, {}, id="api-field-names"),
    pytest.param(
        DUTCH_HEADER,
        [code_row("{ref}")],
        {"delimiter": ";", "sep_line": True},
        {},
        id="excel-sep-line",
    ),
    pytest.param(
        [
            "Referentie",
            "DATUM",
            "Gemeentecode",
            "Wetten",
            "Leefgebieden",
            "Doelgroepen",
            "Leeftijd",
            "Soort_ondersteuner",
            "Omschrijving",
            "Categorieen",
        ],
        [[*code_row("{ref}"), "policy_gap"]],
        {},
        {"suggested_categories": ["policy_gap"]},
        id="column-names-any-case-accents-underscores",
    ),
    pytest.param(
        DUTCH_HEADER,
        [code_row("{ref}", observed_on=NL_DAY)],
        {"delimiter": ";"},
        {},
        id="dutch-date",
    ),
    pytest.param(
        DUTCH_HEADER,
        [code_row("{ref}", observed_on=f"{DAY.day}/{DAY.month}/{DAY.year}")],
        {},
        {},
        id="dutch-date-slashes-no-leading-zero",
    ),
    pytest.param(
        [*DUTCH_HEADER, "categorieën"],
        [
            [
                *code_row(
                    "{ref}",
                    municipality_code="amsterdam",
                    law_domains="Wmo; WLZ",
                    life_domains="Wonen, Financiën",
                    target_groups="Ouderen en dementie",
                    age_band="80 jaar en ouder",
                    supporter_type="Informele cliëntondersteuner",
                ),
                "Beleidslacune;geen passend aanbod",
            ]
        ],
        {"delimiter": ";"},
        {
            "municipality_code": "GM0363",
            "law_domains": ["wmo", "wlz"],
            "life_domains": ["housing", "finances"],
            "target_groups": ["elderly_dementia"],
            "age_band": "80+",
            "supporter_type": "informal",
            "suggested_categories": ["policy_gap", "no_suitable_care"],
        },
        id="dutch-labels-and-municipality-name",
    ),
    pytest.param(
        DUTCH_HEADER,
        [code_row("{ref}", description='=HYPERLINK("x";"Geen plek in de wijk, al maanden")')],
        {"delimiter": ","},
        {"description": '=HYPERLINK("x";"Geen plek in de wijk, al maanden")'},
        id="formula-is-text",
    ),
]


@pytest.mark.parametrize(("header", "rows", "layout", "expected"), ACCEPTED_VARIANTS)
def test_csv_variants_are_accepted_as_the_same_signal(
    intake: TestClient,
    tokens: dict[str, str],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    header: list[str],
    rows: list[list[object]],
    layout: dict[str, Any],
    expected: dict[str, object],
) -> None:
    ref = reference()
    filled = [[str(v).replace("{ref}", ref) for v in row] for row in rows]
    response = post_csv(intake, tokens[ORG], csv_bytes(header, filled, **layout))
    assert response.status_code == 200, response.text
    report = response.json()
    signal_id = str(derive_signal_id(ORG, ref))
    assert report["format"] == "csv"
    assert (report["rows"], report["accepted"], report["refused"]) == (1, 1, 0)
    assert report["results"] == [
        {"row": 2, "status": "accepted", "client_ref": ref, "signal_id": signal_id, "errors": None}
    ]
    (record,) = read_topic(kafka_settings, topics.submitted, 1)
    stored = decode(SignalSubmitted, record[1])
    assert record[0] == ORG.encode()
    want = {
        "observed_on": DAY,
        "municipality_code": "GM0363",
        "law_domains": ["wmo"],
        "life_domains": ["housing"],
        "target_groups": ["intellectual_disability"],
        "age_band": "18-26",
        "supporter_type": "formal",
        "description": DESCRIPTION,
        "suggested_categories": [],
        **expected,
    }
    assert {k: stored.model_dump(mode="python")[k] for k in want} == want


def published_before_marker(
    client: TestClient, token: str, kafka: KafkaSettings, topics: TopicSettings, expected: int
) -> list[SignalSubmitted]:
    """What the topic holds before a marker signal sent now: bounded in time, where waiting
    for records that should never come would wait out a timeout."""
    marker = valid_submission()
    assert client.post("/v1/signals", json=marker, headers=bearer(token)).status_code == 202
    records = read_topic(kafka, topics.submitted, expected + 1)
    messages = [decode(SignalSubmitted, value) for _, value in records]
    assert messages[-1].signal_id == derive_signal_id(ORG, str(marker["client_ref"]))
    return messages[:-1]


def errors_of(result: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [(e["field"], e["column"], e["type"]) for e in result["errors"] or []]


def test_each_row_gets_its_own_result_with_field_column_and_dutch_reason(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    first, second = reference(), reference()
    rows = [
        code_row(first),
        code_row(reference(), municipality_code="GM9999", law_domains="wmo;ruimtelijke ordening"),
        code_row(second, observed_on="31-02-2025", description="kort"),
        code_row(first),  # the same client_ref as row 2
        code_row(""),
    ]
    response = post_csv(intake, tokens[ORG], csv_bytes(DUTCH_HEADER, rows, delimiter=";"))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["accepted"], report["refused"]) == (5, 1, 4)
    results = report["results"]
    assert [r["row"] for r in results] == [2, 3, 4, 5, 6]
    assert [r["status"] for r in results] == ["accepted", *["refused"] * 4]
    assert errors_of(results[1]) == [
        ("municipality_code", "gemeente", "unknown_municipality"),
        ("law_domains.1", "wetten", "enum"),
    ]
    assert errors_of(results[2]) == [
        ("observed_on", "datum", "date_from_datetime_parsing"),
        ("description", "omschrijving", "string_too_short"),
    ]
    assert errors_of(results[3]) == [("client_ref", "referentie", "duplicate_client_ref")]
    assert errors_of(results[4]) == [("client_ref", "referentie", "missing")]
    reasons = [e["reason"] for r in results[1:] for e in r["errors"]]
    assert reasons == [
        f"gemeentecode GM9999 bestaat niet in de gemeentelijke indeling van {MAP_YEAR}",
        "onbekende waarde; kies uit: Wmo, Wlz, Jeugdwet, Zvw, Participatiewet, Overig "
        "(of de codes)",
        "geen geldige datum; schrijf dd-mm-jjjj of jjjj-mm-dd",
        "te kort: ten minste 10 teken(s)",
        "deze referentie staat al in rij 2 van dit bestand",
        "verplicht; de cel is leeg",
    ]
    published = published_before_marker(intake, tokens[ORG], kafka_settings, topics, 1)
    assert [m.signal_id for m in published] == [derive_signal_id(ORG, first)]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "errors"),
    [
        pytest.param(
            csv_bytes([*DUTCH_HEADER, "naam cliënt", "bsn"], [[*code_row("a"), "x", "y"]]),
            "text/csv",
            422,
            [("naam cliënt", "unknown_column"), ("bsn", "unknown_column")],
            id="unknown-columns",
        ),
        pytest.param(
            csv_bytes(DUTCH_HEADER[:-1], [code_row("a")[:-1]]),
            "text/csv",
            422,
            [("omschrijving", "missing_column")],
            id="missing-column",
        ),
        pytest.param(
            csv_bytes([*DUTCH_HEADER, "description"], [[*code_row("a"), "nog eens"]]),
            "text/csv",
            422,
            [("description", "duplicate_column")],
            id="column-twice",
        ),
        pytest.param(
            csv_bytes([*DUTCH_HEADER, ""], [[*code_row("a"), "vergeten"]]),
            "text/csv",
            422,
            [("kolom J", "unnamed_column")],
            id="value-under-unnamed-column",
        ),
        pytest.param(
            csv_bytes(DUTCH_HEADER, [code_row("a", description="Geen plek in de wijk één")])
            .decode()
            .encode("cp1252"),
            "text/csv",
            422,
            [("file", "file_encoding")],
            id="not-utf8",
        ),
        pytest.param(
            b"PK\x03\x04 not a zip", XLSX, 422, [("file", "file_unreadable")], id="bad-xlsx"
        ),
        pytest.param(b"\n\n", "text/csv", 422, [("file", "file_empty")], id="empty"),
        pytest.param(b"{}", "application/json", 415, None, id="json-is-not-a-spreadsheet"),
    ],
)
def test_a_file_refused_as_a_whole_imports_nothing(
    intake: TestClient,
    tokens: dict[str, str],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    body: bytes,
    content_type: str,
    status: int,
    errors: list[tuple[str, str]] | None,
) -> None:
    response = intake.post(
        "/v1/imports", content=body, headers={**bearer(tokens[ORG]), "Content-Type": content_type}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if errors is not None:
        assert [(e["field"], e["type"]) for e in response.json()["errors"]] == errors
    assert published_before_marker(intake, tokens[ORG], kafka_settings, topics, 0) == []


@pytest.mark.parametrize(
    ("settings", "rows", "title"),
    [
        pytest.param({"max_import_rows": 3}, 4, "The file has too many rows", id="rows"),
        pytest.param({"max_import_bytes": 2048}, 20, "The request body is too large", id="bytes"),
    ],
)
def test_too_large_is_413_and_imports_nothing(
    api_keys: tuple[Path, dict[str, str]],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
    settings: dict[str, int],
    rows: int,
    title: str,
) -> None:
    body = csv_bytes(DUTCH_HEADER, [code_row(reference()) for _ in range(rows)])
    with intake_client(api_keys[0], kafka_settings, topics, **settings) as client:
        wait_ready(client)
        response = post_csv(client, api_keys[1][ORG], body)
        ref = reference()
        fits = post_csv(client, api_keys[1][ORG], csv_bytes(DUTCH_HEADER, [code_row(ref)]))
        published = published_before_marker(client, api_keys[1][ORG], kafka_settings, topics, 1)
    assert response.status_code == 413, response.text
    assert response.json()["title"] == title
    assert response.headers["content-type"] == "application/problem+json"
    assert fits.status_code == 200, fits.text
    assert [m.signal_id for m in published] == [derive_signal_id(ORG, ref)]


def test_xlsx_formulas_are_their_text_never_their_value(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    ref = reference()
    formula = '=CONCATENATE("Geen plek ", "in de wijk")'
    rows = [
        code_row(ref, description=formula, observed_on=DAY),
        code_row('="ref-"&ROW()', observed_on=DAY),
    ]
    response = intake.post(
        "/v1/imports",
        files={"file": ("signalen.xlsx", xlsx_bytes(DUTCH_HEADER, rows), XLSX)},
        headers=bearer(tokens[ORG]),
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["format"] == "xlsx"
    assert [r["status"] for r in report["results"]] == ["accepted", "refused"]
    assert errors_of(report["results"][1]) == [
        ("client_ref", "referentie", "string_pattern_mismatch")
    ]
    (record,) = read_topic(kafka_settings, topics.submitted, 1)
    assert decode(SignalSubmitted, record[1]).description == formula


def test_importing_the_same_file_again_gives_the_same_signals(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    rows = [
        code_row(reference(), description="Mevrouw Jansen wacht al maanden op een beschikking."),
        code_row(reference(), law_domains="Wmo; Wlz"),
    ]
    body = xlsx_bytes(DUTCH_HEADER, rows)
    reports = [
        intake.post(
            "/v1/imports", content=body, headers={**bearer(tokens[ORG]), "Content-Type": XLSX}
        ).json()
        for _ in range(2)
    ]
    assert reports[0] == reports[1]
    assert reports[0]["accepted"] == 2
    records = read_topic(kafka_settings, topics.submitted, 4)
    messages = [decode(SignalSubmitted, value) for _, value in records]
    content = [m.model_dump(exclude={"submitted_at"}) for m in messages]
    # What the aggregator compares (everything but the submission time) is the same, so the
    # second import is stored as the first: counted once.
    assert content[2:] == content[:2]
    assert [m.signal_id for m in messages[:2]] == [
        uuid.UUID(r["signal_id"]) for r in reports[0]["results"]
    ]
    assert "Jansen" not in messages[0].description  # the same redaction as POST /v1/signals


def test_dry_run_reports_valid_rows_and_publishes_nothing(
    intake: TestClient, tokens: dict[str, str], kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    ref = reference()
    body = csv_bytes(DUTCH_HEADER, [code_row(ref), code_row(reference(), age_band="oud")])
    response = post_csv(intake, tokens[ORG], body, dry_run="true")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["valid"], report["accepted"], report["refused"]) == (1, 0, 1)
    assert report["results"][0]["signal_id"] == str(derive_signal_id(ORG, ref))
    assert published_before_marker(intake, tokens[ORG], kafka_settings, topics, 0) == []


def test_import_needs_an_organisation_key(intake: TestClient) -> None:
    response = intake.post(
        "/v1/imports",
        content=csv_bytes(DUTCH_HEADER, [code_row("a")]),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"

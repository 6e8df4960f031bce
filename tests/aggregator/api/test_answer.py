"""Every read route answers JSON, CSV and CSV for Dutch Excel: the same rows and numbers,
Dutch labels beside the codes, and the disclosure rule in a header."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient

from tests.aggregator.api.routes.test_trends import refused_fields
from waakhond_aggregator.api.answer import DISCLOSURE_HEADER, Format, Table, to_csv
from waakhond_aggregator.labels import LABELLED

Api = tuple[TestClient, Client, str]
AS_OF = "2025-03-30"
ROUTES = [
    pytest.param(
        "/v1/trends",
        {"level": "zorgkantoorregio", "from": "2024-12-02", "to": "2025-03-30"},
        id="trends",
    ),
    pytest.param(
        "/v1/trends/monthly",
        {"level": "province", "category": "policy_gap", "from": "2024-12-01", "to": "2025-03-30"},
        id="monthly",
    ),
    pytest.param(
        "/v1/breakdowns",
        {"level": "province", "dimension": "target_group", "from": "2025-01-01"},
        id="breakdowns",
    ),
    pytest.param(
        "/v1/breakdowns/totals",
        {"dimension": "law_domain", "from": "2024-12-02", "to": "2025-03-30"},
        id="breakdown-totals",
    ),
    pytest.param("/v1/trends/direction", {"as_of": AS_OF}, id="direction"),
    pytest.param("/v1/alerts", {"as_of": AS_OF}, id="alerts"),
    pytest.param(
        "/v1/hard-to-place", {"from": "2024-12-02", "to": "2025-03-30"}, id="hard-to-place"
    ),
    pytest.param("/v1/hard-to-place/direction", {"as_of": AS_OF}, id="hard-to-place-direction"),
]
CSV_FORMATS = [pytest.param(Format.CSV, id="csv"), pytest.param(Format.CSV_EXCEL, id="csv-excel")]
FORMATS = [pytest.param(Format.JSON, id="json"), *CSV_FORMATS]
# The seeded app's policy (the defaults), as the header states it.
DEFAULT_DISCLOSURE = "min_count=10; rounding_base=5; noise=cell-key; suppressed=empty"


def json_rows(path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a JSON answer as its CSV has them: /v1/trends a line per region and week."""
    if path != "/v1/trends":
        rows: list[dict[str, Any]] = body["rows"]
        return rows
    return [
        {
            "region_code": series["region_code"],
            "region_name": series["region_name"],
            **point,
            "total": series["total"],
        }
        for series in body["series"]
        for point in series["points"]
    ]


def parse(response: httpx.Response, output: Format) -> list[dict[str, str]]:
    """A CSV answer's lines; the Excel variant's numbers back with a decimal point."""
    text = response.content.decode("utf-8")
    if output is Format.CSV_EXCEL:
        assert text.startswith("\ufeff"), "the Excel variant starts with a byte order mark"
        text = text.removeprefix("\ufeff")
    else:
        assert not text.startswith("\ufeff")
    delimiter = ";" if output is Format.CSV_EXCEL else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def cell(value: Any, output: Format) -> str:
    """A JSON value as a CSV cell of the format: a null is empty, a decimal has a comma
    for Excel."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and output is Format.CSV_EXCEL:
        return str(value).replace(".", ",")
    return str(value)


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize(("path", "params"), ROUTES)
def test_every_read_route_answers_every_format(
    api: Api, path: str, params: dict[str, str], output: Format
) -> None:
    client, _, _ = api
    response = client.get(path, params={**params, "format": str(output)})
    assert response.status_code == 200, response.text
    if output is Format.JSON:
        assert response.headers["content-type"] == "application/json"
        assert DISCLOSURE_HEADER not in response.headers
        assert response.json()["disclosure"] == {"min_count": 10, "rounding_base": 5, "noise": True}
        return
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="[a-z-]+\.csv"', response.headers["content-disposition"]
    )
    assert response.headers[DISCLOSURE_HEADER] == DEFAULT_DISCLOSURE


@pytest.mark.parametrize("output", CSV_FORMATS)
@pytest.mark.parametrize(("path", "params"), ROUTES)
def test_csv_rows_are_the_json_rows_with_dutch_labels(
    api: Api, path: str, params: dict[str, str], output: Format
) -> None:
    client, _, _ = api
    body = client.get(path, params=params).json()
    expected = json_rows(path, body)
    assert expected, "the seeded data must give rows here"
    response = client.get(path, params={**params, "format": str(output)})
    lines = parse(response, output)
    assert [{k: line[k] for k in expected[0]} for line in lines] == [
        {k: cell(v, output) for k, v in row.items()} for row in expected
    ]
    header = list(lines[0])
    for column in header:
        if column in LABELLED:
            assert header[header.index(column) + 1] == f"{column}_label", column
    # The filters' codes that no row states come first, so a downloaded file says what it
    # counts; a code the route reports per row is not repeated.
    for name in ("level", "category", "dimension"):
        if name in body and name not in expected[0] and body[name] is not None:
            assert {line[name] for line in lines} == {body[name]}, name
    # Every code here is known, so every label differs from its code and is Dutch.
    for line in lines:
        for column in LABELLED & set(line):
            assert line[f"{column}_label"] not in ("", line[column]), (column, line[column])
        assert line["region_name"]


@pytest.mark.parametrize(
    ("path", "params", "column", "labels"),
    [
        pytest.param(
            "/v1/trends",
            {"level": "province", "from": "2025-03-03", "to": "2025-03-09"},
            "category",
            {"all": "Alle signalen"},
            id="trends-all",
        ),
        pytest.param(
            "/v1/trends",
            {"level": "province", "from": "2025-03-03", "to": "2025-03-09"},
            "level",
            {"province": "Provincie"},
            id="trends-level",
        ),
        pytest.param(
            "/v1/breakdowns/totals",
            {"dimension": "law_domain", "from": "2024-12-02", "to": "2025-03-30"},
            "value",
            {"wmo": "Wmo", "wlz": "Wlz", "wmo+wlz": "Wmo én Wlz (de knip)"},
            id="law-domains",
        ),
        pytest.param(
            "/v1/breakdowns/totals",
            {"dimension": "law_domain", "from": "2024-12-02", "to": "2025-03-30"},
            "dimension",
            {"law_domain": "Wetsdomein"},
            id="dimension",
        ),
        pytest.param(
            "/v1/hard-to-place",
            {"region": "ZK02", "from": "2024-12-02", "to": "2025-03-30"},
            "target_group",
            {"intellectual_disability": "Verstandelijke beperking (incl. LVB)"},
            id="target-group",
        ),
        pytest.param(
            "/v1/alerts",
            {"as_of": AS_OF, "region": "ZK02"},
            "category",
            {"no_suitable_care": "Geen passend aanbod"},
            id="alert-category",
        ),
        pytest.param(
            "/v1/trends/direction",
            {"as_of": AS_OF, "region": "ZK02", "category": "no_suitable_care"},
            "direction",
            {"rising": "Stijgend"},
            id="direction",
        ),
    ],
)
def test_labels_are_the_dutch_names(
    api: Api, path: str, params: dict[str, str], column: str, labels: dict[str, str]
) -> None:
    client, _, _ = api
    lines = parse(client.get(path, params={**params, "format": "csv"}), Format.CSV)
    found = {line[column]: line[f"{column}_label"] for line in lines}
    assert labels.items() <= found.items()


@pytest.mark.parametrize(
    "path", ["/v1/trends/direction", "/v1/alerts", "/v1/hard-to-place/direction"]
)
def test_excel_has_semicolons_and_decimal_commas(api: Api, path: str) -> None:
    client, _, _ = api
    response = client.get(path, params={"as_of": AS_OF, "format": "csv-excel"})
    text = response.content.decode("utf-8")
    first = text.removeprefix("\ufeff").split("\r\n", 1)[0]
    assert first.split(";")[:3] in (
        ["level", "level_label", "region_code"],
        ["level", "level_label", "category"],
        ["level", "level_label", "target_group"],
    )
    # A rate per week over 12 weeks is rarely whole: some decimal shows, and as a comma.
    decimals = [
        line[column]
        for line in parse(response, Format.CSV_EXCEL)
        for column in ("baseline_rate", "recent_rate", "rate_ratio")
        if line[column]
    ]
    assert any(re.fullmatch(r"-?[0-9]+,[0-9]+", value) for value in decimals), decimals
    assert not any("." in value for value in decimals), decimals


def test_dates_stay_iso_in_excel(api: Api) -> None:
    client, _, _ = api
    response = client.get(
        "/v1/trends", params={"from": "2025-03-03", "to": "2025-03-09", "format": "csv-excel"}
    )
    (line,) = parse(response, Format.CSV_EXCEL)
    assert (line["week"], line["week_start"]) == ("2025-W10", "2025-03-03")


@pytest.mark.parametrize(("path", "params"), ROUTES)
def test_an_unknown_format_is_a_problem_naming_format(
    api: Api, path: str, params: dict[str, str]
) -> None:
    client, _, _ = api
    for bad in ("xml", "CSV", "excel", ""):
        assert refused_fields(client.get(path, params={**params, "format": bad})) == {
            ("format", "enum")
        }, bad


def test_the_document_states_the_formats_and_the_header(api: Api) -> None:
    client, _, _ = api
    document = client.get("/openapi.json").json()
    for param in ROUTES:
        path = param.values[0]
        operation = document["paths"][path]["get"]
        (parameter,) = [p for p in operation["parameters"] if p["name"] == "format"]
        schema = parameter["schema"]
        ref = next(s["$ref"] for s in schema["anyOf"] if "$ref" in s)
        enum = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]["enum"]
        assert enum == ["json", "csv", "csv-excel"], path
        ok = operation["responses"]["200"]
        assert {"application/json", "text/csv"} <= set(ok["content"]), path
        assert DISCLOSURE_HEADER in ok["headers"], path


def test_a_value_with_the_separator_is_quoted() -> None:
    table = Table(
        "t",
        ["region_code", "region_name", "signals"],
        [{"region_code": "GM1", "region_name": "Bergen; N.H.", "signals": 1.5}],
        {},
    )
    assert to_csv(table, excel=True) == (
        '\ufeffregion_code;region_name;signals\r\nGM1;"Bergen; N.H.";1,5\r\n'
    )
    assert to_csv(table) == "region_code,region_name,signals\nGM1,Bergen; N.H.,1.5\n"

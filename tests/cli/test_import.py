"""`waakhond import FILE` on the real broker, in-process (`--org`) and through intake over
HTTP (`--url`, the organisation's key): the same checks and records as POST /v1/imports, a
Dutch line per row, and an exit code that says whether every row went in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests.e2e.conftest import wait_until
from tests.intake.imports.support import DUTCH_HEADER, code_row, reference, xlsx_bytes
from tests.support import ServerThread, read_topic
from waakhond_cli.main import app
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import SignalSubmitted
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.main import create_app
from waakhond_runtime.codec import decode
from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.stack.environments import kafka_environment

runner = CliRunner()
ORG = "welzijn-oost"


@pytest.fixture
def intake_url(
    api_keys: tuple[Path, dict[str, str]], kafka_settings: KafkaSettings, topics: TopicSettings
) -> Iterator[str]:
    """Intake over real HTTP (uvicorn in a thread) on the test broker."""
    app_ = create_app(IntakeSettings(api_keys_file=api_keys[0]), kafka_settings, topics)
    with ServerThread(app_) as server:
        wait_until(lambda: httpx.get(f"{server.url}/readyz").status_code == 200, 30, "ready")
        yield server.url


@pytest.fixture
def on_the_test_broker(
    monkeypatch: pytest.MonkeyPatch, kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    for name, value in kafka_environment(kafka_settings, topics).items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("on_the_test_broker")
def test_import_reports_each_row_and_a_second_run_stores_the_same_signals(
    tmp_path: Path, kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    first, second = reference(), reference()
    sheet = tmp_path / "signalen.xlsx"
    sheet.write_bytes(
        xlsx_bytes(
            DUTCH_HEADER,
            [
                code_row(first, law_domains="Wmo; Jeugdwet"),
                code_row(second, age_band="bejaard"),
            ],
        )
    )
    runs = [runner.invoke(app, ["import", str(sheet), "--org", ORG]) for _ in range(2)]
    for run in runs:
        assert run.exit_code == 1, run.output  # a row was refused
        assert run.stdout.splitlines() == [
            f"rij 2: geaccepteerd ({derive_signal_id(ORG, first)})",
            "rij 3: geweigerd",
            "    leeftijd (age_band): onbekende waarde; kies uit: 0-17 jaar, 18-26 jaar, "
            "27-64 jaar, 65-79 jaar, 80 jaar en ouder, Onbekend (of de codes)",
            "2 rij(en): 1 geaccepteerd, 1 geweigerd, 0 niet bevestigd",
        ]
    records = read_topic(kafka_settings, topics.submitted, 2)
    messages = [decode(SignalSubmitted, value) for _, value in records]
    assert [m.signal_id for m in messages] == [derive_signal_id(ORG, first)] * 2
    assert [m.law_domains for m in messages] == [["wmo", "jeugdwet"]] * 2
    assert messages[0].model_dump(exclude={"submitted_at"}) == messages[1].model_dump(
        exclude={"submitted_at"}
    )


@pytest.mark.usefixtures("on_the_test_broker")
def test_dry_run_with_only_valid_rows_exits_0_and_stores_nothing(
    tmp_path: Path, kafka_settings: KafkaSettings, topics: TopicSettings
) -> None:
    ref = reference()
    sheet = tmp_path / "signalen.csv"
    sheet.write_text(
        ";".join(DUTCH_HEADER) + "\n" + ";".join(str(v) for v in code_row(ref)) + "\n",
        encoding="utf-8-sig",
    )
    run = runner.invoke(app, ["import", str(sheet), "--org", ORG, "--dry-run", "--json"])
    assert run.exit_code == 0, run.output
    assert f'"signal_id": "{derive_signal_id(ORG, ref)}"' in run.stdout
    assert '"valid": 1' in run.stdout
    assert read_topic(kafka_settings, topics.submitted, 1) == []


def test_over_http_with_the_organisations_key_the_report_is_the_same(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    intake_url: str,
    api_keys: tuple[Path, dict[str, str]],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
) -> None:
    monkeypatch.setenv("WAAKHOND_API_KEY", api_keys[1][ORG])
    first = reference()
    sheet = tmp_path / "signalen.xlsx"
    sheet.write_bytes(
        xlsx_bytes(DUTCH_HEADER, [code_row(first), code_row(reference(), age_band="bejaard")])
    )
    run = runner.invoke(app, ["import", str(sheet), "--url", intake_url])
    assert run.exit_code == 1, run.output
    assert run.stdout.splitlines()[0] == f"rij 2: geaccepteerd ({derive_signal_id(ORG, first)})"
    assert run.stdout.splitlines()[-1] == "2 rij(en): 1 geaccepteerd, 1 geweigerd, 0 niet bevestigd"
    (record,) = read_topic(kafka_settings, topics.submitted, 1)
    assert decode(SignalSubmitted, record[1]).signal_id == derive_signal_id(ORG, first)


@pytest.mark.parametrize(
    ("key", "header", "exit_code", "message"),
    [
        pytest.param(
            "wk.0123456789abcdef." + "A" * 43, DUTCH_HEADER, 2, "antwoordde 401", id="bad-key"
        ),
        pytest.param(None, [*DUTCH_HEADER, "bsn"], 2, "bsn: onbekende kolom", id="unknown-column"),
    ],
)
def test_over_http_a_refused_request_is_a_message_and_exit_code(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    intake_url: str,
    api_keys: tuple[Path, dict[str, str]],
    key: str | None,
    header: list[str],
    exit_code: int,
    message: str,
) -> None:
    monkeypatch.setenv("WAAKHOND_API_KEY", key or api_keys[1][ORG])
    sheet = tmp_path / "signalen.csv"
    row = code_row(reference())
    sheet.write_text(
        ",".join(header) + "\n" + ",".join(map(str, row + ["x"] * (len(header) - len(row)))) + "\n"
    )
    run = runner.invoke(app, ["import", str(sheet), "--url", intake_url])
    assert run.exit_code == exit_code, run.output
    assert isinstance(run.exception, SystemExit)
    assert message in run.output

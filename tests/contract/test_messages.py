from __future__ import annotations

import datetime as dt
import uuid

import pytest
from pydantic import ValidationError

from tests.support import valid_submission
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import (
    DeadLetterReason,
    SignalSubmission,
    SignalSubmitted,
)
from waakhond_runtime.codec import DecodeError, decode, encode


def error_types(error: ValidationError) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): e["type"] for e in error.errors()}


def test_a_valid_submission_is_accepted() -> None:
    submission = SignalSubmission.model_validate(valid_submission())
    assert submission.municipality_code == "GM0363"


@pytest.mark.parametrize(
    ("overrides", "field", "error_type"),
    [
        pytest.param(
            {"municipality_code": "GM9999"},
            "municipality_code",
            "unknown_municipality",
            id="unknown-gm",
        ),
        pytest.param(
            {"municipality_code": "0363"},
            "municipality_code",
            "string_pattern_mismatch",
            id="malformed-gm",
        ),
        pytest.param(
            {"observed_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()},
            "observed_on",
            "observed_on_in_future",
            id="future-date",
        ),
        pytest.param(
            {"observed_on": "2014-12-31"},
            "observed_on",
            "observed_on_too_early",
            id="before-wmo-2015",
        ),
        pytest.param({"description": "te kort"}, "description", "string_too_short", id="short"),
        pytest.param(
            {"description": "          x          "},
            "description",
            "description_too_short",
            id="whitespace-padded",
        ),
        pytest.param({"description": "x" * 2001}, "description", "string_too_long", id="long"),
        pytest.param({"law_domains": []}, "law_domains", "too_short", id="no-law-domain"),
        pytest.param(
            {"law_domains": ["wmo", "wmo"]},
            "law_domains",
            "duplicate_value",
            id="duplicate-law-domain",
        ),
        pytest.param({"law_domains": ["awbz"]}, "law_domains.0", "enum", id="unknown-law"),
        pytest.param({"age_band": "42"}, "age_band", "enum", id="age-not-a-band"),
        pytest.param({"supporter_type": "robot"}, "supporter_type", "enum", id="supporter"),
        pytest.param({"client_ref": ""}, "client_ref", "string_too_short", id="empty-ref"),
        pytest.param(
            {"client_ref": "a b"}, "client_ref", "string_pattern_mismatch", id="ref-with-space"
        ),
        pytest.param(
            {"organisation_id": "other"},
            "organisation_id",
            "extra_forbidden",
            id="organisation-in-body",
        ),
    ],
)
def test_invalid_submissions_name_the_field_and_reason(
    overrides: dict[str, object], field: str, error_type: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        SignalSubmission.model_validate(valid_submission(**overrides))
    assert error_types(caught.value) == {field: error_type}


def test_signal_id_is_deterministic_per_organisation_and_ref() -> None:
    first = derive_signal_id("mee-noord", "2025-001")
    assert first == derive_signal_id("mee-noord", "2025-001")
    assert first != derive_signal_id("mee-zuid", "2025-001")
    assert first != derive_signal_id("mee-noord", "2025-002")
    # The separator keeps the pair unambiguous.
    assert derive_signal_id("a", "b:c") != derive_signal_id("a:b", "c")
    assert first.version == 5


def submitted(**overrides: object) -> SignalSubmitted:
    body = valid_submission()
    body.pop("client_ref")
    return SignalSubmitted(
        signal_id=uuid.uuid4(),
        organisation_id="mee-noord",
        submitted_at=dt.datetime.now(dt.UTC),
        **body,
    ).model_copy(update=overrides)


def test_messages_round_trip_through_bytes() -> None:
    message = submitted()
    assert decode(SignalSubmitted, encode(message)) == message


def test_client_ref_never_travels_on_kafka() -> None:
    assert "client_ref" not in SignalSubmitted.model_fields


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(b"not json at all", DeadLetterReason.NOT_JSON, id="not-json"),
        pytest.param(b"\xff\xfe\x00", DeadLetterReason.NOT_JSON, id="not-utf8"),
        pytest.param(b"[1, 2]", DeadLetterReason.INVALID_MESSAGE, id="not-an-object"),
        pytest.param(
            b'{"schema_version": 2}',
            DeadLetterReason.UNSUPPORTED_SCHEMA_VERSION,
            id="future-version",
        ),
        pytest.param(
            b'{"signal_id": "x"}', DeadLetterReason.UNSUPPORTED_SCHEMA_VERSION, id="no-version"
        ),
        pytest.param(b'{"schema_version": 1}', DeadLetterReason.INVALID_MESSAGE, id="empty-v1"),
        pytest.param(b"{" + b" " * 70000 + b"}", DeadLetterReason.TOO_LARGE, id="huge"),
        pytest.param(None, DeadLetterReason.INVALID_MESSAGE, id="tombstone"),
    ],
)
def test_undecodable_messages_say_why(raw: bytes | None, reason: DeadLetterReason) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(SignalSubmitted, raw)
    assert caught.value.reason is reason


def test_unknown_municipality_on_the_topic_is_its_own_reason() -> None:
    raw = encode(submitted()).replace(b"GM0363", b"GM9998")
    with pytest.raises(DecodeError) as caught:
        decode(SignalSubmitted, raw)
    assert caught.value.reason is DeadLetterReason.UNKNOWN_MUNICIPALITY

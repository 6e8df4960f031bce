"""The status ledger's events: what a submitted, classified or dead-lettered message says
about its signal's status, and nothing for a message that says nothing about one."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import pytest

from tests.aggregator.processing.test_transform import classified
from waakhond_aggregator.processing.ledger import (
    LEDGER_COLUMNS,
    MAX_DETAIL_CHARS,
    LedgerEvent,
    ledger_event,
)
from waakhond_contract.messages import (
    DeadLetter,
    DeadLetterReason,
    DeadLetterStage,
    SignalClassified,
    SignalState,
    SignalSubmitted,
    SignalWithdrawn,
    WithdrawalRequester,
)
from waakhond_contract.vocabularies import Category
from waakhond_runtime.codec import encode
from waakhond_runtime.settings import TopicSettings

TOPICS = TopicSettings()
SIGNAL = uuid.UUID("00000000-0000-5000-8000-0000000000b1")
# Amsterdam time: the ledger keeps UTC.
SUBMITTED = dt.datetime(2026, 3, 2, 10, 0, 0, 123000, tzinfo=dt.timezone(dt.timedelta(hours=1)))
SUBMITTED_UTC = dt.datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=dt.UTC)
CLASSIFIED = dt.datetime(2026, 3, 2, 9, 0, 4, tzinfo=dt.UTC)
FAILED = dt.datetime(2026, 3, 2, 9, 0, 9, tzinfo=dt.UTC)


def classified_message() -> SignalClassified:
    message = classified([Category.POLICY_GAP], observed_on="2026-02-27")
    return message.model_copy(
        update={
            "signal_id": SIGNAL,
            "submitted_at": SUBMITTED,
            "classification": message.classification.model_copy(
                update={"classified_at": CLASSIFIED}
            ),
        }
    )


def submitted_message() -> SignalSubmitted:
    fields = classified_message().model_dump(exclude={"classification"})
    return SignalSubmitted.model_validate(fields)


def letter(
    original: bytes,
    source_topic: str = TOPICS.submitted,
    detail: str = "classification failed",
    stage: DeadLetterStage = DeadLetterStage.CLASSIFIER,
) -> bytes:
    return encode(
        DeadLetter(
            stage=stage,
            reason=DeadLetterReason.PROCESSING_FAILED,
            detail=detail,
            source_topic=source_topic,
            source_partition=0,
            source_offset=7,
            value_base64=base64.b64encode(original).decode(),
            signal_id=SIGNAL,
            failed_at=FAILED,
        )
    )


def event(state: SignalState, at: dt.datetime, **extra: str) -> LedgerEvent:
    return LedgerEvent("mee-noord", SIGNAL, SUBMITTED_UTC, state, at, **extra)


@pytest.mark.parametrize(
    ("topic", "value", "expected"),
    [
        pytest.param(
            TOPICS.submitted,
            encode(submitted_message()),
            event(SignalState.ACCEPTED, SUBMITTED_UTC),
            id="submitted-accepted-at-submission",
        ),
        pytest.param(
            TOPICS.classified,
            encode(classified_message()),
            event(SignalState.CLASSIFIED, CLASSIFIED),
            id="classified-at-classification",
        ),
        pytest.param(
            TOPICS.deadletter,
            letter(encode(submitted_message())),
            event(
                SignalState.DEAD_LETTERED,
                FAILED,
                stage="classifier",
                reason="processing_failed",
                detail="classification failed",
            ),
            id="dead-letter-of-a-submission",
        ),
        pytest.param(
            TOPICS.deadletter,
            letter(
                encode(classified_message()),
                source_topic=TOPICS.classified,
                stage=DeadLetterStage.AGGREGATOR,
            ),
            event(
                SignalState.DEAD_LETTERED,
                FAILED,
                stage="aggregator",
                reason="processing_failed",
                detail="classification failed",
            ),
            id="dead-letter-of-a-classified-signal",
        ),
    ],
)
def test_a_message_about_a_submission_gives_its_event(
    topic: str, value: bytes, expected: LedgerEvent
) -> None:
    found = ledger_event(topic, value, TOPICS)
    assert found == expected
    assert found is not None
    assert found.at.tzinfo is not None
    assert found.at.utcoffset() == dt.timedelta(0)


def test_a_dead_letters_detail_is_cut_short() -> None:
    long = "x" * (MAX_DETAIL_CHARS - 1) + "yz" + "q" * 1000
    found = ledger_event(
        TOPICS.deadletter, letter(encode(submitted_message()), detail=long), TOPICS
    )
    assert found is not None
    assert found.detail == long[:MAX_DETAIL_CHARS]
    assert found.detail.endswith("y")


def test_detail_under_the_limit_is_kept_whole() -> None:
    detail = "d" * MAX_DETAIL_CHARS
    found = ledger_event(
        TOPICS.deadletter, letter(encode(submitted_message()), detail=detail), TOPICS
    )
    assert found is not None
    assert found.detail == detail


WITHDRAWAL = encode(
    SignalWithdrawn(
        withdrawal_id=uuid.uuid4(),
        signal_id=SIGNAL,
        organisation_id="mee-noord",
        requested_by=WithdrawalRequester.OPERATOR,
        withdrawn_at=FAILED,
    )
)


def _without(field: str) -> bytes:
    body = json.loads(encode(submitted_message()))
    body.pop(field)
    return json.dumps(body).encode()


def _naive_submission() -> bytes:
    body = json.loads(encode(submitted_message()))
    body["submitted_at"] = "2026-03-02T09:00:00"
    return json.dumps(body).encode()


def _broken_letter(**changes: object) -> bytes:
    body = json.loads(letter(encode(submitted_message())))
    body.update(changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("topic", "value"),
    [
        pytest.param(TOPICS.deadletter, letter(WITHDRAWAL, TOPICS.withdrawn), id="dead-withdrawal"),
        pytest.param(
            TOPICS.deadletter, letter(b"{}", TOPICS.reviewed), id="dead-letter-of-a-decision"
        ),
        pytest.param(TOPICS.deadletter, letter(b"\x00\xff not json"), id="dead-letter-of-not-json"),
        pytest.param(TOPICS.deadletter, letter(b"[1, 2]"), id="dead-letter-of-a-json-list"),
        pytest.param(TOPICS.deadletter, letter(_without("signal_id")), id="dead-no-signal-id"),
        pytest.param(
            TOPICS.deadletter, _broken_letter(value_base64="***"), id="dead-letter-bad-base64"
        ),
        pytest.param(
            TOPICS.deadletter, _broken_letter(failed_at="yesterday"), id="dead-letter-bad-time"
        ),
        pytest.param(TOPICS.deadletter, b"not json", id="dead-letter-not-json"),
        pytest.param(TOPICS.submitted, None, id="no-value"),
        pytest.param(TOPICS.submitted, b"not json", id="not-json"),
        pytest.param(TOPICS.submitted, b'"a string"', id="json-not-an-object"),
        pytest.param(TOPICS.submitted, _without("organisation_id"), id="no-organisation"),
        pytest.param(TOPICS.submitted, _without("submitted_at"), id="no-submitted-at"),
        pytest.param(TOPICS.submitted, _naive_submission(), id="time-without-zone"),
        pytest.param(TOPICS.classified, encode(submitted_message()), id="classified-no-labels"),
        pytest.param(TOPICS.reviewed, encode(classified_message()), id="other-topic"),
        pytest.param(TOPICS.withdrawn, WITHDRAWAL, id="withdrawal-topic"),
    ],
)
def test_a_message_that_names_no_submission_gives_no_event(topic: str, value: bytes | None) -> None:
    assert ledger_event(topic, value, TOPICS) is None


def test_the_event_row_names_its_columns() -> None:
    found = ledger_event(TOPICS.classified, encode(classified_message()), TOPICS)
    assert found is not None
    assert dict(zip(LEDGER_COLUMNS, found.row(), strict=True)) == {
        "organisation_id": "mee-noord",
        "signal_id": SIGNAL,
        "submitted_at": SUBMITTED_UTC,
        "event": "classified",
        "at": CLASSIFIED,
        "stage": "",
        "reason": "",
        "detail": "",
    }

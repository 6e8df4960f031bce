"""One batch through the classifier stage, without faust: decode, classify, encode."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import replace

import pytest

from tests.support import valid_submission
from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_classifier.processing import classify as processing
from waakhond_classifier.processing.classify import classify_messages
from waakhond_contract.messages import (
    Classification,
    DeadLetterStage,
    SignalClassified,
    SignalSubmitted,
)
from waakhond_contract.vocabularies import Category
from waakhond_runtime.codec import decode, encode
from waakhond_runtime.deadletters import DeadLetterPolicy
from waakhond_runtime.records import ConsumedRecord

CLASSIFIER_DEAD_LETTERS = DeadLetterPolicy(DeadLetterStage.CLASSIFIER)
NOW = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)


def submitted(description: str) -> bytes:
    body = valid_submission(description=description)
    body.pop("client_ref")
    message = SignalSubmitted.model_validate(
        {
            **body,
            "signal_id": str(uuid.uuid4()),
            "organisation_id": "mee-noord",
            "submitted_at": NOW.isoformat(),
        }
    )
    return encode(message)


def test_good_messages_are_classified_and_poison_is_dead_lettered() -> None:
    values = [
        submitted("Al een jaar op de wachtlijst voor beschermd wonen, geen plek."),
        b"{broken",
        submitted("Geen beschikking ontvangen, de wettelijke termijn is ruim verstreken."),
    ]
    messages = [
        ConsumedRecord("signals.submitted", 1, 10 + i, b"ZK02", v) for i, v in enumerate(values)
    ]
    outcome = classify_messages(messages, load_default_classifier(), NOW)

    assert len(outcome.classified) == 2
    assert all(record.key == b"ZK02" for record in outcome.classified)
    first = decode(SignalClassified, outcome.classified[0].value)
    assert first.signal_id == decode(SignalSubmitted, values[0]).signal_id
    assert first.classification.model_version == load_default_classifier().version
    assert first.classification.classified_at == NOW
    assert set(first.classification.scores) == {
        "policy_gap",
        "missed_rights",
        "unreachable_groups",
        "no_suitable_care",
    }

    (rejected,) = outcome.rejected
    letter = CLASSIFIER_DEAD_LETTERS.letter(rejected, NOW)
    document = json.loads(letter.value)
    assert (document["stage"], document["reason"]) == ("classifier", "not_json")
    assert (document["source_partition"], document["source_offset"]) == (1, 11)
    assert base64.b64decode(document["value_base64"]) == b"{broken"
    assert sum(outcome.label_counts.values()) >= 2


POISON_TEXT = "Deze tekst laat het model struikelen: een fout die het echte model niet maakt."


class FaultInjectingClassifier:
    """The real classifier with one injected fault for the text POISON_TEXT (a fault of our
    own model that the real one cannot produce on demand)."""

    def __init__(self, fault: str) -> None:
        self._real = load_default_classifier()
        self._fault = fault

    @property
    def version(self) -> str:
        return self._real.version

    def classify_batch(self, items: Sequence[ClassifierInput]) -> list[ClassifierOutput]:
        outputs = self._real.classify_batch(items)
        for index, item in enumerate(items):
            if item.text == POISON_TEXT:
                if self._fault == "raises":
                    raise FloatingPointError("injected")
                scores = dict(outputs[index].scores)
                scores[Category.POLICY_GAP] = math.nan
                outputs[index] = replace(outputs[index], scores=scores)
        return outputs


@pytest.mark.parametrize(
    ("fault", "detail"),
    [
        pytest.param("raises", "FloatingPointError: injected", id="model-raises"),
        pytest.param(
            "nan-score",
            "ValidationError: 1 validation error for Classification\nscores.policy_gap",
            id="model-gives-an-invalid-score",
        ),
    ],
)
def test_a_signal_the_model_fails_on_is_dead_lettered_and_the_rest_classified(
    fault: str, detail: str
) -> None:
    values = [
        submitted("Al een jaar op de wachtlijst voor beschermd wonen, geen plek."),
        submitted(POISON_TEXT),
        submitted("Geen beschikking ontvangen, de wettelijke termijn is ruim verstreken."),
    ]
    messages = [
        ConsumedRecord("signals.submitted", 0, 20 + i, b"ZK02", v) for i, v in enumerate(values)
    ]
    outcome = classify_messages(messages, FaultInjectingClassifier(fault), NOW)

    assert [decode(SignalClassified, r.value).signal_id for r in outcome.classified] == [
        decode(SignalSubmitted, values[0]).signal_id,
        decode(SignalSubmitted, values[2]).signal_id,
    ]
    (rejected,) = outcome.rejected
    letter = CLASSIFIER_DEAD_LETTERS.letter(rejected, NOW)
    document = json.loads(letter.value)
    assert (document["stage"], document["reason"]) == ("classifier", "processing_failed")
    assert document["source_offset"] == 21
    assert document["signal_id"] == str(decode(SignalSubmitted, values[1]).signal_id)
    assert document["detail"].startswith(detail)
    assert outcome.needs_review + sum(outcome.label_counts.values()) >= 2


VARIED_DESCRIPTIONS = [
    "Al een jaar op de wachtlijst voor beschermd wonen, geen plek.",
    'Cliënt zegt: "niemand belt terug" \\ en de Wmo-consulent is "ziek".',
    "Statushouders 👍 zonder DigiD,\nalleen online aanvragen;\ttolk ontbreekt.",
    "Мой клиент ждёт решения уже три месяца, geen beschikking.",
    "wachtlijst " * 180 + "wachtlijst",
]


@pytest.mark.parametrize("splice", [True, False], ids=["splice", "full-model"])
def test_a_classified_signal_is_encoded_as_the_full_model_encodes_it(
    splice: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(processing, "_CLASSIFIED_EXTENDS_SUBMITTED", splice)
    amsterdam = dt.timezone(dt.timedelta(hours=2))
    for i, description in enumerate(VARIED_DESCRIPTIONS):
        body = valid_submission(
            description=description,
            law_domains=["wmo", "wlz"][: 1 + i % 2],
            suggested_categories=[c.value for c in Category][: i % 5],
        )
        body.pop("client_ref")
        signal = SignalSubmitted.model_validate(
            {
                **body,
                "signal_id": str(uuid.uuid4()),
                "organisation_id": "mee-noord",
                "submitted_at": NOW.astimezone(amsterdam if i % 2 else dt.UTC).isoformat(),
            }
        )
        classification = Classification(
            labels=[Category.POLICY_GAP][: i % 2],
            scores={c: round(0.1 * (i + k), 4) for k, c in enumerate(Category)},
            needs_review=i % 2 == 0,
            model_version="linear-1.0-59a2c00fb4eb",
            classified_at=NOW,
            explanations={Category.POLICY_GAP: ["wal en schip", "cliënt"]} if i % 2 else {},
        )
        expected = encode(SignalClassified(**signal.model_dump(), classification=classification))
        assert processing.encode_classified(signal, classification) == expected


def test_every_classified_record_is_the_canonical_encoding_of_its_signal() -> None:
    values = [submitted(description) for description in VARIED_DESCRIPTIONS]
    messages = [ConsumedRecord("signals.submitted", 0, i, None, v) for i, v in enumerate(values)]
    outcome = classify_messages(messages, load_default_classifier(), NOW)

    assert len(outcome.classified) == len(values)
    for value, record in zip(values, outcome.classified, strict=True):
        signal = decode(SignalSubmitted, value)
        classified = decode(SignalClassified, record.value)
        rebuilt = SignalClassified(**signal.model_dump(), classification=classified.classification)
        assert record.value == encode(rebuilt)


def _submitted_with(description: str, privacy_flags: list[str]) -> bytes:
    body = valid_submission(description=description)
    body.pop("client_ref")
    return encode(
        SignalSubmitted.model_validate(
            {
                **body,
                "signal_id": str(uuid.uuid4()),
                "organisation_id": "mee-noord",
                "submitted_at": NOW.isoformat(),
                "privacy_flags": privacy_flags,
            }
        )
    )


CLEAR = "Al een jaar op de wachtlijst voor beschermd wonen, geen plek in de regio."
UNSURE = "Mw. wacht nog op bericht van de gemeente over de aanvraag."
QUASI = "possible_quasi_identifier"


@pytest.mark.parametrize(
    ("description", "flags", "reasons"),
    [
        pytest.param(CLEAR, [], [], id="sure-no-flag"),
        pytest.param(UNSURE, [], ["uncertain"], id="unsure"),
        pytest.param(CLEAR, [QUASI], [QUASI], id="sure-but-quasi-identifier"),
        pytest.param(UNSURE, [QUASI], ["uncertain", QUASI], id="unsure-and-quasi-identifier"),
    ],
)
def test_review_reasons_come_from_the_model_and_from_intake_privacy_flags(
    description: str, flags: list[str], reasons: list[str]
) -> None:
    message = ConsumedRecord("signals.submitted", 0, 0, None, _submitted_with(description, flags))
    outcome = classify_messages([message], load_default_classifier(), NOW)
    classification = decode(SignalClassified, outcome.classified[0].value).classification
    assert [reason.value for reason in classification.review_reasons] == reasons
    assert classification.needs_review is bool(reasons)
    assert outcome.needs_review == int(bool(reasons))

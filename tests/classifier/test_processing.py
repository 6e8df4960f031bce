"""One batch through the classifier stage, without faust: decode, classify, encode."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

from tests.support import valid_submission
from waakhond_classifier.model.loader import load_default_classifier
from waakhond_classifier.processing import classify_messages
from waakhond_contract.codec import decode, encode
from waakhond_contract.deadletters import SourceMessage
from waakhond_contract.messages import SignalClassified, SignalSubmitted

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
        SourceMessage("signals.submitted", 1, 10 + i, b"ZK02", v) for i, v in enumerate(values)
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

    (letter,) = outcome.dead_letters
    document = json.loads(letter.value)
    assert (document["stage"], document["reason"]) == ("classifier", "not_json")
    assert (document["source_partition"], document["source_offset"]) == (1, 11)
    assert base64.b64decode(document["value_base64"]) == b"{broken"
    assert sum(outcome.label_counts.values()) >= 2

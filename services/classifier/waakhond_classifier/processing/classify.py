"""One batch of ``signals.submitted`` messages -> classified records and dead letters.

The classifier's processor, free of faust and Kafka so it can be tested and
benchmarked on its own: decode, classify in one call, encode. A message that
cannot be decoded, and a signal the model or the classified message's checks
fail on, comes back as a rejection with its reason (the worker hands it to the
dead-letter policy); the rest of the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from waakhond_classifier.model.base import ClassifierInput, ClassifierOutput, SignalClassifier
from waakhond_contract.messages import (
    Classification,
    DeadLetterReason,
    PrivacyFlag,
    ReviewReason,
    SignalClassified,
    SignalSubmitted,
)
from waakhond_runtime.codec import DecodeError, decode, encode
from waakhond_runtime.deadletters import RejectedRecord, Rejection
from waakhond_runtime.records import ConsumedRecord, ProducedRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    classified: list[ProducedRecord]
    rejected: list[RejectedRecord]
    # The consumed message each classified record came from, in the same order.
    classified_from: list[ConsumedRecord] = field(default_factory=list)
    label_counts: Counter[str] = field(default_factory=Counter)
    needs_review: int = 0


def classify_messages(
    messages: Sequence[ConsumedRecord], classifier: SignalClassifier, now: dt.datetime
) -> BatchOutcome:
    decoded: list[tuple[ConsumedRecord, SignalSubmitted]] = []
    rejected: list[RejectedRecord] = []
    for message in messages:
        try:
            decoded.append((message, decode(SignalSubmitted, message.value)))
        except DecodeError as error:
            log.warning(
                "dead-lettering %s[%d]@%d: %s",
                message.topic,
                message.partition,
                message.offset,
                error,
            )
            rejected.append(RejectedRecord(message, Rejection(error.reason, error.detail)))
    classified: list[ProducedRecord] = []
    classified_from: list[ConsumedRecord] = []
    # Counted once at the end: one Counter.update per signal costs more.
    labels: list[str] = []
    needs_review = 0
    outputs = _classify([signal for _, signal in decoded], classifier)
    for (message, signal), output in zip(decoded, outputs, strict=True):
        try:
            if isinstance(output, Exception):
                raise output
            reasons = review_reasons(signal, output)
            classification = Classification(
                labels=list(output.labels),
                scores=dict(output.scores),
                needs_review=bool(reasons),
                review_reasons=reasons,
                model_version=classifier.version,
                classified_at=now,
                explanations={k: list(v) for k, v in output.explanations.items()},
            )
            value = encode_classified(signal, classification)
        except Exception as error:  # one signal the model fails on must not stop the stream
            log.exception("cannot classify signal %s; dead-lettering it", signal.signal_id)
            failure = Rejection(
                DeadLetterReason.PROCESSING_FAILED,
                f"{type(error).__name__}: {error}",
                signal.signal_id,
            )
            rejected.append(RejectedRecord(message, failure))
            continue
        labels.extend(map(str, output.labels))
        needs_review += classification.needs_review
        classified.append(ProducedRecord(key=message.key, value=value))
        classified_from.append(message)
    return BatchOutcome(
        classified=classified,
        rejected=rejected,
        classified_from=classified_from,
        label_counts=Counter(labels),
        needs_review=needs_review,
    )


def review_reasons(signal: SignalSubmitted, output: ClassifierOutput) -> list[ReviewReason]:
    """Why a person should look: the model is unsure (or cannot judge the text), and/or
    intake could not settle on its own that the text identifies nobody."""
    reasons: list[ReviewReason] = []
    if output.needs_review:
        reasons.append(ReviewReason.UNCERTAIN)
    if PrivacyFlag.POSSIBLE_QUASI_IDENTIFIER in signal.privacy_flags:
        reasons.append(ReviewReason.POSSIBLE_QUASI_IDENTIFIER)
    return reasons


# A SignalClassified is a SignalSubmitted with ``classification`` as its last
# field, so its JSON is the signal's JSON with one more member. Built that way
# the signal's fields, validated when it was decoded, are not validated again
# for every message (the cost: bench/README.md, "Figures moved from code
# comments"); the new Classification is still validated, so invalid model output
# is dead-lettered.
_CLASSIFIED_EXTENDS_SUBMITTED = list(SignalClassified.model_fields) == [
    *SignalSubmitted.model_fields,
    "classification",
]


def encode_classified(signal: SignalSubmitted, classification: Classification) -> bytes:
    """``encode(SignalClassified(**signal.model_dump(), classification=classification))``."""
    if not _CLASSIFIED_EXTENDS_SUBMITTED:
        return encode(SignalClassified(**signal.model_dump(), classification=classification))
    # The serializers give bytes; ``encode`` takes a detour through str.
    submitted = SignalSubmitted.__pydantic_serializer__.to_json(signal)
    added = Classification.__pydantic_serializer__.to_json(classification)
    return b'%s,"classification":%s}' % (submitted[:-1], added)


def _classify(
    signals: list[SignalSubmitted], classifier: SignalClassifier
) -> list[ClassifierOutput | Exception]:
    """The whole batch in one call; if that fails, each signal alone, to find the one."""
    inputs = [
        ClassifierInput(
            text=signal.description,
            suggested_categories=tuple(signal.suggested_categories),
            law_domains=tuple(signal.law_domains),
            life_domains=tuple(signal.life_domains),
            target_groups=tuple(signal.target_groups),
        )
        for signal in signals
    ]
    try:
        return list(classifier.classify_batch(inputs))
    except Exception:
        log.exception("classifying a batch of %d failed; classifying one by one", len(inputs))
    outputs: list[ClassifierOutput | Exception] = []
    for item in inputs:
        try:
            (output,) = classifier.classify_batch([item])
        except Exception as error:
            outputs.append(error)
        else:
            outputs.append(output)
    return outputs

"""One batch of ``signals.submitted`` messages -> classified records and dead letters.

Kept free of faust so it can be tested and benchmarked on its own: decode,
classify in one call, encode.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from waakhond_classifier.model.base import ClassifierInput, SignalClassifier
from waakhond_contract.codec import DecodeError, decode, encode
from waakhond_contract.deadletters import SourceMessage, build_dead_letter
from waakhond_contract.messages import (
    Classification,
    DeadLetterStage,
    SignalClassified,
    SignalSubmitted,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    key: bytes | None
    value: bytes


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    classified: list[OutgoingMessage]
    dead_letters: list[OutgoingMessage]
    label_counts: Counter[str] = field(default_factory=Counter)
    needs_review: int = 0


def classify_messages(
    messages: Sequence[SourceMessage], classifier: SignalClassifier, now: dt.datetime
) -> BatchOutcome:
    decoded: list[tuple[SourceMessage, SignalSubmitted]] = []
    dead_letters: list[OutgoingMessage] = []
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
            letter = build_dead_letter(
                message, DeadLetterStage.CLASSIFIER, error.reason, error.detail, now
            )
            dead_letters.append(OutgoingMessage(key=message.key, value=letter))
    outputs = classifier.classify_batch(
        [
            ClassifierInput(
                text=signal.description,
                suggested_categories=tuple(signal.suggested_categories),
                law_domains=tuple(signal.law_domains),
                life_domains=tuple(signal.life_domains),
                target_groups=tuple(signal.target_groups),
            )
            for _, signal in decoded
        ]
    )
    classified = []
    label_counts: Counter[str] = Counter()
    for (message, signal), output in zip(decoded, outputs, strict=True):
        label_counts.update(str(label) for label in output.labels)
        enriched = SignalClassified(
            **signal.model_dump(),
            classification=Classification(
                labels=list(output.labels),
                scores=dict(output.scores),
                needs_review=output.needs_review,
                model_version=classifier.version,
                classified_at=now,
                explanations={k: list(v) for k, v in output.explanations.items()},
            ),
        )
        classified.append(OutgoingMessage(key=message.key, value=encode(enriched)))
    return BatchOutcome(
        classified=classified,
        dead_letters=dead_letters,
        label_counts=label_counts,
        needs_review=sum(output.needs_review for output in outputs),
    )

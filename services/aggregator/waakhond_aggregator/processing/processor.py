"""The aggregator's processor: one consumed record in, a candidate row or a rejection out.

Steps 1 and 2 (decode, transform) for one message. Pure: no Kafka, no ClickHouse, no
clock; the streaming layer feeds it records and sends its rejections to the dead-letter
policy.
"""

from __future__ import annotations

import logging

from waakhond_aggregator.processing.decode import decode_classified
from waakhond_aggregator.processing.rows import Candidate
from waakhond_aggregator.processing.transform import to_rows
from waakhond_contract.messages import DeadLetterReason
from waakhond_contract.regions import RegionReference
from waakhond_runtime.deadletters import Rejection
from waakhond_runtime.records import ConsumedRecord

log = logging.getLogger(__name__)


def process_classified(record: ConsumedRecord, reference: RegionReference) -> Candidate | Rejection:
    decoded = decode_classified(record.value)
    if isinstance(decoded, Rejection):
        return decoded
    try:
        return Candidate(record, decoded, to_rows(decoded, reference))
    except Exception as error:  # one bad message must not stop the stream
        log.exception("cannot transform signal %s", decoded.signal_id)
        return Rejection(DeadLetterReason.PROCESSING_FAILED, repr(error), decoded.signal_id)

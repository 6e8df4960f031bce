"""People's decisions and organisations' withdrawals reach the counts exactly, through kill -9
of the aggregator: both are produced out of order and twice while the aggregator is killed,
and afterwards the national count of every category is what the decisions that stand give,
without the withdrawn signals."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import (
    aggregator_process,
    classifier_process,
    wait_until,
)
from tests.e2e.test_faults import Submitter
from tests.e2e.test_pipeline import read_all
from tests.support import ORGANISATIONS, ServerThread, fresh_topics, produce, unique_suffix
from waakhond_contract.messages import (
    ReviewerRole,
    ReviewOutcome,
    SignalClassified,
    SignalReviewed,
    SignalWithdrawn,
    WithdrawalRequester,
)
from waakhond_contract.vocabularies import Category
from waakhond_intake.auth.keys import create_key
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.main import create_app as create_intake
from waakhond_runtime.codec import encode
from waakhond_runtime.settings import KafkaSettings
from waakhond_tools.stack.demo import generate_signals

SIGNALS = 400
REVIEWED = 150
WITHDRAWN = 40
PERIOD = {"from": "2025-01-01", "to": "2025-04-06"}
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
STATUS_TOKEN = "faults-status-token"


def national_by_category(url: str) -> Counter[str]:
    totals: Counter[str] = Counter()
    for category in ["all", *Category]:
        response = httpx.get(
            f"{url}/v1/trends",
            params={"level": "national", "category": str(category), **PERIOD},
            timeout=10,
        )
        response.raise_for_status()
        totals[str(category)] = sum(s["total"] or 0 for s in response.json()["series"])
    return totals


def decisions_for(
    signal: SignalClassified, rng: random.Random, minute: int
) -> tuple[list[SignalReviewed], list[str]]:
    """One to three decisions on a signal, and the labels of the one that stands, worked out
    from the rule itself: a coordinator's over a reviewer's, then the latest."""
    made = []
    offsets = sorted(rng.sample(range(10), 3))
    for step in range(rng.randint(1, 3)):
        role = ReviewerRole.COORDINATOR if rng.random() < 0.3 else ReviewerRole.REVIEWER
        labels = sorted(rng.sample(list(Category), rng.randint(0, 2)))
        made.append(
            SignalReviewed(
                decision_id=uuid.uuid4(),
                signal_id=signal.signal_id,
                organisation_id=signal.organisation_id,
                outcome=ReviewOutcome.LABELLED,
                labels=labels,
                reviewer=f"rv-{rng.getrandbits(64):016x}",
                role=role,
                # Distinct minutes, so no two decisions on a signal share a time.
                decided_at=T0 + dt.timedelta(minutes=minute * 10 + offsets[step]),
                reviewed_model_version=signal.classification.model_version,
            )
        )
    standing = max(made, key=lambda d: (d.role is ReviewerRole.COORDINATOR, d.decided_at))
    return made, [str(label) for label in standing.labels]


@pytest.mark.e2e
def test_decisions_and_withdrawals_change_the_counts_exactly_once_under_kill_9(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    rng = random.Random(20261207)
    suffix = unique_suffix()
    topics = fresh_topics(kafka_settings, suffix)
    keys_file = tmp_path / "api-keys.json"
    tokens = {org: create_key(keys_file, org)[1] for org in ORGANISATIONS}
    classifier, classifier_port = classifier_process(kafka_settings, topics, suffix, tmp_path)
    aggregator, trends_url = aggregator_process(
        kafka_settings, topics, suffix, tmp_path, status_token=STATUS_TOKEN
    )
    bodies = [
        body for _, body in generate_signals(SIGNALS, seed=7, weeks=12, today=dt.date(2025, 3, 30))
    ]
    intake = create_intake(IntakeSettings(api_keys_file=keys_file), kafka_settings, topics)
    classifier.start()
    aggregator.start()
    try:
        aggregator.wait_ready(f"{trends_url}/readyz", 90)
        classifier.wait_ready(f"http://127.0.0.1:{classifier_port}/readyz", 90)
        with ServerThread(intake) as intake_server:
            submitter = Submitter(intake_server.url, tokens, bodies)
            submitter.run()
        accepted = submitter.accepted
        wait_until(
            lambda: national_by_category(trends_url)["all"] >= len(accepted),
            120,
            "every signal counted",
        )
        classified = {
            s.signal_id: s
            for s in (
                SignalClassified.model_validate_json(r.value)
                for r in read_all(kafka_settings, topics.classified, len(accepted))
            )
        }
        model_counts = national_by_category(trends_url)
        assert model_counts["all"] == len(accepted) == len(classified)

        chosen = rng.sample(sorted(classified, key=str), REVIEWED)
        decisions: list[SignalReviewed] = []
        expected = Counter(model_counts)
        final = {
            i: [str(label) for label in s.classification.labels] for i, s in classified.items()
        }
        for minute, signal_id in enumerate(chosen):
            signal = classified[signal_id]
            made, labels = decisions_for(signal, rng, minute)
            decisions += made
            expected.subtract(final[signal_id])
            expected.update(labels)
            final[signal_id] = labels
        # Withdrawals, some of reviewed signals: the withdrawal stands over every decision.
        withdrawn_at = dt.datetime.now(dt.UTC)
        withdrawals = [
            SignalWithdrawn(
                withdrawal_id=uuid.uuid4(),
                signal_id=signal_id,
                organisation_id=classified[signal_id].organisation_id,
                requested_by=WithdrawalRequester.ORGANISATION,
                withdrawn_at=withdrawn_at,
            )
            for signal_id in rng.sample(sorted(classified, key=str), WITHDRAWN)
        ]
        for withdrawal in withdrawals:
            expected.subtract(["all", *final[withdrawal.signal_id]])
        # Out of order, and a third of them twice (a redelivery).
        rng.shuffle(decisions)
        stream = [*decisions, *rng.sample(decisions, len(decisions) // 3)]
        thirds = [stream[i::3] for i in range(3)]
        gone = [*withdrawals, *rng.sample(withdrawals, len(withdrawals) // 3)]
        rng.shuffle(gone)
        for index, part in enumerate(thirds):
            produce(
                kafka_settings,
                topics.reviewed,
                ((d.signal_id.bytes, encode(d)) for d in part),
            )
            produce(
                kafka_settings,
                topics.withdrawn,
                ((str(w.signal_id).encode(), encode(w)) for w in gone[index::3]),
            )
            time.sleep(rng.uniform(0.2, 1.0))
            aggregator.kill()
            aggregator.start()
            aggregator.wait_ready(f"{trends_url}/readyz", 90)

        deadline = time.monotonic() + 120
        while national_by_category(trends_url) != expected and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(3)  # a replay still under way would show as a difference now
        assert national_by_category(trends_url) == expected, model_counts
        assert expected != model_counts
        # What the organisations read survived the kills too.
        withdrawn = {w.signal_id for w in withdrawals}
        for signal_id in [*withdrawn, *rng.sample(sorted(set(classified) - withdrawn), 20)]:
            signal = classified[signal_id]
            response = httpx.get(
                f"{trends_url}/internal/v1/organisations/{signal.organisation_id}"
                f"/signals/{signal_id}",
                headers={"Authorization": f"Bearer {STATUS_TOKEN}"},
                timeout=10,
            )
            assert response.status_code == 200, response.text
            status = response.json()
            if signal_id in withdrawn:
                assert (status["status"], status["signal"]["description"]) == ("withdrawn", "")
            else:
                labels_from = "review" if signal_id in chosen else "model"
                assert (status["status"], status["labels_from"]) == ("counted", labels_from)
                assert status["labels"] == sorted(final[signal_id])
    finally:
        classifier.stop()
        aggregator.stop()

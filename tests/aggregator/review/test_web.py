"""The review page through HTTP (FastAPI's TestClient on the aggregator's app), over the real
chDB and the real broker: sign-in, sessions, CSRF, rate limits, visibility, decisions on the
topic, the audit trail and the metrics."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid

import pytest
from clickhouse_connect.driver.client import Client
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from tests.aggregator.review.conftest import (
    PASSWORD,
    Accounts,
    AppFactory,
    classified,
    only_the_sentinel_was_published,
    read_decisions,
    record_decision,
    review_settings,
    store,
)
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_aggregator.review.accounts import disable_account
from waakhond_aggregator.review.audit import AUDIT_LOGGER
from waakhond_contract.messages import ReviewerRole, ReviewOutcome
from waakhond_contract.vocabularies import Category, PiiKind
from waakhond_runtime.log_format import JsonFormatter
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings
from waakhond_tools.stack.broker import free_port

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page without a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Signs in; returns the session's CSRF token (from the queue page)."""
    token = csrf_of(client.get("/review/login").text)
    answer = client.post(
        "/review/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    queue = client.get("/review/queue")
    assert queue.status_code == 200
    return csrf_of(queue.text)


def confirm(client: TestClient, token: str, signal_id: uuid.UUID) -> None:
    """A valid decision: after refused actions, the sentinel that shows they published
    nothing."""
    answer = client.post(
        f"/review/signals/{signal_id}",
        data={"csrf_token": token, "action": "confirm", "labels": ["unreachable_groups"]},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def decisions_total(role: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "waakhond_aggregator_review_decisions_total", {"role": role, "outcome": outcome}
    )
    return value or 0.0


def test_pages_ask_to_sign_in_and_a_wrong_password_is_refused_in_dutch(
    make_app: AppFactory, accounts: Accounts
) -> None:
    with TestClient(make_app()) as client:
        answer = client.get("/review/queue", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/review/login"
        token = csrf_of(client.get("/review/login").text)
        wrong = client.post(
            "/review/login",
            data={"username": "rita", "password": "niet-dit", "csrf_token": token},
        )
        assert wrong.status_code == 401
        assert "Gebruikersnaam of wachtwoord is onjuist" in wrong.text
        assert client.get("/review/queue", follow_redirects=False).status_code == 303


def test_a_reviewer_sees_its_own_organisations_queue_flagged_first_then_oldest(
    make_app: AppFactory, accounts: Accounts, clickhouse_client: Client, review_database: str
) -> None:
    now = dt.datetime.now(dt.UTC)
    older_flagged = classified(needs_review=True, submitted_at=now - dt.timedelta(days=3))
    newer_flagged = classified(needs_review=True, submitted_at=now - dt.timedelta(days=1))
    confident = classified(submitted_at=now - dt.timedelta(days=5))
    other_organisation = classified("zorgbelang-west", needs_review=True)
    store(
        clickhouse_client,
        review_database,
        [newer_flagged, confident, other_organisation, older_flagged],
    )
    with TestClient(make_app(sample_rate=1.0)) as client:
        sign_in(client, "rita")
        page = client.get("/review/queue").text
    order = [str(s.signal_id)[:8] for s in (older_flagged, newer_flagged, confident)]
    positions = [page.index(short) for short in order]
    assert positions == sorted(positions), "flagged first, oldest first, then the sample"
    assert str(other_organisation.signal_id)[:8] not in page


def test_the_item_page_shows_text_dimensions_scores_terms_and_definitions_in_dutch(
    make_app: AppFactory, accounts: Accounts, clickhouse_client: Client, review_database: str
) -> None:
    signal = classified(
        needs_review=True,
        labels=(Category.NO_SUITABLE_CARE, Category.POLICY_GAP),
        explanations={Category.NO_SUITABLE_CARE: ["wachtlijst"], Category.POLICY_GAP: ["knip"]},
        scores={
            Category.NO_SUITABLE_CARE: 0.83,
            Category.POLICY_GAP: 0.55,
            Category.MISSED_RIGHTS: 0.12,
            Category.UNREACHABLE_GROUPS: 0.04,
        },
    )
    store(clickhouse_client, review_database, [signal])
    with TestClient(make_app()) as client:
        sign_in(client, "rita")
        page = client.get(f"/review/signals/{signal.signal_id}")
    assert page.status_code == 200
    html = page.text
    for expected in (
        "Al maanden wachtlijst voor beschermd wonen",
        "Geen passend aanbod",
        "Beleidslacune",
        "Rechten mislopen",
        "Niet bereikte groepen",
        "Model: 83%",
        "Model: 55%",
        "Model: 12%",
        ">knip<",
        "Verstandelijke beperking",  # the target group's Dutch label
        "Amsterdam",  # the municipality's name from the region reference
        "wachtlijsten, geen plek",  # from the definition of no_suitable_care
    ):
        assert expected in html, expected
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("other-organisation", 404, id="another-organisations-signal"),
        pytest.param(str(uuid.UUID(int=7)), 404, id="no-such-signal"),
        pytest.param("not-a-uuid", 404, id="not-an-id"),
    ],
)
def test_a_reviewer_cannot_open_a_signal_it_may_not_see(
    make_app: AppFactory,
    accounts: Accounts,
    clickhouse_client: Client,
    review_database: str,
    path: str,
    status: int,
) -> None:
    theirs = classified("zorgbelang-west", needs_review=True)
    store(clickhouse_client, review_database, [theirs])
    target = str(theirs.signal_id) if path == "other-organisation" else path
    with TestClient(make_app()) as client:
        token = sign_in(client, "rita")
        page = client.get(f"/review/signals/{target}")
        assert page.status_code == status
        assert "Niet gevonden" in page.text
        assert theirs.description not in page.text
        post = client.post(
            f"/review/signals/{target}",
            data={"csrf_token": token, "action": "confirm", "labels": ["policy_gap"]},
        )
        assert post.status_code == status
    with TestClient(make_app()) as client:
        sign_in(client, "wim")  # the organisation's own reviewer, and a coordinator, see it
        assert client.get(f"/review/signals/{theirs.signal_id}").status_code == 200
        sign_in(client, "cora")
        assert client.get(f"/review/signals/{theirs.signal_id}").status_code == 200


def test_a_decision_is_published_on_the_reviewed_topic_keyed_by_signal(
    make_app: AppFactory,
    accounts: Accounts,
    clickhouse_client: Client,
    review_database: str,
    kafka_settings: KafkaSettings,
    topics_with_reviewed: TopicSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = (classified(needs_review=True) for _ in range(2))
    store(clickhouse_client, review_database, [first, second])
    labelled_before = decisions_total("reviewer", "labelled")
    identifying_before = decisions_total("reviewer", "contains_identifying_details")
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    with TestClient(make_app()) as client:
        token = sign_in(client, "rita")
        answer = client.post(
            f"/review/signals/{first.signal_id}",
            data={
                "csrf_token": token,
                "action": "confirm",
                "labels": ["missed_rights", "policy_gap"],
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303
        # The next item: the decided one stays out of this reviewer's queue.
        assert answer.headers["location"] == "/review/next"
        nxt = client.get("/review/next", follow_redirects=False)
        assert nxt.headers["location"] == f"/review/signals/{second.signal_id}"
        refused = client.post(
            f"/review/signals/{second.signal_id}",
            data={"csrf_token": token, "action": "identifying"},
        )
        assert refused.status_code == 422
        assert "Geef aan welke identificerende gegevens" in refused.text
        client.post(
            f"/review/signals/{second.signal_id}",
            data={
                "csrf_token": token,
                "action": "identifying",
                "labels": ["no_suitable_care"],
                "identifying_kinds": ["name", "phone"],
            },
        )
    arrived = read_decisions(kafka_settings, topics_with_reviewed.reviewed, expected=2)
    assert len(arrived) == 2
    by_signal = {message.signal_id: (key, message) for key, message in arrived}
    key, labelled = by_signal[first.signal_id]
    assert key == str(first.signal_id).encode()
    assert labelled.outcome is ReviewOutcome.LABELLED
    assert sorted(labelled.labels) == [Category.MISSED_RIGHTS, Category.POLICY_GAP]
    assert labelled.reviewer == accounts.rita.reviewer_id
    assert labelled.role is ReviewerRole.REVIEWER
    assert labelled.organisation_id == "mee-noord"
    assert labelled.reviewed_model_version == "model-2026.12"
    _, identifying = by_signal[second.signal_id]
    assert identifying.outcome is ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
    assert identifying.identifying_kinds == [PiiKind.NAME, PiiKind.PHONE]
    assert identifying.labels == [Category.NO_SUITABLE_CARE]
    assert decisions_total("reviewer", "labelled") == labelled_before + 1
    assert decisions_total("reviewer", "contains_identifying_details") == identifying_before + 1

    audit = [r for r in caplog.records if r.name == AUDIT_LOGGER]
    lines = [JsonFormatter("aggregator").format(record) for record in audit]
    decided = [json.loads(line) for line in lines if '"decided"' in line]
    assert [d["audit_signal_id"] for d in decided] == [str(first.signal_id), str(second.signal_id)]
    assert all(d["audit_who"] == accounts.rita.reviewer_id for d in decided)
    assert any('"viewed_queue"' in line for line in lines)
    for line in lines:  # who is a pseudonym; the text and the username are never logged
        assert first.description not in line
        assert '"rita"' not in line
        assert PASSWORD not in line


def test_skipping_publishes_nothing_and_moves_to_the_next_signal(
    make_app: AppFactory,
    accounts: Accounts,
    clickhouse_client: Client,
    review_database: str,
    kafka_settings: KafkaSettings,
    topics_with_reviewed: TopicSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = dt.datetime.now(dt.UTC)
    first = classified(needs_review=True, submitted_at=now - dt.timedelta(hours=2))
    second = classified(needs_review=True, submitted_at=now - dt.timedelta(hours=1))
    store(clickhouse_client, review_database, [first, second])
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    with TestClient(make_app()) as client:
        token = sign_in(client, "rita")
        assert (
            client.get("/review/next", follow_redirects=False)
            .headers["location"]
            .endswith(str(first.signal_id))
        )
        client.post(
            f"/review/signals/{first.signal_id}",
            data={"csrf_token": token, "action": "skip"},
            follow_redirects=False,
        )
        assert (
            client.get("/review/next", follow_redirects=False)
            .headers["location"]
            .endswith(str(second.signal_id))
        )
        confirm(client, token, first.signal_id)
    skipped = [r for r in caplog.records if getattr(r, "audit_action", None) == "skipped"]
    assert [r.audit_signal_id for r in skipped] == [str(first.signal_id)]  # type: ignore[attr-defined]
    assert only_the_sentinel_was_published(
        kafka_settings, topics_with_reviewed.reviewed, first.signal_id
    )


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("forged-token", id="wrong"),
    ],
)
def test_a_form_without_the_sessions_csrf_token_is_refused_and_publishes_nothing(
    make_app: AppFactory,
    accounts: Accounts,
    clickhouse_client: Client,
    review_database: str,
    kafka_settings: KafkaSettings,
    topics_with_reviewed: TopicSettings,
    token: str | None,
) -> None:
    signal = classified(needs_review=True)
    store(clickhouse_client, review_database, [signal])
    form = {"action": "confirm", "labels": ["policy_gap"]}
    if token:
        form["csrf_token"] = token
    with TestClient(make_app()) as client:
        login = client.post("/review/login", data={"username": "rita", "password": PASSWORD})
        assert login.status_code == 403
    with TestClient(make_app()) as client:
        valid = sign_in(client, "rita")
        answer = client.post(f"/review/signals/{signal.signal_id}", data=form)
        assert answer.status_code == 403
        assert "Formulier geweigerd" in answer.text
        # Sign-out is a form too.
        assert client.post("/review/logout", data={}).status_code == 403
        assert client.get("/review/queue").status_code == 200
        confirm(client, valid, signal.signal_id)
    assert only_the_sentinel_was_published(
        kafka_settings, topics_with_reviewed.reviewed, signal.signal_id
    )


def test_an_idle_session_expires_pages_ask_to_sign_in_again_and_posts_are_refused(
    make_app: AppFactory, accounts: Accounts, clickhouse_client: Client, review_database: str
) -> None:
    signal = classified(needs_review=True)
    store(clickhouse_client, review_database, [signal])
    with TestClient(make_app(session_idle_seconds=1)) as client:
        token = sign_in(client, "rita")
        time.sleep(1.3)
        post = client.post(
            f"/review/signals/{signal.signal_id}",
            data={"csrf_token": token, "action": "confirm", "labels": ["policy_gap"]},
        )
        assert post.status_code == 403
        assert "Sessie verlopen" in post.text
        page = client.get("/review/queue", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/review/login")
        assert "Uw sessie is verlopen" in client.get(page.headers["location"]).text


def test_a_session_ends_at_its_maximum_age_even_when_active(
    make_app: AppFactory, accounts: Accounts
) -> None:
    with TestClient(make_app(session_max_age_seconds=60, session_idle_seconds=60)) as client:
        sign_in(client, "rita")
        # The session's start is in the signed cookie: make it older than the maximum age.
        cookie = client.cookies.get("waakhond_review")
        assert cookie
        from itsdangerous import TimestampSigner

        from tests.aggregator.review.conftest import SESSION_SECRET

        signer = TimestampSigner(SESSION_SECRET)
        import base64

        data = json.loads(base64.b64decode(signer.unsign(cookie)))
        data["started"] -= 61
        client.cookies.set(
            "waakhond_review",
            signer.sign(base64.b64encode(json.dumps(data).encode())).decode(),
            path="/",
        )
        answer = client.get("/review/queue", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/review/login?reden=expired"


def test_a_disabled_account_loses_access_at_its_next_request(
    make_app: AppFactory, accounts: Accounts
) -> None:
    with TestClient(make_app()) as client:
        sign_in(client, "rita")
        assert client.get("/review/queue").status_code == 200
        disable_account(accounts.path, "rita")
        answer = client.get("/review/queue", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/review/login?reden=disabled"
        token = csrf_of(client.get("/review/login").text)
        again = client.post(
            "/review/login", data={"username": "rita", "password": PASSWORD, "csrf_token": token}
        )
        assert again.status_code == 401


def test_repeated_failed_sign_ins_are_rate_limited_with_retry_after(
    make_app: AppFactory, accounts: Accounts
) -> None:
    with TestClient(make_app(sign_in_max_failures=3, sign_in_window_seconds=600)) as client:
        token = csrf_of(client.get("/review/login").text)

        def attempt(password: str) -> int:
            answer = client.post(
                "/review/login",
                data={"username": "rita", "password": password, "csrf_token": token},
                follow_redirects=False,
            )
            return int(answer.status_code)

        assert [attempt("fout") for _ in range(3)] == [401, 401, 401]
        limited = client.post(
            "/review/login",
            data={"username": "rita", "password": PASSWORD, "csrf_token": token},
        )
        assert limited.status_code == 429
        assert 0 < int(limited.headers["retry-after"]) <= 600
        assert "Te veel pogingen" in limited.text
        # The address is limited too: another username from it is refused as well.
        other = client.post(
            "/review/login",
            data={"username": "wim", "password": PASSWORD, "csrf_token": token},
        )
        assert other.status_code == 429


def test_a_coordinator_sees_all_organisations_and_the_disagreements(
    make_app: AppFactory, accounts: Accounts, clickhouse_client: Client, review_database: str
) -> None:
    ours, theirs = classified(needs_review=True), classified("welzijn-oost", needs_review=True)
    store(clickhouse_client, review_database, [ours, theirs])
    with TestClient(make_app()) as client:
        sign_in(client, "cora")
        page = client.get("/review/queue").text
    assert str(ours.signal_id)[:8] in page
    assert str(theirs.signal_id)[:8] in page
    assert "Verschillen tussen beoordelaars" in page


def test_a_decision_the_broker_does_not_acknowledge_is_not_taken_as_done(
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    review_database: str,
    topics_with_reviewed: TopicSettings,
    accounts: Accounts,
) -> None:
    """Nothing listens on the port: the page answers 503 and the signal stays in the queue."""
    signal = classified(needs_review=True)
    store(clickhouse_client, review_database, [signal])
    app = create_app(
        AggregatorSettings(consume=False),
        clickhouse_settings,
        KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}"),
        topics_with_reviewed,
        clickhouse_client,
        review=review_settings(accounts, publish_timeout_seconds=2),
    )
    before = decisions_total("reviewer", "labelled")
    with TestClient(app) as client:
        token = sign_in(client, "rita")
        answer = client.post(
            f"/review/signals/{signal.signal_id}",
            data={"csrf_token": token, "action": "confirm", "labels": ["policy_gap"]},
        )
        assert answer.status_code == 503
        assert "niet worden opgeslagen" in answer.text
        nxt = client.get("/review/next", follow_redirects=False)
        assert nxt.headers["location"] == f"/review/signals/{signal.signal_id}"
    assert decisions_total("reviewer", "labelled") == before


@pytest.mark.parametrize(
    ("form", "message"),
    [
        pytest.param(
            {"action": "confirm", "labels": ["missed_rights", "no_such_category"]},
            "Deze keuze is niet geldig",
            id="unknown-category",
        ),
        pytest.param(
            {"action": "identifying", "labels": ["missed_rights"], "identifying_kinds": ["shoe"]},
            "Deze keuze is niet geldig",
            id="unknown-kind",
        ),
        pytest.param(
            {"action": "publish", "labels": ["missed_rights"]}, "Kies een actie", id="no-action"
        ),
    ],
)
def test_an_invalid_choice_shows_the_item_again_with_the_reviewers_choices(
    make_app: AppFactory,
    accounts: Accounts,
    clickhouse_client: Client,
    review_database: str,
    kafka_settings: KafkaSettings,
    topics_with_reviewed: TopicSettings,
    form: dict[str, object],
    message: str,
) -> None:
    signal = classified(needs_review=True, labels=(Category.POLICY_GAP,))
    store(clickhouse_client, review_database, [signal])
    with TestClient(make_app()) as client:
        token = sign_in(client, "rita")
        answer = client.post(
            f"/review/signals/{signal.signal_id}", data={"csrf_token": token, **form}
        )
        confirm(client, token, signal.signal_id)
    assert answer.status_code == 422
    assert message in answer.text
    assert re.search(r'value="missed_rights"[^>]*checked', answer.text)
    assert not re.search(r'value="policy_gap"[^>]*checked', answer.text)
    assert only_the_sentinel_was_published(
        kafka_settings, topics_with_reviewed.reviewed, signal.signal_id
    )


def test_a_coordinator_sees_the_reviewers_decisions_on_a_disagreement(
    make_app: AppFactory, accounts: Accounts, clickhouse_client: Client, review_database: str
) -> None:
    signal = classified(needs_review=True)
    store(clickhouse_client, review_database, [signal])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    for minutes, (account, labels) in enumerate(
        ((accounts.rita, ["policy_gap"]), (accounts.wim, ["missed_rights"]))
    ):
        record_decision(
            clickhouse_client,
            review_database,
            signal,
            account.reviewer_id,
            account.role,
            labels,
            start + dt.timedelta(minutes=minutes),
        )
    with TestClient(make_app()) as client:
        sign_in(client, "cora")
        queue = client.get("/review/queue").text
        item = client.get(f"/review/signals/{signal.signal_id}").text
    disagreements = queue[queue.index("Verschillen tussen beoordelaars") :]
    assert str(signal.signal_id)[:8] in disagreements
    assert "Eerdere beslissingen" in item
    assert accounts.rita.reviewer_id in item
    assert accounts.wim.reviewer_id in item

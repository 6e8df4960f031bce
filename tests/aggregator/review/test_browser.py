"""The review page in a real browser (Playwright driving the system's Chromium) against the
aggregator served by uvicorn, with its consumer running on the real broker and chDB: a
reviewer signs in and reviews three signals with the keyboard only, the decisions arrive on
``signals.reviewed`` and the aggregator applies them; another organisation's signal is a
404; a forged form and an expired session are refused. The screenshots in the README are
taken here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from clickhouse_connect.driver.client import Client
from playwright.sync_api import Browser, Page

from tests.aggregator.review.conftest import (
    PASSWORD,
    Accounts,
    classified,
    only_the_sentinel_was_published,
    read_decisions,
    review_settings,
    store,
)
from tests.browser_support import SCREENSHOTS, chromium
from tests.e2e.conftest import wait_until
from tests.support import ServerThread, unique_suffix
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.main import create_app
from waakhond_contract.messages import ReviewOutcome, SignalClassified
from waakhond_contract.vocabularies import Category, PiiKind
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@contextmanager
def serving(
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    kafka: KafkaSettings,
    topics: TopicSettings,
    accounts: Accounts,
    **review: Any,
) -> Iterator[str]:
    """The aggregator, consuming, with the page on /review; yields its base URL."""
    app = create_app(
        # Exact numbers, so the test can see one signal move in the trends API.
        AggregatorSettings(
            consume=True,
            group_id=f"aggregator-{unique_suffix()}",
            disclosure_min_count=1,
            disclosure_rounding_base=1,
            disclosure_noise=False,
        ),
        clickhouse_settings,
        kafka,
        topics,
        clickhouse_client,
        review=review_settings(accounts, **review),
    )
    with ServerThread(app) as server:
        yield server.url


def sign_in_with_keyboard(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/review/login")
    # The username field takes the focus when the page opens (autofocus is applied at the
    # page's next rendering, so wait for it rather than type into nothing).
    page.wait_for_function("document.activeElement && document.activeElement.id === 'username'")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/review/queue")


def tab_to(page: Page, element_id: str, limit: int = 15) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} not reached with Tab")


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def current_labels(client: Client, database: str, signal: SignalClassified) -> tuple[str, ...]:
    rows = client.query(
        f"SELECT label_source, categories FROM {database}.current_signals "
        "WHERE signal_id = {id:UUID}",
        parameters={"id": str(signal.signal_id)},
    ).result_rows
    return (rows[0][0], *sorted(rows[0][1])) if rows else ()


def national_counts(base: str, first: dt.date, last: dt.date) -> dict[str, int]:
    """What the trends API says of the weeks from ``first`` to ``last``, per category,
    nationally."""
    counts = {}
    for category in ["all", *Category]:
        response = httpx.get(
            f"{base}/v1/trends",
            params={
                "level": "national",
                "category": str(category),
                "from": first.isoformat(),
                "to": last.isoformat(),
            },
            timeout=10,
        )
        response.raise_for_status()
        counts[str(category)] = sum(s["total"] or 0 for s in response.json()["series"])
    return counts


def test_a_reviewer_reviews_three_signals_with_the_keyboard_only(
    browser: Browser,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    review_database: str,
    kafka_settings: KafkaSettings,
    topics_with_reviewed: TopicSettings,
    accounts: Accounts,
) -> None:
    now = dt.datetime.now(dt.UTC)
    second, third = (
        classified(
            needs_review=True,
            labels=(Category.NO_SUITABLE_CARE,),
            submitted_at=now - dt.timedelta(hours=hours),
            description=description,
        )
        for hours, description in (
            (2, "Moeder wist niet dat ze recht had op een pgb; niemand heeft het verteld."),
            (1, "Gezin zonder DigiD kan de aanvraag alleen online doen en haakt af."),
        )
    )
    first = classified(
        needs_review=True,
        labels=(Category.NO_SUITABLE_CARE,),
        submitted_at=now - dt.timedelta(hours=4),
        description="Al maanden wachtlijst voor beschermd wonen; geen aanbieder neemt hem "
        "aan, omdat de zorgvraag te zwaar zou zijn.",
        scores={
            Category.POLICY_GAP: 0.46,
            Category.MISSED_RIGHTS: 0.18,
            Category.UNREACHABLE_GROUPS: 0.07,
            Category.NO_SUITABLE_CARE: 0.71,
        },
        explanations={Category.NO_SUITABLE_CARE: ["wachtlijst", "beschermd wonen", "aanbieder"]},
    )
    # Confident and older than all three: in the sample (rate 1), after the flagged ones.
    sampled = classified(labels=(Category.MISSED_RIGHTS,), submitted_at=now - dt.timedelta(days=2))
    store(clickhouse_client, review_database, [first, second, third, sampled])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    with serving(
        clickhouse_client,
        clickhouse_settings,
        kafka_settings,
        topics_with_reviewed,
        accounts,
        sample_rate=1.0,
    ) as base:
        days = [s.observed_on for s in (first, second, third, sampled)]
        before = national_counts(base, min(days), max(days))
        page.goto(f"{base}/review/login")
        assert_accessible(page)
        sign_in_with_keyboard(page, base, "rita")
        assert page.get_by_role("heading", name="Te beoordelen").is_visible()
        assert_accessible(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "review-queue.png"), full_page=True)

        tab_to(page, "start")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/review/signals/{first.signal_id}")
        assert page.get_by_text("geen aanbieder neemt hem aan").is_visible()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "review-item.png"), full_page=True)

        # 1: beleidslacune on, beside the model's geen passend aanbod; Enter confirms.
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/review/signals/{second.signal_id}")
        # 4 off (the model's label), 2 on (rechten mislopen).
        page.keyboard.press("4")
        page.keyboard.press("2")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/review/signals/{third.signal_id}")
        # x: identifying details; the first kind (naam) gets the focus, space ticks it.
        page.keyboard.press("x")
        page.keyboard.press("Space")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/review/signals/{sampled.signal_id}")
        assert page.get_by_text("Steekproef van zekere labels", exact=False).is_visible()
        page.keyboard.press("s")  # skipped: no decision
        page.wait_for_url(f"{base}/review/queue?klaar=1")
        assert page.get_by_text("Klaar: er staan op dit moment geen signalen").is_visible()

        arrived = {
            m.signal_id: m
            for _, m in read_decisions(kafka_settings, topics_with_reviewed.reviewed, 3)
        }
        assert set(arrived[first.signal_id].labels) == {
            Category.POLICY_GAP,
            Category.NO_SUITABLE_CARE,
        }
        assert arrived[second.signal_id].labels == [Category.MISSED_RIGHTS]
        assert arrived[third.signal_id].outcome is ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
        assert arrived[third.signal_id].identifying_kinds == [PiiKind.NAME]
        assert {m.reviewer for m in arrived.values()} == {accounts.rita.reviewer_id}

        # The aggregator consumes its own decisions: the reviewed labels are the current.
        expected = {
            first.signal_id: ("review", "no_suitable_care", "policy_gap"),
            second.signal_id: ("review", "missed_rights"),
            third.signal_id: ("review", "no_suitable_care"),
        }
        wait_until(
            lambda: all(
                current_labels(clickhouse_client, review_database, s) == expected[s.signal_id]
                for s in (first, second, third)
            ),
            30,
            "the reviewed labels in current_signals",
        )
        # And the trends API counts them so: one more beleidslacune and one more rechten
        # mislopen, one less geen passend aanbod; the total stays.
        after = national_counts(base, min(days), max(days))
        change = {category: after[category] - before[category] for category in after}
        assert change == {
            "all": 0,
            "policy_gap": 1,
            "missed_rights": 1,
            "unreachable_groups": 0,
            "no_suitable_care": -1,
        }
    page.close()


def test_a_reviewer_gets_404_for_another_organisations_signal(
    browser: Browser,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    review_database: str,
    kafka_settings: KafkaSettings,
    topics_with_reviewed: TopicSettings,
    accounts: Accounts,
) -> None:
    theirs = classified("zorgbelang-west", needs_review=True)
    store(clickhouse_client, review_database, [theirs])
    page = browser.new_page()
    with serving(
        clickhouse_client, clickhouse_settings, kafka_settings, topics_with_reviewed, accounts
    ) as base:
        sign_in_with_keyboard(page, base, "rita")
        response = page.goto(f"{base}/review/signals/{theirs.signal_id}")
        assert response is not None
        assert response.status == 404
        assert page.get_by_role("heading", name="Niet gevonden").is_visible()
        assert theirs.description not in page.content()
    page.close()


def test_a_forged_form_and_an_expired_session_are_refused(
    browser: Browser,
    clickhouse_client: Client,
    clickhouse_settings: ClickHouseSettings,
    review_database: str,
    kafka_settings: KafkaSettings,
    topics_with_reviewed: TopicSettings,
    accounts: Accounts,
) -> None:
    signal = classified(needs_review=True)
    store(clickhouse_client, review_database, [signal])
    page = browser.new_page()
    with serving(
        clickhouse_client,
        clickhouse_settings,
        kafka_settings,
        topics_with_reviewed,
        accounts,
        session_idle_seconds=3,
    ) as base:
        sign_in_with_keyboard(page, base, "rita")
        page.goto(f"{base}/review/signals/{signal.signal_id}")
        page.eval_on_selector("#decision input[name=csrf_token]", "e => e.value = 'forged'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="Formulier geweigerd").is_visible()

        page.goto(f"{base}/review/signals/{signal.signal_id}")
        page.wait_for_timeout(3500)  # idle longer than the session may be
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="Sessie verlopen").is_visible()
        page.goto(f"{base}/review/queue")
        assert page.url.startswith(f"{base}/review/login")
        assert page.get_by_text("Uw sessie is verlopen").is_visible()
        # Signed in again, a decision goes through: the only one published.
        sign_in_with_keyboard(page, base, "rita")
        page.goto(f"{base}/review/signals/{signal.signal_id}")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/review/queue?klaar=1")
        assert only_the_sentinel_was_published(
            kafka_settings, topics_with_reviewed.reviewed, signal.signal_id
        )
    page.close()

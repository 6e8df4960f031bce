"""The form in a real browser (Playwright driving the system's Chromium) against intake
served by uvicorn on the real broker: a supporter signs in, sees the live preview take a
name out of the description, submits an incomplete form and finds each error next to its
field, completes it with the keyboard only and gets the confirmation; the signal is on
``signals.submitted``, redacted. axe-core finds no violations on any page. The README's
screenshots are taken here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser_support import SCREENSHOTS, chromium
from tests.intake.form.support import NAME_TEXT, ORG, REDACTED_TEXT
from tests.support import ServerThread, read_topic
from waakhond_contract.messages import SignalSubmitted
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.main import create_app
from waakhond_runtime.codec import decode
from waakhond_runtime.settings import KafkaSettings, TopicSettings

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture
def base_url(
    api_keys: tuple[Path, dict[str, str]], kafka_settings: KafkaSettings, topics: TopicSettings
) -> Iterator[str]:
    settings = IntakeSettings(
        api_keys_file=api_keys[0], delivery_timeout_seconds=2.0, form_cookie_secure=False
    )
    with ServerThread(create_app(settings, kafka_settings, topics)) as server:
        yield server.url


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def tab_to(page: Page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_id(page) == element_id:
            return
    raise AssertionError(f"#{element_id} not reached with Tab")


def sign_in_with_keyboard(page: Page, base: str, token: str) -> None:
    page.goto(f"{base}/formulier/")
    page.wait_for_url(f"{base}/formulier/inloggen")
    assert_accessible(page)
    expect(page.locator("#api_key")).to_be_focused()
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/formulier/")


def same_day_and_month() -> dt.date:
    """A recent past day whose day and month are the same number: typed into a date input,
    it comes out the same whether the browser's language puts the day or the month first
    (the system Chromium may only have en-US)."""
    yesterday = dt.date.today() - dt.timedelta(days=1)
    for year in (yesterday.year, yesterday.year - 1):
        for month in range(12, 0, -1):
            if (day := dt.date(year, month, month)) <= yesterday:
                return day
    raise AssertionError("unreachable: December 12 of last year is in the past")


def check_with_keyboard(page: Page, element_id: str) -> None:
    tab_to(page, element_id)
    page.keyboard.press("Space")
    assert page.is_checked(f"#{element_id}")


def test_a_supporter_submits_a_signal_with_the_keyboard_only(
    browser: Browser,
    base_url: str,
    tokens: dict[str, str],
    kafka_settings: KafkaSettings,
    topics: TopicSettings,
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    page = context.new_page()
    sign_in_with_keyboard(page, base_url, tokens[ORG])
    assert_accessible(page)
    reference = page.input_value("#client_ref")
    assert reference.startswith("formulier-")

    # The live preview: the name is gone from what will be stored.
    tab_to(page, "description")
    page.keyboard.type(NAME_TEXT)
    preview = page.locator("#voorbeeld-tekst")
    preview.wait_for(state="visible")
    expect(page.locator("#voorbeeld-tekst")).to_contain_text("[NAAM]")
    assert preview.text_content() == REDACTED_TEXT
    assert "naam (1×)" in str(page.text_content("#voorbeeld-weg"))
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "form.png"), full_page=True)

    # Submitted incomplete: every missing field is named next to itself and in the summary.
    page.keyboard.press("Shift+Tab")
    tab_to(page, "signaalformulier-verstuur")
    page.keyboard.press("Enter")
    page.wait_for_selector("#foutoverzicht")
    assert focused_id(page) == "foutoverzicht"
    page.screenshot(path=str(SCREENSHOTS / "form-errors.png"), full_page=False)
    for field in ("observed_on", "municipality_code", "age_band", "supporter_type"):
        assert page.text_content(f"#{field}-fout") == "Fout: Vul dit veld in"
    for field in ("law_domains", "life_domains", "target_groups"):
        assert page.text_content(f"#{field}-fout") == "Fout: Kies ten minste één"
        assert page.get_attribute(f"#{field}-0", "aria-invalid") == "true"
    assert "observed_on-fout" in str(page.get_attribute("#observed_on", "aria-describedby"))
    assert page.locator("#foutoverzicht li").count() == 7
    assert page.input_value("#description") == NAME_TEXT
    assert page.input_value("#client_ref") == reference
    assert_accessible(page)
    # A link in the summary takes the supporter to the field.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#observed_on")).to_be_focused()

    # Completed with the keyboard only.
    day = same_day_and_month()
    page.keyboard.type(day.strftime("%d%m%Y"))
    assert page.input_value("#observed_on") == day.isoformat()
    tab_to(page, "municipality_code")
    page.keyboard.type("Amsterdam")
    assert page.input_value("#municipality_code") == "GM0363"
    check_with_keyboard(page, "law_domains-1")  # Wlz
    check_with_keyboard(page, "life_domains-1")  # Zorg
    check_with_keyboard(page, "target_groups-6")  # Ouderen en dementie
    tab_to(page, "age_band-0")
    for _ in range(4):  # to the fifth: 80 jaar en ouder
        page.keyboard.press("ArrowDown")
    assert page.is_checked("#age_band-4")
    tab_to(page, "supporter_type-0")
    page.keyboard.press("ArrowDown")  # informal
    assert page.is_checked("#supporter_type-1")
    check_with_keyboard(page, "suggested_categories-0")  # Beleidslacune
    expect(page.locator("#voorbeeld-tekst")).to_contain_text("[NAAM]")
    tab_to(page, "signaalformulier-verstuur")
    page.keyboard.press("Enter")

    page.wait_for_selector("#signaalnummer")
    assert page.text_content("#opgeslagen") == REDACTED_TEXT
    assert_accessible(page)
    signal_id = str(page.text_content("#signaalnummer"))
    records = read_topic(kafka_settings, topics.submitted, 1)
    assert len(records) == 1
    stored = decode(SignalSubmitted, records[0][1])
    assert str(stored.signal_id) == signal_id
    assert stored.description == REDACTED_TEXT
    assert stored.observed_on == day
    assert stored.municipality_code == "GM0363"
    assert [str(v) for v in stored.law_domains] == ["wlz"]
    assert [str(v) for v in stored.target_groups] == ["elderly_dementia"]
    assert str(stored.age_band) == "80+"
    assert str(stored.supporter_type) == "informal"
    assert [str(v) for v in stored.suggested_categories] == ["policy_gap"]
    context.close()


def test_the_form_fits_a_phone(browser: Browser, base_url: str, tokens: dict[str, str]) -> None:
    context = browser.new_context(viewport=PHONE, locale="nl-NL", device_scale_factor=2)
    page = context.new_page()
    sign_in_with_keyboard(page, base_url, tokens[ORG])
    # One column: nothing wider than the screen, every choice under the one before it.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first, second = (page.locator(f"#life_domains-{i}").bounding_box() for i in (0, 1))
    assert first is not None
    assert second is not None
    assert second["y"] > first["y"]
    assert abs(second["x"] - first["x"]) < 1
    assert_accessible(page)
    page.fill("#description", NAME_TEXT)
    expect(page.locator("#voorbeeld-tekst")).to_contain_text("[NAAM]")
    page.evaluate("document.querySelector('label[for=description]').scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / "form-phone.png"), full_page=False)
    context.close()

"""The digest's content: the new rises of a week in a subscriber's regions only, from the
disclosed alerts view, in Dutch, with a link to the region's report."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from clickhouse_connect.driver.client import Client

from tests.aggregator.digest.support import (
    QUIET,
    RISES,
    SIGNALS,
    WEEK,
    assert_no_hidden_count,
    bodies,
)
from tests.aggregator.reports.dataset import store_demo
from waakhond_aggregator.digest.compose import (
    DisclosureError,
    check_disclosed,
    collect,
    compose,
    last_complete_week,
    new_rises,
    report_period,
)
from waakhond_aggregator.digest.subscriptions import Subscriber
from waakhond_aggregator.reports.data import Alert, Policy, resolve_scope

BASE = "https://waakhond.example.nl/api"


@pytest.fixture(scope="module")
def demo(clickhouse_client: Client) -> Iterator[tuple[Client, str]]:
    database = f"t_{uuid.uuid4().hex[:10]}"
    store_demo(clickhouse_client, database, SIGNALS)
    yield clickhouse_client, database
    clickhouse_client.command(f"DROP DATABASE IF EXISTS {database}")


def test_the_default_week_is_the_last_complete_iso_week() -> None:
    assert last_complete_week(dt.date(2026, 12, 7)) == dt.date(2026, 11, 30)  # a Monday
    assert last_complete_week(dt.date(2026, 12, 13)) == dt.date(2026, 11, 30)  # its Sunday
    assert report_period(WEEK).code == "2026-09"  # the month of the week's Thursday


def test_new_rises_are_those_of_the_week_in_and_around_the_region(
    demo: tuple[Client, str],
) -> None:
    client, database = demo
    found = new_rises(client, database, WEEK, resolve_scope("PV27", WEEK))
    assert [(a.region_code, a.region_name) for a in found] == [("JZ13", RISES["JZ13"])]
    assert not new_rises(client, database, WEEK, resolve_scope(QUIET, WEEK))
    # A week later the same rises are no longer new.
    later = WEEK + dt.timedelta(weeks=1)
    assert not new_rises(client, database, later, resolve_scope("PV27", later))


def test_each_subscriber_is_told_about_their_regions_only(demo: tuple[Client, str]) -> None:
    client, database = demo
    subscribers = [
        Subscriber(email="anna@example.nl", name="Anna", regions=["PV27"]),
        Subscriber(email="bram@example.nl", regions=["JZ28", QUIET]),
        Subscriber(email="cees@example.nl", regions=[QUIET]),
    ]
    anna, bram, cees = collect(client, database, subscribers, WEEK, BASE)
    assert cees.empty
    assert not anna.empty
    assert not bram.empty

    message = compose(anna, "Waakhond <waakhond@example.nl>")
    assert message["Subject"] == (
        "Waakhond: nieuwe stijgingen in Noord-Holland (week van 31 augustus 2026)"
    )
    plain, html = bodies(message)
    for text in (plain, html):
        assert RISES["JZ13"] in text
        assert RISES["JZ28"] not in text
    assert f"{BASE}/v1/reports/2026-09?scope=PV27&format=pdf" in plain
    assert f'href="{BASE}/v1/reports/2026-09?scope=PV27&amp;format=pdf"' in html
    assert plain.startswith("Beste Anna,")
    assert_no_hidden_count(message)

    message = compose(bram, "waakhond@example.nl")
    plain, _ = bodies(message)
    assert "nieuwe stijgingen in Centraal Gelderland en Zeeland" in str(message["Subject"])
    assert RISES["JZ28"] in plain
    assert RISES["JZ13"] not in plain
    # Only the region with rises gets a section and a link.
    assert "scope=JZ28" in plain
    assert f"scope={QUIET}" not in plain
    assert plain.startswith("Beste abonnee,")
    assert_no_hidden_count(message)

    quiet = compose(cees, "waakhond@example.nl")
    assert str(quiet["Subject"]).startswith("Waakhond: geen nieuwe stijgingen in Zeeland")
    assert "geen nieuwe stijgingen" in bodies(quiet)[0]
    assert_no_hidden_count(quiet)


def test_a_count_under_the_threshold_stops_the_digest() -> None:
    alert = Alert("jeugdregio", "JZ13", "Amsterdam-Amstelland", "all", 20, 7, 1.4)
    with pytest.raises(DisclosureError, match="under 10"):
        check_disclosed([alert], Policy(min_count=10, rounding_base=5, noise=True))
    check_disclosed([alert], Policy(min_count=5, rounding_base=5, noise=True))

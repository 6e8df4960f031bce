"""What each subscriber is told: the new significant rises of one week in their regions.

A rise is new when the alerts view lists it at the end of the week and did not list it a
week earlier. The alerts are read with the report's own function, from the disclosed view
only; every count in a mail is a count that view shows, and a count under the policy's
threshold stops the digest before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import urlencode

from clickhouse_connect.driver.client import Client

from waakhond_aggregator.digest.subscriptions import Subscriber
from waakhond_aggregator.reports.data import (
    Alert,
    Policy,
    Scope,
    read_alerts,
    read_policy,
    resolve_scope,
)
from waakhond_aggregator.reports.period import MONTHS, PeriodKind, ReportPeriod


class DisclosureError(RuntimeError):
    """A count the disclosure policy forbids came out of the view: nothing is sent."""


@dataclass(frozen=True, slots=True)
class RegionRises:
    scope: Scope
    rises: list[Alert]
    report_url: str


@dataclass(frozen=True, slots=True)
class Digest:
    subscriber: Subscriber
    week: dt.date
    regions: list[RegionRises]

    @property
    def empty(self) -> bool:
        return not any(region.rises for region in self.regions)


def last_complete_week(today: dt.date) -> dt.date:
    """The Monday of the last ISO week that has ended before ``today``."""
    return today - dt.timedelta(days=today.weekday(), weeks=1)


def report_period(week: dt.date) -> ReportPeriod:
    """The month the week belongs to, as the report places weeks (by their Thursday)."""
    thursday = week + dt.timedelta(days=3)
    return ReportPeriod(PeriodKind.MONTH, thursday.year, thursday.month)


def report_url(base_url: str, week: dt.date, scope: Scope) -> str:
    query = urlencode({"scope": scope.code, "format": "pdf"})
    return f"{base_url.rstrip('/')}/v1/reports/{report_period(week).code}?{query}"


def dutch_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _key(alert: Alert) -> tuple[str, str, str]:
    return alert.level, alert.region_code, alert.category


def check_disclosed(alerts: list[Alert], policy: Policy) -> None:
    for alert in alerts:
        for count in (alert.baseline_signals, alert.recent_signals):
            if 0 < count < policy.min_count:
                raise DisclosureError(
                    f"the alerts view gave a count under {policy.min_count} for "
                    f"{alert.level} {alert.region_code} {alert.category}: nothing sent"
                )


def new_rises(client: Client, database: str, week: dt.date, scope: Scope) -> list[Alert]:
    """Rises listed at the end of ``week`` and not at its start, in and around ``scope``."""
    now = read_alerts(client, database, week + dt.timedelta(weeks=1), scope, limit=None)
    before = {_key(alert) for alert in read_alerts(client, database, week, scope, limit=None)}
    return [alert for alert in now if _key(alert) not in before]


def collect(
    client: Client,
    database: str,
    subscribers: list[Subscriber],
    week: dt.date,
    base_url: str,
) -> list[Digest]:
    policy = read_policy(client, database)
    # Each region is read once, however many subscribe to it.
    by_code: dict[str, RegionRises] = {}
    for code in sorted({code for s in subscribers for code in s.regions}):
        scope = resolve_scope(code, week)
        rises = new_rises(client, database, week, scope)
        check_disclosed(rises, policy)
        by_code[code] = RegionRises(scope, rises, report_url(base_url, week, scope))
    return [
        Digest(subscriber, week, [by_code[code] for code in dict.fromkeys(subscriber.regions)])
        for subscriber in subscribers
    ]


def _names(digest: Digest) -> str:
    names = [region.scope.name for region in digest.regions]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def subject(digest: Digest) -> str:
    what = "geen nieuwe stijgingen" if digest.empty else "nieuwe stijgingen"
    return f"Waakhond: {what} in {_names(digest)} (week van {dutch_date(digest.week)})"


def _ratio(alert: Alert) -> str:
    return f"{alert.rate_ratio:.1f}".replace(".", ",")


def _rise_line(alert: Alert) -> str:
    return (
        f"{alert.region_name} ({alert.level_label}), {alert.category_label}: "
        f"{alert.recent_signals} signalen in de laatste vier weken, tegen "
        f"{alert.baseline_signals} signalen in de twaalf weken daarvoor "
        f"({_ratio(alert)} keer zo veel per week)"
    )


_METHOD = (
    "Een stijging is significant als het aantal signalen per week in de laatste vier weken "
    "duidelijk hoger ligt dan in de twaalf weken daarvoor. Alle aantallen zijn afgerond en "
    "licht verruist; aantallen onder de drempel worden nooit getoond."
)


def plain_text(digest: Digest) -> str:
    name = digest.subscriber.name or "abonnee"
    week = dutch_date(digest.week)
    lines = [f"Beste {name},", ""]
    if digest.empty:
        lines += [f"In de week van {week} zijn er geen nieuwe stijgingen in {_names(digest)}."]
    else:
        lines += [f"In de week van {week} zijn de signalen significant gestegen in:", ""]
    for region in digest.regions:
        if not region.rises and not digest.empty:
            continue
        lines.append(f"{region.scope.name} ({region.scope.level_label})")
        lines += [f"- {_rise_line(alert)}" for alert in region.rises]
        lines += [f"  Rapport: {region.report_url}", ""]
    lines += ["", _METHOD, "", "Waakhond"]
    return "\n".join(lines) + "\n"


def html_text(digest: Digest) -> str:
    e = html.escape
    name = digest.subscriber.name or "abonnee"
    week = dutch_date(digest.week)
    parts = [f"<p>Beste {e(name)},</p>"]
    if digest.empty:
        parts.append(
            f"<p>In de week van {e(week)} zijn er geen nieuwe stijgingen in "
            f"{e(_names(digest))}.</p>"
        )
    else:
        parts.append(f"<p>In de week van {e(week)} zijn de signalen significant gestegen in:</p>")
    for region in digest.regions:
        if not region.rises and not digest.empty:
            continue
        parts.append(f"<h2>{e(region.scope.name)} ({e(region.scope.level_label)})</h2>")
        if region.rises:
            items = "".join(f"<li>{e(_rise_line(alert))}</li>" for alert in region.rises)
            parts.append(f"<ul>{items}</ul>")
        url = e(region.report_url, quote=True)
        parts.append(f'<p><a href="{url}">Rapport voor {e(region.scope.name)}</a></p>')
    parts += [f"<p><small>{e(_METHOD)}</small></p>", "<p>Waakhond</p>"]
    body = "\n".join(parts)
    return f'<!DOCTYPE html>\n<html lang="nl"><body>\n{body}\n</body></html>\n'


# The default policy folds a subject over 78 characters by moving all of it to a
# continuation line, which some readers show with a leading space; RFC 5322 allows 998.
_POLICY = email.policy.default.clone(max_line_length=998)


def compose(digest: Digest, sender: str) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = subject(digest)
    message["From"] = sender
    message["To"] = formataddr((digest.subscriber.name or "", digest.subscriber.email))
    message.set_content(plain_text(digest))
    message.add_alternative(html_text(digest), subtype="html")
    return message

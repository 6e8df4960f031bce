"""Report periods: years, quarters and months as whole ISO weeks, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from waakhond_aggregator.reports.period import PeriodError, PeriodKind, parse_period

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "kind", "label", "first_week", "last_week", "weeks", "previous"),
    [
        pytest.param(
            "2026-Q3",
            PeriodKind.QUARTER,
            "derde kwartaal 2026",
            dt.date(2026, 6, 29),
            dt.date(2026, 9, 21),
            13,
            "2026-Q2",
            id="quarter",
        ),
        pytest.param(
            "2026-Q1",
            PeriodKind.QUARTER,
            "eerste kwartaal 2026",
            dt.date(2025, 12, 29),
            dt.date(2026, 3, 23),
            13,
            "2025-Q4",
            id="quarter-starting-in-the-year-before",
        ),
        pytest.param(
            "2026",
            PeriodKind.YEAR,
            "het jaar 2026",
            dt.date(2025, 12, 29),
            dt.date(2026, 12, 28),
            53,
            "2025",
            id="year-of-53-weeks",
        ),
        pytest.param(
            "2025",
            PeriodKind.YEAR,
            "het jaar 2025",
            dt.date(2024, 12, 30),
            dt.date(2025, 12, 22),
            52,
            "2024",
            id="year",
        ),
        pytest.param(
            "2026-09",
            PeriodKind.MONTH,
            "september 2026",
            dt.date(2026, 8, 31),
            dt.date(2026, 9, 21),
            4,
            "2026-08",
            id="month-of-4-weeks",
        ),
        pytest.param(
            "2026-01",
            PeriodKind.MONTH,
            "januari 2026",
            dt.date(2025, 12, 29),
            dt.date(2026, 1, 26),
            5,
            "2025-12",
            id="january-previous-is-december",
        ),
        pytest.param(
            "2015",
            PeriodKind.YEAR,
            "het jaar 2015",
            dt.date(2014, 12, 29),
            dt.date(2015, 12, 28),
            53,
            "2014",
            id="earliest-year",
        ),
    ],
)
def test_periods_are_whole_weeks_whose_thursday_falls_in_them(
    text: str,
    kind: PeriodKind,
    label: str,
    first_week: dt.date,
    last_week: dt.date,
    weeks: int,
    previous: str,
) -> None:
    period = parse_period(text, today=TODAY)
    assert (period.kind, period.code, period.label) == (kind, text, label)
    assert (period.first_week, period.last_week, len(period.weeks)) == (
        first_week,
        last_week,
        weeks,
    )
    assert all(week.weekday() == 0 for week in period.weeks)
    # Every week's Thursday is inside the period: no week belongs to two periods.
    assert all(
        period.first_day <= week + dt.timedelta(days=3) <= period.last_day for week in period.weeks
    )
    assert period.previous().code == previous
    assert period.previous().next() == period
    assert period.previous().last_week + dt.timedelta(weeks=1) == period.first_week


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("2026-Q5", id="quarter-5"),
        pytest.param("2026-Q0", id="quarter-0"),
        pytest.param("2026-13", id="month-13"),
        pytest.param("2026-00", id="month-0"),
        pytest.param("2026-9", id="month-one-digit"),
        pytest.param("2026q3", id="lower-case-no-dash"),
        pytest.param("2026-W10", id="iso-week"),
        pytest.param("2026-09-01", id="a-date"),
        pytest.param("26-Q3", id="two-digit-year"),
        pytest.param(" 2026", id="leading-space"),
        pytest.param("2014", id="before-the-first-signal"),
        pytest.param("2028-Q1", id="more-than-a-year-ahead"),
        pytest.param("２０２６", id="full-width-digits"),
    ],
)
def test_bad_periods_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(PeriodError) as refused:
        parse_period(text, today=TODAY)
    assert str(refused.value)

"""The periods a report covers: a year (``2026``), a quarter (``2026-Q3``) or a month
(``2026-09``).

The views count per ISO week (the week of the day a signal was observed), so a period is
made of whole weeks: the weeks whose Thursday falls in it, as an ISO week belongs to the
year of its Thursday and as the monthly view places weeks. No signal is then split over two
periods, and a year, quarter or month agrees with its weeks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from waakhond_contract.messages import EARLIEST_OBSERVED_ON

_PATTERN = re.compile(r"(?P<year>[0-9]{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?")
# A period may run into next year (a report on the running year), not further.
MAX_YEARS_AHEAD = 1

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
QUARTERS = ("eerste", "tweede", "derde", "vierde")


class PeriodKind(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


class PeriodError(ValueError):
    """Not a period a report can cover; the message says what is accepted."""


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    kind: PeriodKind
    year: int
    index: int  # the quarter (1-4) or month (1-12); 1 for a year

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}-Q{self.index}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.index:02d}"
        return str(self.year)

    @property
    def label(self) -> str:
        """The period in Dutch words, as a title says it."""
        if self.kind is PeriodKind.QUARTER:
            return f"{QUARTERS[self.index - 1]} kwartaal {self.year}"
        if self.kind is PeriodKind.MONTH:
            return f"{MONTHS[self.index - 1]} {self.year}"
        return f"het jaar {self.year}"

    @property
    def first_day(self) -> dt.date:
        if self.kind is PeriodKind.QUARTER:
            return dt.date(self.year, 3 * self.index - 2, 1)
        if self.kind is PeriodKind.MONTH:
            return dt.date(self.year, self.index, 1)
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    @property
    def first_week(self) -> dt.date:
        """The Monday of the first week whose Thursday falls in the period."""
        return _monday_of_thursday_on_or_after(self.first_day)

    @property
    def last_week(self) -> dt.date:
        """The Monday of the last week whose Thursday falls in the period."""
        return _monday_of_thursday_on_or_after(self.next().first_day) - dt.timedelta(weeks=1)

    @property
    def last_week_day(self) -> dt.date:
        """The Sunday that ends the period's last week."""
        return self.last_week + dt.timedelta(days=6)

    @property
    def weeks(self) -> list[dt.date]:
        count = (self.last_week - self.first_week).days // 7 + 1
        return [self.first_week + dt.timedelta(weeks=i) for i in range(count)]

    def next(self) -> ReportPeriod:
        if self.kind is PeriodKind.YEAR:
            return ReportPeriod(self.kind, self.year + 1, 1)
        size = 4 if self.kind is PeriodKind.QUARTER else 12
        if self.index == size:
            return ReportPeriod(self.kind, self.year + 1, 1)
        return ReportPeriod(self.kind, self.year, self.index + 1)

    def previous(self) -> ReportPeriod:
        """The period of the same length just before."""
        if self.kind is PeriodKind.YEAR:
            return ReportPeriod(self.kind, self.year - 1, 1)
        size = 4 if self.kind is PeriodKind.QUARTER else 12
        if self.index == 1:
            return ReportPeriod(self.kind, self.year - 1, size)
        return ReportPeriod(self.kind, self.year, self.index - 1)


def _monday_of_thursday_on_or_after(day: dt.date) -> dt.date:
    thursday = day + dt.timedelta(days=(3 - day.weekday()) % 7)
    return thursday - dt.timedelta(days=3)


def parse_period(text: str, today: dt.date | None = None) -> ReportPeriod:
    """``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``, from the first year signals exist to next year."""
    match = _PATTERN.fullmatch(text)
    if match is None:
        raise PeriodError("must be a year (2026), a quarter (2026-Q3) or a month (2026-09)")
    year = int(match["year"])
    latest = (today or dt.date.today()).year + MAX_YEARS_AHEAD
    if not EARLIEST_OBSERVED_ON.year <= year <= latest:
        raise PeriodError(f"the year must be from {EARLIEST_OBSERVED_ON.year} to {latest}")
    if match["quarter"]:
        return ReportPeriod(PeriodKind.QUARTER, year, int(match["quarter"]))
    if match["month"]:
        return ReportPeriod(PeriodKind.MONTH, year, int(match["month"]))
    return ReportPeriod(PeriodKind.YEAR, year, 1)

"""The calendar the trends count in: ISO weeks, starting on Monday."""

from __future__ import annotations

import datetime as dt


def week_start(day: dt.date) -> dt.date:
    """Monday of the ISO week."""
    return day - dt.timedelta(days=day.weekday())

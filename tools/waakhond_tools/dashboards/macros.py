"""Expands panel SQL the way Grafana and its ClickHouse plugin do, to run it elsewhere.

Grafana first replaces dashboard variables (``$name``, ``${name}``; a single
value goes in as is, so the SQL quotes it), then the plugin's backend expands
its macros. Tests and the benchmark use this to run every panel's SQL on chDB
for a fixed time range.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)")
_COLUMN_MACRO = re.compile(r"\$__(timeFilter|dateFilter|timeInterval)\(([^()]*)\)")
_VALUE_MACRO = re.compile(r"\$__(fromTime|toTime|interval_s)\b")


class MacroError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What Grafana knows when it sends a panel's query."""

    time_from: dt.datetime
    time_to: dt.datetime
    variables: Mapping[str, str] = field(default_factory=dict)
    interval_seconds: int = 604_800

    def __post_init__(self) -> None:
        if self.time_from.tzinfo is None or self.time_to.tzinfo is None:
            raise MacroError("the time range must be timezone-aware")
        if self.time_from > self.time_to:
            raise MacroError("time_from is after time_to")


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def expand(sql: str, context: QueryContext) -> str:
    """Variables, then the ClickHouse plugin's macros; anything left unexpanded is an error."""

    def variable(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name.startswith("__"):
            return match.group(0)
        if name not in context.variables:
            raise MacroError(f"no value for dashboard variable {name!r}")
        return context.variables[name]

    def column_macro(match: re.Match[str]) -> str:
        macro, column = match.group(1), match.group(2).strip()
        if macro == "timeFilter":
            return (
                f"{column} >= toDateTime({_epoch(context.time_from)}) "
                f"AND {column} <= toDateTime({_epoch(context.time_to)})"
            )
        if macro == "dateFilter":
            return (
                f"{column} >= toDate('{context.time_from.date().isoformat()}') "
                f"AND {column} <= toDate('{context.time_to.date().isoformat()}')"
            )
        return (
            f"toStartOfInterval(toDateTime({column}), INTERVAL {context.interval_seconds} second)"
        )

    def value_macro(match: re.Match[str]) -> str:
        macro = match.group(1)
        if macro == "fromTime":
            return f"toDateTime({_epoch(context.time_from)})"
        if macro == "toTime":
            return f"toDateTime({_epoch(context.time_to)})"
        return str(context.interval_seconds)

    expanded = _VARIABLE.sub(variable, sql)
    expanded = _COLUMN_MACRO.sub(column_macro, expanded)
    expanded = _VALUE_MACRO.sub(value_macro, expanded)
    if "$" in expanded:
        raise MacroError(f"unexpanded macro or variable in: {expanded}")
    return expanded

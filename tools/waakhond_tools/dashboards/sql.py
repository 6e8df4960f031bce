"""SQL fragments the panels share: time range, label translation, dense series.

Panels read ``waakhond.suppressed_*`` only (the dashboard account may read
nothing else) and never add up disclosed numbers: every number shown is one
cell of a view, counted exactly and then disclosed.
"""

from __future__ import annotations

from collections.abc import Mapping

from waakhond_tools.dashboards.labels import label_sql, sql_string, sql_string_list

DATABASE = "waakhond"

# The dashboard's time range as dates. Weeks start on Monday, so the first week
# is the one the range starts in.
FIRST_WEEK = "toMonday(toDate($__fromTime))"
FIRST_DAY = "toDate($__fromTime)"
LAST_DAY = "toDate($__toTime)"
# Direction and alerts are computed as of the end of the range.
AS_OF = "toDate($__toTime)"
RANGE_ARGS = f"date_from = {FIRST_DAY}, date_to = {LAST_DAY}"


def view(name: str) -> str:
    if not name.startswith("suppressed_"):
        raise ValueError(f"dashboards read suppressed_* views only, not {name!r}")
    return f"{DATABASE}.{name}"


def quoted_variable(name: str) -> str:
    """A single-valued dashboard variable as a string literal (Grafana inserts it raw)."""
    return f"'${{{name}}}'"


def order_by_vocabulary(expression: str, keys: list[str]) -> str:
    """Vocabulary order, unknown keys last."""
    return f"indexOf({sql_string_list(keys)}, toString({expression})) = 0, " + (
        f"indexOf({sql_string_list(keys)}, toString({expression}))"
    )


def dense_weekly(source: str, label_column: str, labels: list[str]) -> str:
    """Every week of the range for every label: weeks without a row are true zeros,
    suppressed weeks stay NULL (a gap in the graph).

    ``source`` selects ``week_start``, ``series`` (the label) and ``signals``."""
    return f"""SELECT
    toDateTime(g.week_start) AS time,
    g.series AS {label_column},
    if(d.present = 1, d.signals, 0) AS signalen
FROM
(
    SELECT
        arrayJoin(arrayMap(i -> {FIRST_WEEK} + 7 * i,
            range(toUInt64(intDiv({LAST_DAY} - {FIRST_WEEK}, 7) + 1)))) AS week_start,
        arrayJoin({sql_string_list(labels)}) AS series
) AS g
LEFT JOIN
(
    SELECT week_start, series, signals, toUInt8(1) AS present
    FROM ({source})
) AS d ON d.week_start = g.week_start AND d.series = g.series
ORDER BY time, {label_column}"""


def dense_monthly(source: str, label_column: str, labels: list[str]) -> str:
    """As :func:`dense_weekly`, per month; ``source`` selects ``month_start``."""
    return f"""SELECT
    toDateTime(g.month_start) AS time,
    g.series AS {label_column},
    if(d.present = 1, d.signals, 0) AS signalen
FROM
(
    SELECT
        arrayJoin(arrayMap(i -> addMonths(toStartOfMonth({FIRST_DAY}), i),
            range(toUInt64(dateDiff('month', toStartOfMonth({FIRST_DAY}),
                toStartOfMonth({LAST_DAY})) + 1)))) AS month_start,
        arrayJoin({sql_string_list(labels)}) AS series
) AS g
LEFT JOIN
(
    SELECT month_start, series, signals, toUInt8(1) AS present
    FROM ({source})
) AS d ON d.month_start = g.month_start AND d.series = g.series
ORDER BY time, {label_column}"""


def pivot_columns(source_alias: str, key_column: str, labels: Mapping[str, str]) -> str:
    """One column per key: the cell of that key, 0 when there is no row (nothing
    counted), NULL when the cell is suppressed."""
    return ",\n    ".join(
        f"if(countIf({source_alias}.{key_column} = {sql_string(key)}) = 0, "
        f"toNullable(toUInt64(0)), "
        f"maxIf({source_alias}.signals, {source_alias}.{key_column} = {sql_string(key)})) "
        f'AS "{label}"'
        for key, label in labels.items()
    )


def labelled(expression: str, labels: Mapping[str, str]) -> str:
    return label_sql(expression, labels)

"""Dutch labels for the keys the views return (the read API's, ``api/labels.py``), and SQL
that applies them.

Panels translate keys in their SQL (``transform``) rather than with Grafana value
mappings: long-format time series take their series names from the label column,
and the same SQL then shows Dutch names in every panel type.
"""

from __future__ import annotations

from collections.abc import Mapping

from waakhond_aggregator.labels import (
    ALL_SIGNALS,
    CATEGORY_LABELS,
    CATEGORY_LABELS_WITH_ALL,
    DIMENSION_LABELS,
    DIMENSION_VALUE_LABELS,
    DIRECTION_LABELS,
    LEVEL_LABELS,
    WMO_AND_WLZ,
)

__all__ = [
    "ALL_SIGNALS",
    "CATEGORY_LABELS",
    "CATEGORY_LABELS_WITH_ALL",
    "DIMENSION_LABELS",
    "DIMENSION_VALUE_LABELS",
    "DIRECTION_LABELS",
    "LEVEL_LABELS",
    "WMO_AND_WLZ",
    "label_sql",
    "sql_string",
    "sql_string_list",
]


def sql_string(value: str) -> str:
    """A ClickHouse string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sql_string_list(values: list[str]) -> str:
    return "[" + ", ".join(sql_string(value) for value in values) + "]"


def label_sql(expression: str, labels: Mapping[str, str]) -> str:
    """SQL turning a key into its Dutch label; unknown keys pass through unchanged."""
    keys = list(labels)
    return (
        f"transform(toString({expression}), {sql_string_list(keys)}, "
        f"{sql_string_list([labels[key] for key in keys])}, toString({expression}))"
    )

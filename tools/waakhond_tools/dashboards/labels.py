"""Dutch labels for the keys the views return, and SQL that applies them.

Panels translate keys in their SQL (``transform``) rather than with Grafana value
mappings: long-format time series take their series names from the label column,
and the same SQL then shows Dutch names in every panel type.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from waakhond_contract.regions import RegionLevel
from waakhond_contract.vocabularies import (
    DUTCH_LABELS,
    AgeBand,
    Category,
    LawDomain,
    LifeDomain,
    SupporterType,
    TargetGroup,
)


def _labels(vocabulary: type[StrEnum]) -> dict[str, str]:
    return {member.value: DUTCH_LABELS[member] for member in vocabulary}


ALL_SIGNALS = "all"
WMO_AND_WLZ = "wmo+wlz"

CATEGORY_LABELS: dict[str, str] = _labels(Category)
CATEGORY_LABELS_WITH_ALL: dict[str, str] = {ALL_SIGNALS: "Alle signalen", **CATEGORY_LABELS}

DIMENSION_VALUE_LABELS: dict[str, dict[str, str]] = {
    "law_domain": {**_labels(LawDomain), WMO_AND_WLZ: "Wmo én Wlz (de knip)"},
    "life_domain": _labels(LifeDomain),
    "target_group": _labels(TargetGroup),
    "supporter_type": _labels(SupporterType),
    "age_band": _labels(AgeBand),
}

DIMENSION_LABELS: dict[str, str] = {
    "law_domain": "Wetsdomein",
    "life_domain": "Levensdomein",
    "target_group": "Doelgroep",
    "supporter_type": "Type cliëntondersteuner",
    "age_band": "Leeftijdsgroep",
}

LEVEL_LABELS: dict[str, str] = {
    RegionLevel.MUNICIPALITY: "Gemeente",
    RegionLevel.JEUGDREGIO: "Jeugdregio",
    RegionLevel.GGDREGIO: "GGD-regio",
    RegionLevel.ZORGKANTOORREGIO: "Zorgkantoorregio",
    RegionLevel.PROVINCE: "Provincie",
    RegionLevel.NATIONAL: "Nederland",
}

DIRECTION_LABELS: dict[str, str] = {
    "rising": "Stijgend",
    "falling": "Dalend",
    "stable": "Geen duidelijke verandering",
    "insufficient_data": "Te weinig signalen",
}


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

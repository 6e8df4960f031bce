"""Dutch labels for the codes the aggregator answers: the read API's CSV label columns, the
report, the dashboards.

The CSV puts ``<column>_label`` beside each code column (``level``, ``category``,
``dimension``, a breakdown's ``value``, ``target_group``, ``direction``); a region's code
already has its name beside it (``region_name``, from the views). Labels of the
vocabularies are the contract's ``DUTCH_LABELS``; a code without a label is its own label.
The dashboards (``waakhond_tools.dashboards.labels``) show the same labels, from here.
"""

from __future__ import annotations

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

ALL_SIGNALS = "all"
# law_domain's derived value for signals naming both laws ("de knip").
WMO_AND_WLZ = "wmo+wlz"


def _labels(vocabulary: type[StrEnum]) -> dict[str, str]:
    return {member.value: DUTCH_LABELS[member] for member in vocabulary}


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
LABELS: dict[str, dict[str, str]] = {
    "level": LEVEL_LABELS,
    "category": CATEGORY_LABELS_WITH_ALL,
    "dimension": DIMENSION_LABELS,
    "target_group": DIMENSION_VALUE_LABELS["target_group"],
    "direction": DIRECTION_LABELS,
}
LABELLED = frozenset({*LABELS, "value"})
"""The code columns that get a label column (``value``: by the breakdown's dimension)."""


def label(column: str, code: str, dimension: str | None = None) -> str:
    """The Dutch label of ``code`` in ``column``; ``value`` is labelled by ``dimension``."""
    if column == "value":
        return DIMENSION_VALUE_LABELS.get(dimension or "", {}).get(code, code)
    return LABELS[column].get(code, code)

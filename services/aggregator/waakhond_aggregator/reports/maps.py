"""Choropleth maps per care-office region and per province, from the contract's boundaries.

The boundaries are the simplified CBS/PDOK GeoJSON in ``waakhond_contract/reference/geo``
(WGS84), drawn as matplotlib polygons in a simple equirectangular projection (the
Netherlands is small enough for that). Classes are five well-separated greys, so the map reads in
grayscale print; a hidden count is white with crosses, the report's scope is
outlined in black.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from importlib import resources
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon

from waakhond_aggregator.reports.charts import _LOCK, MM, STYLE, dutch_number, to_svg
from waakhond_aggregator.reports.data import Policy, RegionCount
from waakhond_contract.regions import RegionLevel

GEO_FILES = {
    RegionLevel.ZORGKANTOORREGIO: "zorgkantoorregio_{year}_wgs84.geojson",
    RegionLevel.PROVINCE: "provincie_{year}_wgs84.geojson",
}
# Five greys that stay apart when printed or photocopied in black and white. Only hidden
# regions are hatched: WeasyPrint draws every hatched polygon as a pattern of its own, which
# made the PDF several times slower (bench/README.md, "Report").
SHADES = ("#eeeeee", "#c4c4c4", "#939393", "#5e5e5e", "#262626")
HIDDEN: dict[str, Any] = {"facecolor": "#ffffff", "hatch": "xxx", "edgecolor": "#888888"}
# Longitude shrinks with latitude: about cos(52.2 degrees).
ASPECT = 1 / math.cos(math.radians(52.2))

Ring = list[tuple[float, float]]


@functools.cache
def boundaries(level: RegionLevel, year: int = 2025) -> dict[str, list[Ring]]:
    """Outer rings per region code (holes are left out: none of these regions has one that
    matters at this scale)."""
    folder = resources.files("waakhond_contract").joinpath("reference", "geo")
    document: dict[str, Any] = json.loads(
        folder.joinpath(GEO_FILES[level].format(year=year)).read_text(encoding="utf-8")
    )
    shapes: dict[str, list[Ring]] = {}
    for feature in document["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        shapes[feature["properties"]["statcode"]] = [
            [(float(x), float(y)) for x, y in polygon[0]] for polygon in polygons
        ]
    return shapes


def classes(values: Sequence[int], policy: Policy, count: int = len(SHADES)) -> list[int]:
    """Lower bounds of up to ``count`` classes over the shown counts: the first at the
    minimum count, the others at quantiles rounded to the rounding base."""
    shown = sorted(v for v in values if v > 0)
    if not shown:
        return [policy.min_count]
    base = max(policy.rounding_base, 1)
    bounds = [policy.min_count]
    for i in range(1, count):
        q = shown[min(len(shown) - 1, (i * len(shown)) // count)]
        bound = max(policy.min_count, (q // base) * base)
        if bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def _class_of(value: int, bounds: Sequence[int]) -> int:
    index = 0
    for i, bound in enumerate(bounds):
        if value >= bound:
            index = i
    return index


def choropleth(
    level: RegionLevel, counts: Sequence[RegionCount], policy: Policy, title: str
) -> str:
    shapes = boundaries(level)
    bounds = classes([c.signals or 0 for c in counts], policy)
    # Spread the shades over the classes there are, lightest to darkest.
    picks = [round(i * (len(SHADES) - 1) / max(1, len(bounds) - 1)) for i in range(len(bounds))]
    with _LOCK, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(84 * MM, 96 * MM))
        axes = figure.add_subplot()
        for region in counts:
            style: dict[str, Any]
            if region.signals is None:
                style = dict(HIDDEN)
            elif region.signals == 0:
                style = {"facecolor": "#ffffff", "edgecolor": "#888888", "hatch": ""}
            else:
                pick = picks[_class_of(region.signals, bounds)]
                style = {"facecolor": SHADES[pick], "hatch": "", "edgecolor": "#888888"}
            for ring in shapes.get(region.code, []):
                axes.add_patch(Polygon(ring, closed=True, linewidth=0.4, **style))
        for region in counts:
            if region.in_scope and not all(c.in_scope for c in counts):
                for ring in shapes.get(region.code, []):
                    axes.add_patch(
                        Polygon(ring, closed=True, fill=False, linewidth=1.6, edgecolor="#000000")
                    )
        axes.autoscale_view()
        axes.set_aspect(ASPECT)
        axes.set_axis_off()
        axes.set_title(title, fontsize=9, loc="left", fontweight="bold")
        handles = []
        for i, bound in enumerate(bounds):
            upper = f"–{dutch_number(bounds[i + 1] - 1)}" if i + 1 < len(bounds) else " of meer"
            pick = picks[i]
            handles.append(
                Patch(
                    facecolor=SHADES[pick],
                    edgecolor="#555555",
                    label=f"{dutch_number(bound)}{upper}",
                )
            )
        handles.append(Patch(facecolor="#ffffff", edgecolor="#555555", label="geen signalen"))
        handles.append(Patch(**HIDDEN, label="niet getoond (te weinig)"))
        axes.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=2,
            fontsize=6.5,
            frameon=False,
            title="signalen in de periode",
            title_fontsize=7,
        )
        return to_svg(figure)

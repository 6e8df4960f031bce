"""The report's charts: matplotlib (Agg) drawn to SVG and inlined in the page.

Readable in grayscale: series differ by line style and marker, bars by fill against
outline, never by colour alone. The SVG keeps its text as text (DejaVu Sans, which the page
and the image carry): glyphs drawn as paths cost WeasyPrint far more (bench/README.md,
"Report"). So that no
small number stands beside a count, count axes tick at multiples of ten or more; the tests
read the numbers the template marks, never the SVG.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import textwrap
import threading
from collections.abc import Sequence
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from waakhond_aggregator.reports.data import Count, WeekPoint

MM = 1 / 25.4  # inches per millimetre
# Typed loosely: matplotlib types rcParams keys as a Literal of every known name.
STYLE: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "svg.fonttype": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "hatch.linewidth": 0.6,
}
# matplotlib's global state (rcParams, font cache) is not thread-safe; the API renders from
# worker threads.
_LOCK = threading.Lock()
_SVG_HEAD = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def dutch_number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def nice_step(top: float, ticks: int = 5) -> float:
    """A tick step of 10, 20, 25, 50 times a power of ten, at least 10."""
    raw = max(top / ticks, 1.0)
    power = float(10 ** math.floor(math.log10(raw)))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return max(10.0, factor * power)
    return max(10.0, 10 * power)  # pragma: no cover - the loop always returns


def to_svg(figure: Figure, tight: bool = True) -> str:
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", metadata={"Date": None}, bbox_inches="tight" if tight else None
    )
    # Inline: no XML declaration or doctype.
    return _SVG_HEAD.sub("", buffer.getvalue(), count=1)


def _count_axis(axes: Axes, top: float, axis: Literal["x", "y"] = "y") -> None:
    step = nice_step(top)
    locator = MultipleLocator(step)
    formatter = FuncFormatter(lambda value, _: dutch_number(value))
    target = axes.yaxis if axis == "y" else axes.xaxis
    target.set_major_locator(locator)
    target.set_major_formatter(formatter)
    if axis == "y":
        axes.set_ylim(0, max(step, math.ceil(top / step) * step))
    else:
        axes.set_xlim(0, max(step, math.ceil(top / step) * step))
    axes.grid(axis=axis, color="#cccccc", linewidth=0.5)
    axes.set_axisbelow(True)


def _week_label(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


def trend_chart(title: str, current: Sequence[WeekPoint], previous: Sequence[WeekPoint]) -> str:
    """Weekly disclosed counts of this period (solid, dots) against the period before
    (dashed, squares), week by week; a hidden week is a gap with a cross on the axis."""
    with _LOCK, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(84 * MM, 52 * MM))
        axes = figure.add_subplot()
        shown = [p.signals for p in [*current, *previous] if p.signals is not None]
        top = max(shown, default=0)
        series: tuple[tuple[Sequence[WeekPoint], dict[str, Any]], ...] = (
            (
                previous,
                {"linestyle": "--", "marker": "s", "color": "#777777", "label": "vorige periode"},
            ),
            (
                current,
                {"linestyle": "-", "marker": "o", "color": "#000000", "label": "deze periode"},
            ),
        )
        for points, style in series:
            xs = list(range(1, len(points) + 1))
            ys = [math.nan if p.signals is None else p.signals for p in points]
            axes.plot(xs, ys, linewidth=1.4, markersize=3.2, **style)
            hidden = [x for x, p in zip(xs, points, strict=True) if p.signals is None]
            if hidden:
                axes.plot(
                    hidden,
                    [0] * len(hidden),
                    linestyle="none",
                    marker="x",
                    color=style["color"],
                    markersize=4,
                    clip_on=False,
                )
        _count_axis(axes, top)
        weeks = [p.week_start for p in current]
        every = max(1, math.ceil(len(weeks) / 7))
        positions = list(range(1, len(weeks) + 1))[::every]
        axes.set_xticks(positions, [_week_label(weeks[i - 1]) for i in positions])
        axes.set_xlim(0.5, len(weeks) + 0.5)
        axes.tick_params(axis="x", labelsize=6.5)
        axes.set_title(title, fontsize=9, loc="left", fontweight="bold")
        axes.set_xlabel("week (maandag)", fontsize=7)
        axes.set_ylabel("signalen per week", fontsize=7)
        axes.legend(
            loc="upper left", bbox_to_anchor=(0, -0.22), fontsize=6.5, frameon=False, ncols=3
        )
        return to_svg(figure)


def bar_chart(counts: Sequence[Count]) -> str:
    """This period (filled black) and the period before (outlined, white) per value; a hidden
    count has no bar. (No hatching: WeasyPrint draws each hatched bar as a pattern of its own,
    slowly; bench/README.md, "Report".)"""
    with _LOCK, matplotlib.rc_context(STYLE):
        height = max(30.0, 7.5 * len(counts) + 22)
        figure = Figure(figsize=(100 * MM, height * MM))
        axes = figure.add_subplot()
        # Long labels on two lines, so that they fit the room left of the bars.
        labels = [textwrap.fill(c.label, 22) for c in counts][::-1]
        now = [c.signals or 0 for c in counts][::-1]
        before = [c.previous or 0 for c in counts][::-1]
        ys = list(range(len(counts)))
        axes.barh(
            [y + 0.2 for y in ys],
            now,
            height=0.4,
            color="#222222",
            edgecolor="#000000",
            label="deze periode",
        )
        axes.barh(
            [y - 0.2 for y in ys],
            before,
            height=0.4,
            color="#ffffff",
            edgecolor="#000000",
            linewidth=0.8,
            label="vorige periode",
        )
        axes.set_yticks(ys, labels)
        axes.tick_params(axis="y", labelsize=6.5, length=0)
        # Room for the labels inside the figure, so that the page does not shrink the chart
        # (and its text) to make them fit.
        figure.subplots_adjust(left=0.36, right=0.96, top=1 - 9 / height, bottom=14 / height)
        _count_axis(axes, max([*now, *before], default=0), axis="x")
        axes.set_xlabel("signalen in de periode", fontsize=7)
        axes.legend(
            loc="lower left", bbox_to_anchor=(-0.6, 1.0), fontsize=7, frameon=False, ncols=2
        )
        return to_svg(figure, tight=False)

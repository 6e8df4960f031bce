"""Small panel builders on top of grafana-foundation-sdk, and the layout of a dashboard.

Every data panel has one ClickHouse query (:class:`PanelQuery`) that reads only
``suppressed_*`` views. The SDK has no ClickHouse query type, so the target is an
``UnknownDataquery`` with the plugin's own fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grafana_foundation_sdk.builders import (
    barchart,
    common,
    dashboard,
    geomap,
    piechart,
    stat,
    table,
    text,
    timeseries,
)
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.cog.runtime import UnknownDataquery
from grafana_foundation_sdk.models import common as common_models
from grafana_foundation_sdk.models import dashboard as dashboard_models
from grafana_foundation_sdk.models import geomap as geomap_models
from grafana_foundation_sdk.models import piechart as piechart_models
from grafana_foundation_sdk.models import text as text_models

DATASOURCE_TYPE = "grafana-clickhouse-datasource"
DATASOURCE_UID = "waakhond-clickhouse"
PLUGIN_VERSION = "4.0.0"
DATASOURCE = dashboard_models.DataSourceRef(type_val=DATASOURCE_TYPE, uid=DATASOURCE_UID)
GRID_WIDTH = 24

# The map file Grafana serves (see deploy/grafana/Dockerfile and ANALYTICS.md).
CARE_OFFICE_MAP_URL = "public/maps/waakhond/zorgkantoorregio_2025_wgs84.geojson"


@dataclass(frozen=True, slots=True)
class PanelQuery:
    """A panel's SQL and the columns the panel is built around."""

    sql: str
    columns: tuple[str, ...]
    time_series: bool = False


class ClickHouseTarget(cogbuilder.Builder[cogvariants.Dataquery]):
    def __init__(self, query: PanelQuery, ref_id: str = "A") -> None:
        self._query = query
        self._ref_id = ref_id

    def build(self) -> cogvariants.Dataquery:
        return UnknownDataquery(
            {
                "refId": self._ref_id,
                "datasource": {"type": DATASOURCE_TYPE, "uid": DATASOURCE_UID},
                "editorType": "sql",
                "format": 0 if self._query.time_series else 1,
                "queryType": "timeseries" if self._query.time_series else "table",
                "pluginVersion": PLUGIN_VERSION,
                "rawSql": self._query.sql,
            }
        )


def _legend() -> common.VizLegendOptions:
    return (
        common.VizLegendOptions()
        .show_legend(True)
        .display_mode(common_models.LegendDisplayMode.LIST)
        .placement(common_models.LegendPlacement.BOTTOM)
    )


def _tooltip() -> common.VizTooltipOptions:
    return (
        common.VizTooltipOptions()
        .mode(common_models.TooltipDisplayMode.MULTI)
        .sort(common_models.SortOrder.DESCENDING)
    )


def timeseries_panel(
    title: str, description: str, query: PanelQuery, series_label: str, *, bars: bool = False
) -> timeseries.Panel:
    """A series per value of ``series_label`` (long format: time, label, value)."""
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(ClickHouseTarget(query))
        .unit("none")
        .decimals(0)
        .min(0)
        .display_name("${__field.labels." + series_label + "}")
        .line_width(2)
        .fill_opacity(15 if bars else 10)
        .span_nulls(False)
        .legend(_legend())
        .tooltip(_tooltip())
    )
    if bars:
        panel = panel.draw_style(common_models.GraphDrawStyle.BARS)
    return panel


def table_panel(
    title: str,
    description: str,
    query: PanelQuery,
    *,
    colors: dict[str, dict[str, str]] | None = None,
    decimals: dict[str, int] | None = None,
) -> table.Panel:
    """``colors``: per column, cell text -> colour; ``decimals``: per column."""
    panel = (
        table.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(ClickHouseTarget(query))
        .show_header(True)
        .filterable(True)
        .no_value("niet getoond")
    )
    for column, mapping in sorted((colors or {}).items()):
        value_map = dashboard_models.ValueMap(
            options={
                text_value: dashboard_models.ValueMappingResult(color=color, index=index)
                for index, (text_value, color) in enumerate(sorted(mapping.items()))
            }
        )
        panel = panel.override_by_name(
            column,
            [
                dashboard_models.DynamicConfigValue(id_val="mappings", value=[value_map]),
                dashboard_models.DynamicConfigValue(
                    id_val="custom.cellOptions", value={"type": "color-text"}
                ),
            ],
        )
    for column, places in sorted((decimals or {}).items()):
        panel = panel.override_by_name(
            column, [dashboard_models.DynamicConfigValue(id_val="decimals", value=places)]
        )
    return panel


def barchart_panel(
    title: str, description: str, query: PanelQuery, label_column: str
) -> barchart.Panel:
    return (
        barchart.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(ClickHouseTarget(query))
        .x_field(label_column)
        .orientation(common_models.VizOrientation.HORIZONTAL)
        .show_value(common_models.VisibilityMode.AUTO)
        .unit("none")
        .decimals(0)
        .min(0)
        .legend(_legend().show_legend(False))
        .tooltip(_tooltip())
    )


def piechart_panel(title: str, description: str, query: PanelQuery) -> piechart.Panel:
    return (
        piechart.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(ClickHouseTarget(query))
        .pie_type(piechart_models.PieChartType.DONUT)
        .reduce_options(common.ReduceDataOptions().values(True).calcs([]))
        .display_labels([piechart_models.PieChartLabels.NAME, piechart_models.PieChartLabels.VALUE])
        .legend(
            piechart.PieChartLegendOptions()
            .show_legend(True)
            .display_mode(common_models.LegendDisplayMode.LIST)
            .placement(common_models.LegendPlacement.RIGHT)
        )
        .unit("none")
        .decimals(0)
    )


def stat_panel(title: str, description: str, query: PanelQuery) -> stat.Panel:
    return (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(ClickHouseTarget(query))
        .reduce_options(common.ReduceDataOptions().values(False).calcs(["lastNotNull"]))
        .graph_mode(common_models.BigValueGraphMode.NONE)
        .color_mode(common_models.BigValueColorMode.NONE)
        .unit("none")
        .decimals(0)
        .no_value("niet getoond")
    )


def text_panel(title: str, markdown: str) -> text.Panel:
    return text.Panel().title(title).mode(text_models.TextMode.MARKDOWN).content(markdown)


def region_map_panel(
    title: str, description: str, query: PanelQuery, lookup_column: str, value_column: str
) -> geomap.Panel:
    """Care-office regions: their outlines from the GeoJSON file, and every region with
    data drawn again through a lookup in the same file, coloured by ``value_column``."""
    outlines = (
        common.MapLayerOptions()
        .type("geojson")
        .name("Zorgkantoorregio's")
        .config(
            {
                "src": CARE_OFFICE_MAP_URL,
                "rules": [],
                "style": {
                    "color": {"fixed": "#8e8e8e"},
                    "opacity": 0.1,
                    "lineWidth": 1,
                    "text": {"field": "statnaam", "fixed": "", "mode": "field"},
                },
            }
        )
    )
    signals = (
        common.MapLayerOptions()
        .type("markers")
        .name("Signalen")
        .location(
            common.FrameGeometrySource()
            .mode(common_models.FrameGeometrySourceMode.LOOKUP)
            .lookup(lookup_column)
            .gazetteer(CARE_OFFICE_MAP_URL)
        )
        .config(
            {
                "showLegend": True,
                "style": {
                    "color": {"field": value_column, "fixed": "dark-green"},
                    "opacity": 0.5,
                    "lineWidth": 3,
                    "size": {"fixed": 5, "max": 15, "min": 2},
                    "symbol": {"fixed": "img/icons/marker/circle.svg", "mode": "fixed"},
                    "text": {"field": value_column, "fixed": "", "mode": "field"},
                },
            }
        )
        .tooltip(True)
    )
    return (
        geomap.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(ClickHouseTarget(query))
        .view(geomap.MapViewConfig().id("coords").lat(52).lon(5).zoom(7))
        .controls(geomap.ControlsOptions().show_zoom(True).mouse_wheel_zoom(False))
        .layers([outlines, signals])
        .tooltip(geomap.TooltipOptions().mode(geomap_models.TooltipMode.DETAILS))
        .color_scheme(
            dashboard.FieldColor().mode(dashboard_models.FieldColorModeId.CONTINUOUS_GR_YL_RD)
        )
        .unit("none")
        .decimals(0)
    )


@dataclass
class Layout:
    """Places panels left to right, top to bottom, with ids in order of addition.

    Ids and positions are set explicitly so the generated JSON never depends on
    the SDK's own placement rules.
    """

    dashboard: dashboard.Dashboard
    queries: dict[int, PanelQuery] = field(default_factory=dict)
    _next_id: int = 1
    _x: int = 0
    _y: int = 0
    _row_height: int = 0

    def add(
        self,
        panel: cogbuilder.Builder[dashboard_models.Panel],
        query: PanelQuery | None,
        width: int,
        height: int,
    ) -> None:
        if not 0 < width <= GRID_WIDTH:
            raise ValueError(f"panel width {width} does not fit the grid")
        if self._x + width > GRID_WIDTH:
            self._x, self._y, self._row_height = 0, self._y + self._row_height, 0
        built = panel.build()
        built.id_val = self._next_id
        built.grid_pos = dashboard_models.GridPos(h=height, w=width, x=self._x, y=self._y)
        self.dashboard.with_panel(_Built(built))
        if query is not None:
            self.queries[self._next_id] = query
        self._next_id += 1
        self._x += width
        self._row_height = max(self._row_height, height)


class _Built(cogbuilder.Builder[dashboard_models.Panel]):
    """An already built panel, handed back to the dashboard builder."""

    def __init__(self, panel: dashboard_models.Panel) -> None:
        self._panel = panel

    def build(self) -> dashboard_models.Panel:
        return self._panel

"""The three audience dashboards, generated deterministically.

``write_all(Path("deploy/grafana"))`` writes ``dashboards/<audience>/<uid>.json``
there and the care-office region map Grafana serves (``maps/``). The JSON has
sorted keys and fixed uids and panel ids, so regenerating without a change in
this package changes no file; a test compares the committed files with what
the generator produces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import dashboard
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dashboard_models

from waakhond_contract.regions import RegionLevel
from waakhond_tools.dashboards.alerting import expected_alerting_files
from waakhond_tools.dashboards.labels import (
    CATEGORY_LABELS,
    CATEGORY_LABELS_WITH_ALL,
    DIMENSION_VALUE_LABELS,
    DIRECTION_LABELS,
    LEVEL_LABELS,
    WMO_AND_WLZ,
)
from waakhond_tools.dashboards.operations import operations
from waakhond_tools.dashboards.panels import (
    DATASOURCE,
    Layout,
    PanelQuery,
    barchart_panel,
    piechart_panel,
    region_map_panel,
    stat_panel,
    table_panel,
    text_panel,
    timeseries_panel,
)
from waakhond_tools.dashboards.sql import (
    AS_OF,
    FIRST_DAY,
    FIRST_WEEK,
    LAST_DAY,
    RANGE_ARGS,
    dense_monthly,
    dense_weekly,
    labelled,
    order_by_vocabulary,
    pivot_columns,
    quoted_variable,
    view,
)

GRAFANA_DIR = Path("deploy/grafana")
DASHBOARD_FOLDER = "dashboards"
MAP_FOLDER = "maps"
CARE_OFFICE_MAP = "zorgkantoorregio_2025_wgs84.geojson"
TAGS = ["waakhond"]
DEFAULT_RANGE = ("now-1y", "now")

CATEGORY = "categorie"
LEVEL = "niveau"
REGION = "regio"

DIRECTION_COLOURS = {
    DIRECTION_LABELS["rising"]: "red",
    DIRECTION_LABELS["falling"]: "green",
}
RATE_DECIMALS = {
    "Per week, 12 weken ervoor": 2,
    "Per week, laatste 4 weken": 2,
    "Factor": 2,
}

SUPPRESSION_NOTE = (
    "Aantallen zijn unieke signalen. Elk aantal krijgt eerst een kleine, vaste "
    "toevalsafwijking (gemiddeld nul, meestal een paar signalen) en wordt daarna afgerond; "
    "aantallen onder de minimumgrens worden niet getoond (**niet getoond**). Zo is geen "
    "persoon herkenbaar, ook niet door totalen van elkaar af te trekken. Een signaal kan "
    "meerdere categorieën, wetsdomeinen, levensdomeinen en "
    "doelgroepen hebben: de onderdelen tellen daarom niet op tot het totaal."
)
ALERT_NOTE = (
    "**Stijgingen**: per regio en categorie worden de laatste 4 volledige weken vóór de "
    "einddatum van de gekozen periode vergeleken met de 12 weken daarvoor (signalen per "
    "week). Een stijging wordt gemeld als de exacte toets voor tellingen (binomiaal, "
    "voorwaardelijk op het totaal) p < 0,01 geeft, na correctie voor het aantal vergeleken "
    "regio's (q < 0,05), het aantal per week minstens 1,5 keer zo hoog is en beide periodes "
    "boven de minimumgrens liggen. De toets gebruikt alleen de getoonde (afgeronde) "
    "aantallen en rekent met de ongunstigste waarde binnen de afronding."
)


@dataclass(frozen=True, slots=True)
class GeneratedDashboard:
    """A dashboard with the queries behind its panels and variables, for tests."""

    audience: str
    uid: str
    title: str
    model: dashboard_models.Dashboard
    panel_queries: dict[int, PanelQuery]
    variable_queries: dict[str, PanelQuery]

    @property
    def filename(self) -> str:
        return f"{self.uid}.json"

    def to_json(self) -> str:
        return render(self.model)

    def model_dict(self) -> dict[str, Any]:
        """The dashboard as plain JSON values, as Grafana's HTTP API takes and returns it."""
        loaded: dict[str, Any] = json.loads(self.to_json())
        return loaded


def render(model: dashboard_models.Dashboard) -> str:
    return json.dumps(model, cls=JSONEncoder, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _base(uid: str, title: str, description: str, audience: str) -> dashboard.Dashboard:
    return (
        dashboard.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags([*TAGS, audience])
        .timezone("utc")
        .week_start("monday")
        .time(*DEFAULT_RANGE)
        .refresh("")
        .readonly()
        .link(
            dashboard.DashboardLink("Waakhond-dashboards")
            .type(dashboard_models.DashboardLinkType.DASHBOARDS)
            .tags(TAGS)
            .as_dropdown(True)
            .include_vars(False)
            .keep_time(True)
        )
    )


def _category_variable() -> dashboard.CustomVariable:
    options = ", ".join(f"{label} : {key}" for key, label in CATEGORY_LABELS_WITH_ALL.items())
    first = next(iter(CATEGORY_LABELS_WITH_ALL.items()))
    return (
        dashboard.CustomVariable(CATEGORY)
        .label("Categorie")
        .description("Alle signalen of één categorie.")
        .values(options)
        .current(dashboard_models.VariableOption(selected=True, text=first[1], value=first[0]))
        .multi(False)
        .include_all(False)
    )


def _dimension_keys(dimension: str) -> list[str]:
    return list(DIMENSION_VALUE_LABELS[dimension])


def _breakdown_bar(
    layout: Layout,
    title: str,
    description: str,
    dimension: str,
    value_label: str,
    where: str,
    width: int,
) -> None:
    labels = DIMENSION_VALUE_LABELS[dimension]
    query = PanelQuery(
        sql=f"""SELECT
    {labelled("value", labels)} AS "{value_label}",
    signals AS "Signalen"
FROM {view("suppressed_breakdown_totals")}({RANGE_ARGS})
WHERE {where} AND dimension = '{dimension}'
ORDER BY {order_by_vocabulary("value", _dimension_keys(dimension))}""",
        columns=(value_label, "Signalen"),
    )
    layout.add(barchart_panel(title, description, query, value_label), query, width, 9)


def _breakdown_pivot(
    layout: Layout, title: str, description: str, dimension: str, value_label: str, where: str
) -> None:
    labels = DIMENSION_VALUE_LABELS[dimension]
    query = PanelQuery(
        sql=f"""SELECT
    {labelled("any(t.value)", labels)} AS "{value_label}",
    {pivot_columns("t", "category", CATEGORY_LABELS_WITH_ALL)}
FROM {view("suppressed_breakdown_totals")}({RANGE_ARGS}) AS t
WHERE {where} AND t.dimension = '{dimension}'
GROUP BY t.value
ORDER BY {order_by_vocabulary("t.value", _dimension_keys(dimension))}""",
        columns=(value_label, *CATEGORY_LABELS_WITH_ALL.values()),
    )
    layout.add(table_panel(title, description, query), query, 12, 9)


def _weekly_breakdown_series(
    layout: Layout, title: str, description: str, dimension: str, where: str, width: int
) -> None:
    labels = DIMENSION_VALUE_LABELS[dimension]
    source = f"""SELECT week_start, {labelled("value", labels)} AS series, signals
        FROM {view("suppressed_breakdown_weekly")}
        WHERE {where} AND dimension = '{dimension}'
          AND week_start BETWEEN {FIRST_WEEK} AND {LAST_DAY}"""
    query = PanelQuery(
        sql=dense_weekly(source, "reeks", list(labels.values())),
        columns=("time", "reeks", "signalen"),
        time_series=True,
    )
    layout.add(timeseries_panel(title, description, query, "reeks"), query, width, 9)


def _weekly_categories(layout: Layout, title: str, description: str, where: str) -> None:
    source = f"""SELECT week_start, {labelled("category", CATEGORY_LABELS)} AS series, signals
        FROM {view("suppressed_trend_weekly")}
        WHERE {where} AND category != 'all'
          AND week_start BETWEEN {FIRST_WEEK} AND {LAST_DAY}"""
    query = PanelQuery(
        sql=dense_weekly(source, "categorie", list(CATEGORY_LABELS.values())),
        columns=("time", "categorie", "signalen"),
        time_series=True,
    )
    layout.add(timeseries_panel(title, description, query, "categorie"), query, 24, 9)


def _total_stat(layout: Layout, title: str, description: str, where: str) -> None:
    query = PanelQuery(
        sql=f"""SELECT signals AS signalen
FROM {view("suppressed_trend_totals")}({RANGE_ARGS})
WHERE {where}""",
        columns=("signalen",),
    )
    layout.add(stat_panel(title, description, query), query, 6, 5)


def _alerts_table(layout: Layout, title: str, description: str, where: str, width: int) -> None:
    query = PanelQuery(
        sql=f"""SELECT
    {labelled("level", LEVEL_LABELS)} AS "Niveau",
    region_name AS "Regio",
    {labelled("category", CATEGORY_LABELS_WITH_ALL)} AS "Categorie",
    baseline_rate AS "Per week, 12 weken ervoor",
    recent_rate AS "Per week, laatste 4 weken",
    rate_ratio AS "Factor",
    p_value AS "p-waarde",
    q_value AS "q-waarde"
FROM {view("suppressed_trend_alerts")}(as_of = {AS_OF})
WHERE {where}
ORDER BY p_value ASC, rate_ratio DESC, level, region_code, category
LIMIT 50""",
        columns=(
            "Niveau",
            "Regio",
            "Categorie",
            "Per week, 12 weken ervoor",
            "Per week, laatste 4 weken",
            "Factor",
            "p-waarde",
            "q-waarde",
        ),
    )
    panel = table_panel(title, description, query, decimals=RATE_DECIMALS)
    panel = panel.override_by_name("p-waarde", _scientific()).override_by_name(
        "q-waarde", _scientific()
    )
    layout.add(panel, query, width, 10)


def _scientific() -> list[dashboard_models.DynamicConfigValue]:
    return [
        dashboard_models.DynamicConfigValue(id_val="unit", value="sci"),
        dashboard_models.DynamicConfigValue(id_val="decimals", value=2),
    ]


def national() -> GeneratedDashboard:
    """Ministry (VWS): the categories over time, where they rise, law domains, the map."""
    uid = "waakhond-landelijk"
    title = "Waakhond – Landelijk beeld"
    builder = _base(
        uid,
        title,
        "Landelijk beeld van signalen uit de onafhankelijke cliëntondersteuning: "
        "knelpunten in de tijd, stijgingen per regio, wetsdomeinen en de kaart.",
        "national",
    ).with_variable(_category_variable())
    layout = Layout(builder)
    selected = f"category = {quoted_variable(CATEGORY)}"
    layout.add(
        text_panel(
            "Over dit dashboard",
            "Signalen van cliëntondersteuners over knelpunten in het stelsel, gebundeld over "
            "alle organisaties. Kies een categorie en een periode; weken lopen van maandag "
            f"tot en met zondag.\n\n{SUPPRESSION_NOTE}\n\n{ALERT_NOTE}",
        ),
        None,
        12,
        7,
    )
    _total_stat(
        layout,
        "Signalen in de periode",
        "Unieke signalen in heel Nederland in de gekozen periode en categorie.",
        f"level = 'national' AND {selected}",
    )
    alert_count = PanelQuery(
        sql=f"""SELECT count() AS stijgingen
FROM {view("suppressed_trend_alerts")}(as_of = {AS_OF})""",
        columns=("stijgingen",),
    )
    layout.add(
        stat_panel(
            "Gemelde stijgingen",
            "Aantal combinaties van regio en categorie met een significante stijging "
            "(laatste 4 weken tegenover de 12 weken ervoor), op alle regioniveaus.",
            alert_count,
        ),
        alert_count,
        6,
        5,
    )
    _weekly_categories(
        layout,
        "Signalen per categorie per week",
        "Unieke signalen per week in heel Nederland, per categorie. Een onderbreking "
        "in de lijn is een week met een te klein aantal (niet getoond).",
        "level = 'national'",
    )
    monthly_source = f"""SELECT month_start, {labelled("category", CATEGORY_LABELS_WITH_ALL)}
            AS series, signals
        FROM {view("suppressed_trend_monthly")}
        WHERE level = 'national'
          AND month_start BETWEEN toStartOfMonth({FIRST_DAY}) AND {LAST_DAY}"""
    monthly = PanelQuery(
        sql=dense_monthly(monthly_source, "categorie", list(CATEGORY_LABELS_WITH_ALL.values())),
        columns=("time", "categorie", "signalen"),
        time_series=True,
    )
    layout.add(
        timeseries_panel(
            "Signalen per maand",
            "Unieke signalen per maand. Een maand bestaat uit hele weken: een week hoort "
            "bij de maand van haar donderdag, dus een maand telt 4 of 5 weken.",
            monthly,
            "categorie",
            bars=True,
        ),
        monthly,
        24,
        9,
    )
    _alerts_table(
        layout,
        "Sterkste stijgingen: regio en categorie",
        "Significante stijgingen per regio en categorie, op de einddatum van de gekozen "
        "periode; de sterkste bewijskracht (laagste p-waarde) bovenaan. Signalen per "
        "week in de laatste 4 weken tegenover de 12 weken ervoor.",
        "1 = 1",
        24,
    )
    _breakdown_bar(
        layout,
        "Wetsdomeinen",
        "Unieke signalen per wetsdomein in de periode. 'Wmo én Wlz (de knip)' telt de "
        "signalen die beide wetten noemen; die tellen ook mee bij Wmo en bij Wlz.",
        "law_domain",
        "Wetsdomein",
        f"level = 'national' AND {selected}",
        12,
    )
    _weekly_breakdown_series(
        layout,
        "Wetsdomeinen per week",
        "Unieke signalen per wetsdomein per week, in heel Nederland.",
        "law_domain",
        f"level = 'national' AND {selected}",
        12,
    )
    map_query = PanelQuery(
        sql=f"""SELECT
    t.region_code AS regio_code,
    n.region_name AS "Zorgkantoorregio",
    t.signals AS "Signalen"
FROM {view("suppressed_trend_totals")}({RANGE_ARGS}) AS t
LEFT JOIN {view("suppressed_region_names")} AS n
    ON n.level = t.level AND n.region_code = t.region_code
WHERE t.level = 'zorgkantoorregio' AND t.{selected}
ORDER BY regio_code""",
        columns=("regio_code", "Zorgkantoorregio", "Signalen"),
    )
    layout.add(
        region_map_panel(
            "Signalen per zorgkantoorregio",
            "Unieke signalen per zorgkantoorregio in de periode en categorie. Regio's met "
            "een te klein aantal krijgen geen kleur.",
            map_query,
            "regio_code",
            "Signalen",
        ),
        map_query,
        12,
        14,
    )
    pivot = PanelQuery(
        sql=f"""SELECT
    any(n.region_name) AS "Zorgkantoorregio",
    {pivot_columns("t", "category", CATEGORY_LABELS_WITH_ALL)}
FROM {view("suppressed_trend_totals")}({RANGE_ARGS}) AS t
LEFT JOIN {view("suppressed_region_names")} AS n
    ON n.level = t.level AND n.region_code = t.region_code
WHERE t.level = 'zorgkantoorregio'
GROUP BY t.region_code
ORDER BY "Zorgkantoorregio" ASC""",
        columns=("Zorgkantoorregio", *CATEGORY_LABELS_WITH_ALL.values()),
    )
    layout.add(
        table_panel(
            "Per zorgkantoorregio en categorie",
            "Unieke signalen in de periode per zorgkantoorregio en categorie.",
            pivot,
        ),
        pivot,
        12,
        14,
    )
    return GeneratedDashboard("national", uid, title, builder.build(), layout.queries, {})


def association() -> GeneratedDashboard:
    """Associations: everything bundled nationally, by category and theme."""
    uid = "waakhond-verenigingen"
    title = "Waakhond – Gebundeld signaleringsbeeld"
    builder = _base(
        uid,
        title,
        "Alle signalen van alle aangesloten organisaties gebundeld: volumes, categorieën, "
        "thema's (levensdomeinen, doelgroepen, leeftijd) en type cliëntondersteuner.",
        "association",
    ).with_variable(_category_variable())
    layout = Layout(builder)
    national_selected = f"level = 'national' AND category = {quoted_variable(CATEGORY)}"
    layout.add(
        text_panel(
            "Over dit dashboard",
            "Het landelijke signaleringsbeeld voor verenigingen en koepels, bijvoorbeeld "
            "voor een signaleringsrapport. Kies een categorie (of alle signalen) en een "
            f"periode.\n\n{SUPPRESSION_NOTE}",
        ),
        None,
        12,
        6,
    )
    _total_stat(
        layout,
        "Signalen in de periode",
        "Unieke signalen van alle organisaties samen in de gekozen periode en categorie.",
        national_selected,
    )
    knip = PanelQuery(
        sql=f"""SELECT signals AS signalen
FROM {view("suppressed_breakdown_totals")}({RANGE_ARGS})
WHERE {national_selected} AND dimension = 'law_domain' AND value = '{WMO_AND_WLZ}'""",
        columns=("signalen",),
    )
    layout.add(
        stat_panel(
            "Signalen over Wmo én Wlz",
            "Signalen die zowel de Wmo als de Wlz noemen: de knip tussen gemeente en zorgkantoor.",
            knip,
        ),
        knip,
        6,
        6,
    )
    volume_source = f"""SELECT week_start, 'Signalen' AS series, signals
        FROM {view("suppressed_trend_weekly")}
        WHERE {national_selected} AND week_start BETWEEN {FIRST_WEEK} AND {LAST_DAY}"""
    volume = PanelQuery(
        sql=dense_weekly(volume_source, "reeks", ["Signalen"]),
        columns=("time", "reeks", "signalen"),
        time_series=True,
    )
    layout.add(
        timeseries_panel(
            "Volume per week",
            "Unieke signalen per week, alle organisaties samen.",
            volume,
            "reeks",
            bars=True,
        ),
        volume,
        24,
        8,
    )
    categories = PanelQuery(
        sql=f"""SELECT
    {labelled("category", CATEGORY_LABELS)} AS "Categorie",
    signals AS "Signalen"
FROM {view("suppressed_trend_totals")}({RANGE_ARGS})
WHERE level = 'national' AND category != 'all'
ORDER BY {order_by_vocabulary("category", list(CATEGORY_LABELS))}""",
        columns=("Categorie", "Signalen"),
    )
    layout.add(
        barchart_panel(
            "Categorieën",
            "Unieke signalen per categorie in de periode; een signaal kan meerdere "
            "categorieën hebben.",
            categories,
            "Categorie",
        ),
        categories,
        12,
        9,
    )
    _breakdown_bar(
        layout,
        "Levensdomeinen",
        "Op welke levensdomeinen de signalen betrekking hebben.",
        "life_domain",
        "Levensdomein",
        national_selected,
        12,
    )
    _breakdown_bar(
        layout,
        "Doelgroepen",
        "Over welke doelgroepen de signalen gaan.",
        "target_group",
        "Doelgroep",
        national_selected,
        12,
    )
    supporters = PanelQuery(
        sql=f"""SELECT
    {labelled("value", DIMENSION_VALUE_LABELS["supporter_type"])} AS "Type cliëntondersteuner",
    signals AS "Signalen"
FROM {view("suppressed_breakdown_totals")}({RANGE_ARGS})
WHERE {national_selected} AND dimension = 'supporter_type'
ORDER BY {order_by_vocabulary("value", _dimension_keys("supporter_type"))}""",
        columns=("Type cliëntondersteuner", "Signalen"),
    )
    layout.add(
        piechart_panel(
            "Formele en informele cliëntondersteuners",
            "Signalen van professionele (formele) en van vrijwillige of ervarings"
            "deskundige (informele) cliëntondersteuners.",
            supporters,
        ),
        supporters,
        12,
        9,
    )
    _breakdown_bar(
        layout,
        "Leeftijdsgroepen",
        "Leeftijdsgroep van de inwoner om wie het gaat; 18-26 jaar is de overgang van "
        "jeugdhulp naar volwassenenzorg.",
        "age_band",
        "Leeftijdsgroep",
        national_selected,
        12,
    )
    _weekly_breakdown_series(
        layout,
        "Doelgroepen per week",
        "Unieke signalen per doelgroep per week.",
        "target_group",
        national_selected,
        12,
    )
    _breakdown_pivot(
        layout,
        "Doelgroep en categorie",
        "Unieke signalen in de periode per doelgroep en categorie.",
        "target_group",
        "Doelgroep",
        "t.level = 'national'",
    )
    _breakdown_pivot(
        layout,
        "Levensdomein en categorie",
        "Unieke signalen in de periode per levensdomein en categorie.",
        "life_domain",
        "Levensdomein",
        "t.level = 'national'",
    )
    return GeneratedDashboard("association", uid, title, builder.build(), layout.queries, {})


REGIONAL_LEVELS = [
    RegionLevel.ZORGKANTOORREGIO,
    RegionLevel.MUNICIPALITY,
    RegionLevel.JEUGDREGIO,
    RegionLevel.GGDREGIO,
    RegionLevel.PROVINCE,
]


def _level_variable() -> dashboard.CustomVariable:
    options = ", ".join(f"{LEVEL_LABELS[level]} : {level}" for level in REGIONAL_LEVELS)
    first = REGIONAL_LEVELS[0]
    return (
        dashboard.CustomVariable(LEVEL)
        .label("Regioniveau")
        .description("Soort regio: zorgkantoorregio (Wlz), gemeente, jeugdregio, GGD-regio.")
        .values(options)
        .current(
            dashboard_models.VariableOption(
                selected=True, text=LEVEL_LABELS[first], value=str(first)
            )
        )
        .multi(False)
        .include_all(False)
    )


def _region_variable() -> tuple[dashboard.QueryVariable, PanelQuery]:
    query = PanelQuery(
        sql=f"""SELECT region_code, region_name
FROM {view("suppressed_region_names")}
WHERE level = {quoted_variable(LEVEL)}
ORDER BY region_name""",
        columns=("region_code", "region_name"),
    )
    variable = (
        dashboard.QueryVariable(REGION)
        .label("Regio")
        .description("De regio op het gekozen niveau.")
        .datasource(DATASOURCE)
        .query(query.sql)
        .refresh(dashboard_models.VariableRefresh.ON_DASHBOARD_LOAD)
        .sort(dashboard_models.VariableSort.ALPHABETICAL_CASE_INSENSITIVE_ASC)
        .multi(False)
        .include_all(False)
    )
    return variable, query


def _direction_table(
    layout: Layout,
    title: str,
    description: str,
    source: str,
    key: str,
    key_label: str,
    labels: dict[str, str],
) -> None:
    query = PanelQuery(
        sql=f"""SELECT
    {labelled(key, labels)} AS "{key_label}",
    baseline_signals AS "Signalen, 12 weken ervoor",
    recent_signals AS "Signalen, laatste 4 weken",
    baseline_rate AS "Per week, 12 weken ervoor",
    recent_rate AS "Per week, laatste 4 weken",
    rate_ratio AS "Factor",
    p_rise AS "p (stijging)",
    p_fall AS "p (daling)",
    {labelled("direction", DIRECTION_LABELS)} AS "Richting"
FROM {view(source)}(as_of = {AS_OF})
WHERE level = {quoted_variable(LEVEL)} AND region_code = {quoted_variable(REGION)}
ORDER BY {order_by_vocabulary(key, list(labels))}""",
        columns=(
            key_label,
            "Signalen, 12 weken ervoor",
            "Signalen, laatste 4 weken",
            "Per week, 12 weken ervoor",
            "Per week, laatste 4 weken",
            "Factor",
            "p (stijging)",
            "p (daling)",
            "Richting",
        ),
    )
    panel = (
        table_panel(
            title,
            description,
            query,
            colors={"Richting": DIRECTION_COLOURS},
            decimals=RATE_DECIMALS,
        )
        .override_by_name("p (stijging)", _scientific())
        .override_by_name("p (daling)", _scientific())
    )
    layout.add(panel, query, 24, 8)


def regional() -> GeneratedDashboard:
    """Regional coordinators: one region, its trends, alerts and hard-to-place clients."""
    uid = "waakhond-regionaal"
    title = "Waakhond – Regionaal beeld"
    region_variable, region_query = _region_variable()
    builder = (
        _base(
            uid,
            title,
            "Signalen in één regio: trends per categorie, stijgingen en moeilijk plaatsbare "
            "cliënten (geen passend aanbod) per doelgroep.",
            "regional",
        )
        .with_variable(_level_variable())
        .with_variable(region_variable)
    )
    layout = Layout(builder)
    here = f"level = {quoted_variable(LEVEL)} AND region_code = {quoted_variable(REGION)}"
    layout.add(
        text_panel(
            "Over dit dashboard",
            "Kies een regioniveau en een regio. *Moeilijk plaatsbaar* zijn de signalen in de "
            "categorie *geen passend aanbod*: wachtlijsten, geen plek, aanbieders die "
            "complexe cliënten weigeren. De richting vergelijkt de laatste 4 volledige weken "
            "vóór de einddatum van de periode met de 12 weken daarvoor.\n\n"
            f"{SUPPRESSION_NOTE}\n\n{ALERT_NOTE}",
        ),
        None,
        12,
        8,
    )
    _total_stat(
        layout,
        "Signalen in de regio",
        "Unieke signalen in de gekozen regio en periode.",
        f"{here} AND category = 'all'",
    )
    _total_stat(
        layout,
        "Geen passend aanbod",
        "Unieke signalen in de categorie 'geen passend aanbod' (moeilijk plaatsbaar).",
        f"{here} AND category = 'no_suitable_care'",
    )
    _weekly_categories(
        layout,
        "Signalen per categorie per week",
        "Unieke signalen per week in de regio, per categorie.",
        here,
    )
    _direction_table(
        layout,
        "Richting per categorie",
        "Signalen per week in de laatste 4 weken tegenover de 12 weken ervoor, met de "
        "exacte toets voor een stijging en voor een daling (p < 0,01).",
        "suppressed_trend_direction",
        "category",
        "Categorie",
        CATEGORY_LABELS_WITH_ALL,
    )
    _alerts_table(
        layout,
        "Gemelde stijgingen in deze regio",
        "Significante stijgingen in deze regio (zie de uitleg bovenaan).",
        here,
        24,
    )
    hard_labels = DIMENSION_VALUE_LABELS["target_group"]
    hard_source = f"""SELECT week_start, {labelled("target_group", hard_labels)} AS series,
            signals
        FROM {view("suppressed_hard_to_place")}
        WHERE {here} AND week_start BETWEEN {FIRST_WEEK} AND {LAST_DAY}"""
    hard_weekly = PanelQuery(
        sql=dense_weekly(hard_source, "doelgroep", list(hard_labels.values())),
        columns=("time", "doelgroep", "signalen"),
        time_series=True,
    )
    layout.add(
        timeseries_panel(
            "Moeilijk plaatsbaar per doelgroep per week",
            "Signalen van geen passend aanbod per doelgroep per week in de regio.",
            hard_weekly,
            "doelgroep",
        ),
        hard_weekly,
        24,
        9,
    )
    _direction_table(
        layout,
        "Moeilijk plaatsbaar: richting per doelgroep",
        "Geen passend aanbod per doelgroep: laatste 4 weken tegenover de 12 weken ervoor.",
        "suppressed_hard_to_place_direction",
        "target_group",
        "Doelgroep",
        hard_labels,
    )
    _breakdown_bar(
        layout,
        "Doelgroepen in de regio",
        "Unieke signalen per doelgroep in de periode.",
        "target_group",
        "Doelgroep",
        f"{here} AND category = 'all'",
        8,
    )
    _breakdown_bar(
        layout,
        "Levensdomeinen in de regio",
        "Unieke signalen per levensdomein in de periode.",
        "life_domain",
        "Levensdomein",
        f"{here} AND category = 'all'",
        8,
    )
    _breakdown_bar(
        layout,
        "Wetsdomeinen in de regio",
        "Unieke signalen per wetsdomein; 'Wmo én Wlz' telt ook mee bij Wmo en bij Wlz.",
        "law_domain",
        "Wetsdomein",
        f"{here} AND category = 'all'",
        8,
    )
    return GeneratedDashboard(
        "regional", uid, title, builder.build(), layout.queries, {REGION: region_query}
    )


DASHBOARDS: tuple[Callable[[], GeneratedDashboard], ...] = (national, association, regional)


def generate() -> list[GeneratedDashboard]:
    return [make() for make in DASHBOARDS]


def care_office_map() -> str:
    """The reference GeoJSON with each feature's id set to its region code, so Grafana's
    lookup (gazetteer) matches the ``region_code`` a query returns."""
    source = resources.files("waakhond_contract").joinpath("reference", "geo", CARE_OFFICE_MAP)
    collection: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        feature["id"] = feature["properties"]["statcode"]
    return json.dumps(collection, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def expected_files(grafana_dir: Path) -> dict[Path, str]:
    """Every generated file under ``grafana_dir`` (``deploy/grafana``) with its content:
    ``dashboards/<audience>/<uid>.json`` (with ``operations/``) and ``maps/<map>.geojson``."""
    dashboards = generate()
    files = {
        grafana_dir / DASHBOARD_FOLDER / generated.audience / generated.filename: (
            generated.to_json()
        )
        for generated in dashboards
    }
    # The operations dashboard reads Prometheus, so it is not one of generate()'s
    # ClickHouse dashboards, but it is written and checked with them.
    ops = operations()
    files[grafana_dir / DASHBOARD_FOLDER / ops.audience / ops.filename] = render(ops.model)
    files[grafana_dir / MAP_FOLDER / CARE_OFFICE_MAP] = care_office_map()
    # The alert rules on the alerts view, with contact points and policies (alerting.py).
    files.update(expected_alerting_files(grafana_dir, dashboards))
    return files


def stale_files(grafana_dir: Path) -> list[Path]:
    """Generated files that are missing or differ from what the generator produces."""
    return [
        path
        for path, content in sorted(expected_files(grafana_dir).items())
        if not path.exists() or path.read_text(encoding="utf-8") != content
    ]


def write_all(grafana_dir: Path) -> list[Path]:
    """Write the generated files that are missing or differ; returns those paths."""
    changed = []
    for path, content in sorted(expected_files(grafana_dir).items()):
        if path.exists() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        changed.append(path)
    return changed

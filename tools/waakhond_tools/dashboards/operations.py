"""The operations dashboard: the pipeline itself (intake -> classifier -> aggregator).

Unlike the audience dashboards it reads Prometheus, not ClickHouse: every panel is
one or more PromQL expressions over the metrics the three services expose on
``/metrics`` (scraped as jobs ``intake``, ``classifier`` and ``aggregator``, see
``deploy/prometheus/prometheus.yml``). It contains no signal content and no counts
that need disclosure control, only rates, latencies and process figures.

It is kept out of :func:`waakhond_tools.dashboards.build.generate`, whose
dashboards are ClickHouse-only (tests run their SQL, publishing creates the
ClickHouse data source); ``build.expected_files`` writes it alongside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from grafana_foundation_sdk.builders import common, dashboard, prometheus, timeseries
from grafana_foundation_sdk.models import common as common_models
from grafana_foundation_sdk.models import dashboard as dashboard_models
from grafana_foundation_sdk.models import prometheus as prometheus_models

from waakhond_tools.dashboards.panels import Layout

AUDIENCE = "operations"
UID = "waakhond-operatie"
TITLE = "Waakhond – Werking van de pijplijn"
DATASOURCE_TYPE = "prometheus"
DATASOURCE_UID = "waakhond-prometheus"
DATASOURCE = dashboard_models.DataSourceRef(type_val=DATASOURCE_TYPE, uid=DATASOURCE_UID)
# Not the audience tag "waakhond": the audience dashboards list every dashboard with that
# tag in their link menu, and ministry or regional users have no business here.
TAGS = ["waakhond-beheer", AUDIENCE]
DEFAULT_RANGE = ("now-6h", "now")
REFRESH = "1m"
# Grafana picks at least four scrape intervals, so rate() always has two samples.
RATE_WINDOW = "$__rate_interval"
JOBS = ("intake", "classifier", "aggregator")
QUANTILES = ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"))


@dataclass(frozen=True, slots=True)
class Series:
    """One PromQL expression and the legend of the series it returns."""

    expr: str
    legend: str


@dataclass(frozen=True, slots=True)
class OperationsDashboard:
    """The built dashboard with the expressions behind each panel id, for tests."""

    audience: str
    uid: str
    title: str
    model: dashboard_models.Dashboard
    panel_series: dict[int, tuple[Series, ...]]

    @property
    def filename(self) -> str:
        return f"{self.uid}.json"


def rate(metric: str, by: str = "") -> str:
    grouping = f"sum by ({by}) " if by else "sum"
    return f"{grouping}(rate({metric}[{RATE_WINDOW}]))"


def quantile(q: float, histogram: str) -> str:
    """The q-quantile of a histogram over all instances (their buckets added up)."""
    return f"histogram_quantile({q}, {rate(f'{histogram}_bucket', 'le')})"


def quantiles(histogram: str) -> tuple[Series, ...]:
    """p50, p95 and p99 of a histogram, one series each."""
    return tuple(Series(quantile(q, histogram), name) for q, name in QUANTILES)


def average(histogram: str) -> str:
    """Mean observation over the window: observed sum / observed count."""
    return f"{rate(f'{histogram}_sum')} / {rate(f'{histogram}_count')}"


def _target(series: Series, ref_id: str) -> prometheus.Dataquery:
    return (
        prometheus.Dataquery()
        .ref_id(ref_id)
        .datasource(DATASOURCE)
        .expr(series.expr)
        .legend_format(series.legend)
        .editor_mode(prometheus_models.QueryEditorMode.CODE)
        .format(prometheus_models.PromQueryFormat.TIME_SERIES)
        .range()
    )


def _panel(
    title: str,
    description: str,
    series: tuple[Series, ...],
    unit: str,
    *,
    decimals: int | None = None,
    max_value: float | None = None,
) -> timeseries.Panel:
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .min(0)
        .line_width(2)
        .fill_opacity(10)
        .legend(
            common.VizLegendOptions()
            .show_legend(True)
            .display_mode(common_models.LegendDisplayMode.LIST)
            .placement(common_models.LegendPlacement.BOTTOM)
        )
        .tooltip(
            common.VizTooltipOptions()
            .mode(common_models.TooltipDisplayMode.MULTI)
            .sort(common_models.SortOrder.DESCENDING)
        )
    )
    for index, item in enumerate(series):
        panel = panel.with_target(_target(item, chr(ord("A") + index)))
    if decimals is not None:
        panel = panel.decimals(decimals)
    if max_value is not None:
        panel = panel.max(max_value)
    return panel


class _Panels:
    """Places panels with :class:`Layout` and remembers their expressions by panel id."""

    def __init__(self, builder: dashboard.Dashboard) -> None:
        self.layout = Layout(builder)
        self.series: dict[int, tuple[Series, ...]] = {}

    def add(
        self,
        title: str,
        description: str,
        series: tuple[Series, ...],
        unit: str,
        width: int,
        height: int = 8,
        *,
        decimals: int | None = None,
        max_value: float | None = None,
    ) -> None:
        self.layout.add(
            _panel(title, description, series, unit, decimals=decimals, max_value=max_value),
            None,
            width,
            height,
        )
        # Layout numbers panels 1, 2, ... in order of addition.
        self.series[len(self.series) + 1] = series


PER_SECOND = "suffix: /s"


def operations() -> OperationsDashboard:
    """Throughput, latency, dead letters and resources of intake, classifier and aggregator."""
    builder = (
        dashboard.Dashboard(TITLE)
        .uid(UID)
        .description(
            "Voor beheerders: doorvoer, vertraging, dode brieven en geheugengebruik van "
            "intake, classificatie en opslag. Bron: Prometheus-metingen van de diensten; "
            "geen inhoud van signalen."
        )
        .tags(TAGS)
        .timezone("utc")
        .week_start("monday")
        .time(*DEFAULT_RANGE)
        .refresh(REFRESH)
        .readonly()
    )
    panels = _Panels(builder)
    panels.add(
        "Pijplijn: doorvoer per stap",
        "Signalen per seconde die intake accepteert, die de classificatie verwerkt en die "
        "de opslag in ClickHouse schrijft. Blijft een latere stap achter, dan loopt er een "
        "achterstand op in Kafka.",
        (
            Series(rate("waakhond_intake_signals_accepted_total"), "intake: geaccepteerd"),
            Series(rate("waakhond_classifier_batch_size_sum"), "classificatie: verwerkt"),
            Series(rate("waakhond_aggregator_signals_stored_total"), "opslag: opgeslagen"),
        ),
        PER_SECOND,
        12,
    )
    panels.add(
        "Pijplijn: vertraging van intake tot opslag",
        "Tijd van het indienen bij intake tot het opslaan in ClickHouse (p50, p95, p99), "
        "inclusief het wachten in Kafka en de classificatie. De p95 vanaf de classificatie "
        "laat zien welk deel van de vertraging na de classificatie ontstaat.",
        (
            *quantiles("waakhond_aggregator_processing_lag_seconds"),
            Series(
                quantile(0.95, "waakhond_aggregator_store_lag_seconds"),
                "p95 vanaf classificatie",
            ),
        ),
        "s",
        12,
    )
    panels.add(
        "Intake: ontvangen, geaccepteerd en geweigerd",
        "Signalen per seconde: ontvangen per endpoint, geaccepteerd (door Kafka bevestigd "
        "en met 202 beantwoord) en geweigerd per reden.",
        (
            Series(
                rate("waakhond_intake_signals_received_total", "endpoint"),
                "ontvangen: {{endpoint}}",
            ),
            Series(rate("waakhond_intake_signals_accepted_total"), "geaccepteerd"),
            Series(
                rate("waakhond_intake_signals_rejected_total", "reason"),
                "geweigerd: {{reason}}",
            ),
        ),
        PER_SECOND,
        12,
    )
    panels.add(
        "Intake: publicatietijd naar Kafka",
        "Tijd van verzenden tot de bevestiging van Kafka (p50, p95, p99). Een intake-"
        "verzoek wacht hierop voordat het 202 antwoordt.",
        quantiles("waakhond_intake_publish_seconds"),
        "s",
        12,
    )
    panels.add(
        "Intake: vervangen persoonsgegevens per soort",
        "Herkenbare gegevens (namen, adressen, nummers) die intake per seconde vervangt "
        "voordat een signaal wordt doorgestuurd, per soort.",
        (
            Series(
                rate("waakhond_intake_redactions_total", "kind"),
                "{{kind}}",
            ),
        ),
        PER_SECOND,
        12,
    )
    panels.add(
        "Classificatie: signalen per categorie",
        "Toegekende categorieën per seconde. Een signaal kan meerdere categorieën krijgen, "
        "dus de lijnen tellen niet op tot het aantal signalen.",
        (Series(rate("waakhond_classifier_signals_classified_total", "label"), "{{label}}"),),
        PER_SECOND,
        12,
    )
    # The label counter counts a signal once per label, so the denominator is the
    # messages classified: all messages of the batches minus those dead-lettered.
    classified = (
        f"({rate('waakhond_classifier_batch_size_sum')}"
        f" - {rate('waakhond_classifier_dead_lettered_total')})"
    )
    panels.add(
        "Classificatie: aandeel ter beoordeling",
        "Deel van de geclassificeerde signalen dat het model te onzeker vond en dat ter "
        "beoordeling door een mens is gemarkeerd.",
        (
            Series(
                f"{rate('waakhond_classifier_needs_review_total')} / {classified}",
                "ter beoordeling",
            ),
        ),
        "percentunit",
        12,
        decimals=1,
        max_value=1,
    )
    panels.add(
        "Dode brieven per stap en reden",
        "Berichten per seconde die niet verwerkt konden worden en naar signals.deadletter "
        "zijn gestuurd: door de classificatie en door de opslag (per reden). Hoort 0 te "
        "zijn; elk bericht hier vraagt om onderzoek.",
        (
            Series(rate("waakhond_classifier_dead_lettered_total"), "classificatie"),
            Series(
                rate("waakhond_aggregator_dead_lettered_total", "reason"),
                "opslag: {{reason}}",
            ),
        ),
        PER_SECOND,
        12,
    )
    panels.add(
        "Opslag: signalen per seconde",
        "Signalen die de opslag per seconde in ClickHouse schrijft, en signalen die opnieuw "
        "binnenkwamen met andere categorieën (de eerste classificatie blijft staan).",
        (
            Series(rate("waakhond_aggregator_signals_stored_total"), "opgeslagen"),
            Series(
                rate("waakhond_aggregator_reclassifications_ignored_total"),
                "herclassificatie genegeerd",
            ),
        ),
        PER_SECOND,
        8,
    )
    panels.add(
        "Opslag: duur van een insert",
        "Duur van één insert van een batch in ClickHouse (p95).",
        (Series(quantile(0.95, "waakhond_aggregator_insert_seconds"), "p95"),),
        "s",
        8,
    )
    panels.add(
        "Opslag: open batch",
        "Berichten die de opslag gelezen maar nog niet opgeslagen en bevestigd heeft, per "
        "instantie. Blijft dit hoog, dan is ClickHouse traag of onbereikbaar.",
        (
            Series(
                "sum by (instance) (waakhond_aggregator_open_batch_messages)",
                "{{instance}}",
            ),
        ),
        "none",
        8,
        decimals=0,
    )
    panels.add(
        "Batchgrootte",
        "Gemiddeld aantal berichten per batch bij de classificatie en bij de opslag. Grote "
        "batches betekenen dat er een achterstand wordt weggewerkt.",
        (
            Series(average("waakhond_classifier_batch_size"), "classificatie"),
            Series(average("waakhond_aggregator_batch_size"), "opslag"),
        ),
        "none",
        8,
    )
    _review_panels(panels)
    jobs = "|".join(JOBS)
    panels.add(
        "Geheugengebruik per dienst",
        "Werkgeheugen (resident) van de processen, opgeteld per dienst.",
        (
            Series(
                f'sum by (job) (process_resident_memory_bytes{{job=~"{jobs}"}})',
                "{{job}}",
            ),
        ),
        "bytes",
        8,
    )
    panels.add(
        "Processorgebruik per dienst",
        "Processortijd per seconde, opgeteld per dienst (1 = één volle kern).",
        (
            Series(
                f'sum by (job) (rate(process_cpu_seconds_total{{job=~"{jobs}"}}[{RATE_WINDOW}]))',
                "{{job}}",
            ),
        ),
        "none",
        8,
        decimals=2,
    )
    return OperationsDashboard(AUDIENCE, UID, TITLE, builder.build(), panels.series)


def _review_panels(panels: _Panels) -> None:
    """The review page's loop: what waits, what people decide, and what that says about the
    model and about redaction. Every replica reads the same database, so ``max`` of the
    replicas' gauges is the figure."""
    panels.add(
        "Beoordeling: wachtrij",
        "Signalen die het model te onzeker vond en waarover nog niemand heeft beslist (van de "
        "laatste dagen, zie WAAKHOND_AGGREGATOR_REVIEW_BACKLOG_DAYS).",
        (Series("max(waakhond_aggregator_review_backlog_signals)", "wachtend"),),
        "none",
        8,
        decimals=0,
    )
    panels.add(
        "Beoordeling: oudste in de wachtrij",
        "Hoe lang het oudste signaal in de wachtrij al is opgeslagen.",
        (Series("max(waakhond_aggregator_review_backlog_oldest_age_seconds)", "oudste"),),
        "s",
        8,
    )
    panels.add(
        "Beoordeling: besluiten per dag",
        "Besluiten van beoordelaars die de opslag verwerkte, omgerekend naar een tempo per "
        "dag: toegepast (hun categorieën tellen nu mee) of overruled (een besluit van een "
        "coördinator of een later besluit staat).",
        (
            Series(
                f"{rate('waakhond_aggregator_review_decisions_consumed_total', 'result')} * 86400",
                "{{result}}",
            ),
        ),
        "none",
        8,
        decimals=0,
    )
    panels.add(
        "Model tegen beoordelaars: precisie per categorie",
        "Van de beoordeelde signalen waaraan het model deze categorie gaf: het deel waarbij "
        "mensen haar lieten staan. 'onzeker': signalen die ter beoordeling waren gemarkeerd; "
        "'zeker': de steekproef van zekere signalen, de eerlijkste schatting.",
        (
            Series(
                "max by (category, scope) (waakhond_aggregator_model_precision)",
                "{{category}} ({{scope}})",
            ),
        ),
        "percentunit",
        12,
        decimals=2,
        max_value=1,
    )
    panels.add(
        "Model tegen beoordelaars: recall per categorie",
        "Van de beoordeelde signalen waaraan mensen deze categorie gaven: het deel waarbij "
        "het model haar ook gaf.",
        (
            Series(
                "max by (category, scope) (waakhond_aggregator_model_recall)",
                "{{category}} ({{scope}})",
            ),
        ),
        "percentunit",
        12,
        decimals=2,
        max_value=1,
    )
    panels.add(
        "Overeenstemming tussen beoordelaars",
        "Van de signalen waarover twee of meer beoordelaars beslisten: het deel waarbij hun "
        "laatste besluiten dezelfde categorieën geven.",
        (
            Series(
                "max(waakhond_aggregator_review_reviewers_agreeing_signals) "
                "/ max(waakhond_aggregator_review_double_reviewed_signals)",
                "eens",
            ),
        ),
        "percentunit",
        8,
        decimals=2,
        max_value=1,
    )
    panels.add(
        "Privacy: gemiste identificerende gegevens",
        "Van de beoordeelde signalen: het deel waarin een beoordelaar identificerende "
        "gegevens vond die de redactie had laten staan (de tekst is daarna gewist).",
        (
            Series(
                "max(waakhond_aggregator_redaction_missed_signals) "
                "/ max(waakhond_aggregator_review_reviewed_signals)",
                "gemist",
            ),
        ),
        "percentunit",
        8,
        decimals=3,
        max_value=1,
    )
    panels.add(
        "Privacy: gemist per soort gegeven",
        "Beoordeelde signalen met een gemist gegeven van deze soort (een tekst kan meerdere "
        "soorten bevatten). Exporteer ze zonder tekst met `waakhond reviews misses`.",
        (Series("max by (kind) (waakhond_aggregator_redaction_misses)", "{{kind}}"),),
        "none",
        8,
        decimals=0,
    )

"""The aggregator service: Kafka consumer + trends API in one process.

On chDB only one process may open the data path, so the consumer and the read
API share the process and the client. Against a ClickHouse server the API can
run alone (``WAAKHOND_AGGREGATOR_CONSUME=false``) and scale on its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from clickhouse_connect.driver.client import Client
from fastapi import Depends, FastAPI
from prometheus_client import make_asgi_app

from waakhond_aggregator.api.auth import read_key_registry, require_read_key
from waakhond_aggregator.api.routes import health, reports, signal_status, trends
from waakhond_aggregator.api.routes.analytics import analytics_router
from waakhond_aggregator.core.config import AggregatorSettings
from waakhond_aggregator.review.config import ReviewSettings
from waakhond_aggregator.review.web import close_review_app, create_review_app
from waakhond_aggregator.storage.cells import CellRefresher, RefreshPolicy
from waakhond_aggregator.storage.client import connect
from waakhond_aggregator.storage.disclosure import (
    DisclosurePolicy,
    apply_text_retention,
    write_disclosure_policy,
)
from waakhond_aggregator.storage.migrate import apply_migrations
from waakhond_aggregator.storage.reference import store_region_reference
from waakhond_aggregator.storage.review import ReviewBacklogReader
from waakhond_aggregator.storage.sink import TrendStore
from waakhond_aggregator.streaming.consumer import AggregatorConsumer
from waakhond_aggregator.streaming.ledger import LedgerConsumer
from waakhond_contract.regions import load_region_reference
from waakhond_runtime.collector import settle_after_startup
from waakhond_runtime.http_metrics import RequestMetricsMiddleware
from waakhond_runtime.problems import install_problem_handlers
from waakhond_runtime.retry import StoppedWhileRetryingError
from waakhond_runtime.settings import ClickHouseSettings, KafkaSettings, TopicSettings

log = logging.getLogger(__name__)


def prepare_database(client: Client, database: str, settings: AggregatorSettings) -> None:
    """Migrations, the region reference, the disclosure policy and retention: safe at every
    start."""
    apply_migrations(client, database)
    store_region_reference(client, database, load_region_reference())
    policy = DisclosurePolicy(
        settings.disclosure_min_count, settings.disclosure_rounding_base, settings.disclosure_noise
    )
    write_disclosure_policy(client, database, policy)
    apply_text_retention(client, database, settings.text_retention_months)


class ConsumerThread:
    """Runs a consumer loop beside the API and stops it gracefully."""

    def __init__(
        self, consumer: AggregatorConsumer | LedgerConsumer, name: str = "aggregator-consumer"
    ) -> None:
        self.consumer = consumer
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            self.consumer.run(self._stop)
        except StoppedWhileRetryingError as error:
            log.warning("stopped while retrying %s; the open batch will be read again", error)
        except Exception:
            log.exception("aggregator consumer crashed")
            raise

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)


def create_app(
    settings: AggregatorSettings | None = None,
    clickhouse: ClickHouseSettings | None = None,
    kafka: KafkaSettings | None = None,
    topics: TopicSettings | None = None,
    client: Client | None = None,
    review: ReviewSettings | None = None,
) -> FastAPI:
    settings = settings or AggregatorSettings()
    review = review or ReviewSettings()
    clickhouse = clickhouse or ClickHouseSettings()
    kafka = kafka or KafkaSettings()
    topics = topics or TopicSettings()
    client = client or connect(clickhouse)
    prepare_database(client, clickhouse.database, settings)
    worker: ConsumerThread | None = None
    ledger: ConsumerThread | None = None
    refresher: CellRefresher | None = None
    if settings.consume:
        store = TrendStore(client, clickhouse.database)
        worker = ConsumerThread(
            AggregatorConsumer(store, load_region_reference(), settings, kafka, topics)
        )
        ledger = ConsumerThread(
            LedgerConsumer(store, settings, kafka, topics), name="aggregator-ledger"
        )
        refresher = CellRefresher(
            client,
            clickhouse.database,
            RefreshPolicy(quiet_seconds=settings.cells_quiet_seconds),
            settings.cells_refresh_seconds,
        )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # In every process, consuming or not: it only reads, and the alert takes the largest
        # value any replica reports. A thread per lifespan, since a thread starts only once.
        backlog = ReviewBacklogReader(
            client,
            clickhouse.database,
            settings.review_backlog_days,
            settings.review_backlog_refresh_seconds,
        )
        backlog.start()
        if worker and ledger and refresher:
            worker.start()
            ledger.start()
            refresher.start()
        yield
        if worker and ledger and refresher:
            refresher.stop()
            worker.stop()
            ledger.stop()
        backlog.stop()
        if review_app is not None:
            close_review_app(review_app)

    app = FastAPI(
        title="Waakhond trends",
        version="1",
        summary="Weekly signal trends per region level and category.",
        lifespan=lifespan,
    )
    app.state.clickhouse = client
    app.state.database = clickhouse.database
    app.state.consumer = worker
    app.state.stuck_after_seconds = settings.stuck_after_seconds
    install_problem_handlers(app)
    # Read keys per audience on the /v1 routes when a keys file is configured (api/auth.py);
    # without one the routes, and their OpenAPI description, stay open.
    app.state.read_keys = read_key_registry()
    read_key = [Depends(require_read_key)] if app.state.read_keys is not None else []
    app.include_router(trends.router, dependencies=read_key)
    app.include_router(analytics_router, dependencies=read_key)
    app.include_router(reports.router, dependencies=read_key)
    app.include_router(health.router)
    # Served even without a token (they answer 503 then), so intake, pointed here, reports a
    # missing token as unavailable rather than every signal as unknown (a 404).
    app.state.status_token = (
        settings.status_token.get_secret_value() if settings.status_token else None
    )
    app.include_router(signal_status.router)
    app.mount("/metrics", make_asgi_app())
    review_app = (
        create_review_app(review, client, clickhouse.database, kafka, topics.reviewed)
        if review.enabled
        else None
    )
    if review_app is not None:
        app.mount("/review", review_app)
    app.add_middleware(RequestMetricsMiddleware)
    return app


def run(settings: AggregatorSettings | None = None) -> None:
    settings = settings or AggregatorSettings()
    app = create_app(settings)
    settle_after_startup()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )


def migrate() -> list[int]:
    clickhouse = ClickHouseSettings()
    client = connect(clickhouse)
    applied = apply_migrations(client, clickhouse.database)
    prepare_database(client, clickhouse.database, AggregatorSettings())
    return applied

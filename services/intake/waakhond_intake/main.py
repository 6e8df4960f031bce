"""The intake service: ``create_app`` for tests and embedding, ``run`` for the command line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from prometheus_client import make_asgi_app

from waakhond_intake.api.routes import health, imports, signal_status, signals, vocabularies
from waakhond_intake.auth.keys import KeyRegistry
from waakhond_intake.core.audit import RefusalAuditMiddleware
from waakhond_intake.core.body_limit import BodySizeLimitMiddleware
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.core.rate_limit import RateLimitPolicy, SignalRateLimiter
from waakhond_intake.form.web import create_form_app
from waakhond_intake.processing.privacy import shared_redactor
from waakhond_intake.status.client import SignalStatusClient, StatusUnavailableError
from waakhond_intake.streaming.publisher import ProducerPolicy, SignalPublisher
from waakhond_runtime.http_metrics import RequestMetricsMiddleware
from waakhond_runtime.problems import install_problem_handlers
from waakhond_runtime.settings import KafkaSettings, TopicSettings

log = logging.getLogger(__name__)


def create_app(
    settings: IntakeSettings | None = None,
    kafka: KafkaSettings | None = None,
    topics: TopicSettings | None = None,
) -> FastAPI:
    settings = settings or IntakeSettings()
    kafka = kafka or KafkaSettings()
    topics = topics or TopicSettings()
    publisher = SignalPublisher(
        kafka,
        topics.submitted,
        ProducerPolicy(delivery_timeout_seconds=settings.delivery_timeout_seconds),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Loading the Dutch name and street lists takes seconds: before serving, not per request.
        app.state.redactor = await asyncio.to_thread(shared_redactor)
        publisher.start()
        log.info("intake listening; %d active API keys", app.state.key_registry.active_key_count)
        yield
        publisher.close()

    app = FastAPI(
        title="Waakhond intake",
        version="1",
        summary="Accepts anonymised signals from client-support organisations.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.publisher = publisher
    app.state.topics = topics
    status_client = (
        SignalStatusClient(
            settings.status_url,
            settings.status_token.get_secret_value() if settings.status_token else "",
            settings.status_timeout_seconds,
        )
        if settings.status_url
        else None
    )
    app.state.status_client = status_client
    app.state.key_registry = KeyRegistry(settings.api_keys_file)
    app.state.limiter = SignalRateLimiter(
        RateLimitPolicy(settings.rate_limit_signals_per_second, settings.rate_limit_burst)
    )
    install_problem_handlers(app)
    app.add_exception_handler(StatusUnavailableError, signal_status.status_unavailable)
    app.include_router(signals.router)
    app.include_router(signal_status.router)
    app.include_router(vocabularies.router)
    app.include_router(imports.router)
    app.include_router(health.router)
    app.mount("/metrics", make_asgi_app())
    # Its own app: the form's session cookie and HTML error pages stay on /formulier.
    app.mount("/formulier", create_form_app(app, settings))
    app.add_middleware(
        BodySizeLimitMiddleware,
        default_limit=settings.max_body_bytes,
        limits={
            "/v1/signals/batch": settings.max_batch_body_bytes,
            "/v1/imports": settings.max_import_bytes,
        },
    )
    # Added after the body limit, so they see its refusals too; metrics outermost.
    app.add_middleware(RefusalAuditMiddleware)
    app.add_middleware(RequestMetricsMiddleware)
    return app


def run(settings: IntakeSettings | None = None) -> None:
    settings = settings or IntakeSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )

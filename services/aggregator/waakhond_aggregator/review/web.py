"""The review page: a FastAPI app of server-rendered Dutch pages, mounted on ``/review`` of
the aggregator.

Its own app, so that its session cookie, its HTML error pages and its security headers stay
on its own paths and do not touch the trends API. Every handler that reads ClickHouse or
publishes is synchronous: FastAPI runs it in its thread pool, beside the chDB lock and the
producer's blocking acknowledgement.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clickhouse_connect.driver.client import Client
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from waakhond_aggregator.labels import CATEGORY_LABELS, DIMENSION_LABELS, DIMENSION_VALUE_LABELS
from waakhond_aggregator.metrics import REVIEW_DECISIONS, REVIEW_SIGN_INS_REFUSED
from waakhond_aggregator.review import texts
from waakhond_aggregator.review.accounts import AccountRegistry, Reviewer
from waakhond_aggregator.review.audit import AuditAction, audit
from waakhond_aggregator.review.config import ReviewSettings
from waakhond_aggregator.review.handled import RecentlyHandled
from waakhond_aggregator.review.oidc import ClaimsRefusedError, oidc_client, reviewer_from_claims
from waakhond_aggregator.review.publisher import DecisionPublisher, PublishError
from waakhond_aggregator.review.queue import (
    read_decisions,
    read_disagreements,
    read_queue,
    read_signal,
)
from waakhond_contract.messages import ReviewerRole, ReviewOutcome, SignalReviewed
from waakhond_contract.vocabularies import Category, PiiKind
from waakhond_runtime.settings import KafkaSettings
from waakhond_runtime.signin_limit import SignInLimiter

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
SESSION_COOKIE = "waakhond_review"
CSRF_FIELD = "csrf_token"
# A decision stays out of its reviewer's queue this long, or until the aggregator has
# applied it, whichever comes first.
DECIDED_HIDDEN_SECONDS = 600.0
CATEGORY_KEYS: dict[str, str] = {str(index + 1): c.value for index, c in enumerate(Category)}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Pages carry signal texts: no copy in any cache.
    "Cache-Control": "no-store",
}


class SignInRequiredError(Exception):
    """No valid session: a page asks to sign in, a form post is refused."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "none", "expired" or "disabled"


class CsrfRefusedError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ReviewContext:
    settings: ReviewSettings
    client: Client
    database: str
    accounts: AccountRegistry
    limiter: SignInLimiter
    handled: RecentlyHandled
    publisher: DecisionPublisher
    templates: Jinja2Templates
    oidc: Any


def _context(request: Request) -> ReviewContext:
    context: ReviewContext = request.app.state.review
    return context


def _path(request: Request, name: str, **params: Any) -> str:
    return request.url_for(name, **params).path


def _render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    context = _context(request)
    session = request.session
    return context.templates.TemplateResponse(
        request,
        template,
        {
            "csrf_token": _csrf_token(request),
            "signed_in": "reviewer_id" in session,
            "role_label": texts.ROLE_LABELS.get(session.get("role", ""), ""),
            "reviewer_id": session.get("reviewer_id"),
            "path": lambda name, **params: _path(request, name, **params),
            **values,
        },
        status_code=status_code,
        headers=headers,
    )


def _csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def _check_csrf(request: Request, form: Any) -> None:
    expected = request.session.get("csrf")
    presented = form.get(CSRF_FIELD)
    if (
        not isinstance(expected, str)
        or not isinstance(presented, str)
        or not hmac.compare_digest(expected.encode(), presented.encode())
    ):
        raise CsrfRefusedError


def _start_session(request: Request, reviewer: Reviewer, source: str) -> None:
    now = time.time()
    request.session.clear()
    request.session.update(
        {
            "source": source,
            "username": reviewer.username,
            "reviewer_id": reviewer.reviewer_id,
            "role": reviewer.role.value,
            "organisations": list(reviewer.organisations),
            "started": now,
            "seen": now,
            "csrf": secrets.token_urlsafe(32),
        }
    )


def current_reviewer(request: Request) -> Reviewer:
    """The signed-in reviewer, after the session's age, idleness and (for local accounts)
    the account's state are checked; the session ends when any fails."""
    context = _context(request)
    session = request.session
    if "reviewer_id" not in session:
        # Said once, on the next page after the session ended.
        raise SignInRequiredError(str(session.pop("ended", "none")))
    now = time.time()
    who = str(session["reviewer_id"])
    if (
        now - float(session.get("started", 0)) > context.settings.session_max_age_seconds
        or now - float(session.get("seen", 0)) > context.settings.session_idle_seconds
    ):
        session.clear()
        session["ended"] = "expired"
        audit(AuditAction.SESSION_EXPIRED, who)
        raise SignInRequiredError("expired")
    if session.get("source") == "local":
        reviewer = context.accounts.active(str(session.get("username")))
        if reviewer is None or reviewer.reviewer_id != who:
            session.clear()
            session["ended"] = "disabled"
            audit(AuditAction.REFUSED, who, reason="account_disabled")
            raise SignInRequiredError("disabled")
    else:
        reviewer = Reviewer(
            username=str(session["username"]),
            reviewer_id=who,
            role=ReviewerRole(session["role"]),
            organisations=tuple(session.get("organisations", [])),
        )
    session["seen"] = now
    return reviewer


def _signal_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise HTTPException(404) from None


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_review_app(
    settings: ReviewSettings,
    client: Client,
    database: str,
    kafka: KafkaSettings,
    reviewed_topic: str,
) -> FastAPI:
    secret = (
        settings.session_secret.get_secret_value()
        if settings.session_secret is not None
        else secrets.token_urlsafe(32)
    )
    if settings.session_secret is None:
        log.warning(
            "WAAKHOND_REVIEW_SESSION_SECRET is not set: sessions are signed with a key of this "
            "process and end at its restart"
        )
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        category_labels=CATEGORY_LABELS,
        category_keys=CATEGORY_KEYS,
        category_definitions=texts.CATEGORY_DEFINITIONS,
        borderline_note=texts.BORDERLINE_NOTE,
        dimension_labels=DIMENSION_LABELS,
        dimension_value_labels=DIMENSION_VALUE_LABELS,
        pii_kind_labels=texts.PII_KIND_LABELS,
        review_reason_labels=texts.REVIEW_REASON_LABELS,
        sample_reason=texts.SAMPLE_REASON,
        role_labels=texts.ROLE_LABELS,
        outcome_labels=texts.OUTCOME_LABELS,
        label_source_labels=texts.LABEL_SOURCE_LABELS,
    )
    publisher = DecisionPublisher(kafka, reviewed_topic, settings.publish_timeout_seconds)
    context = ReviewContext(
        settings=settings,
        client=client,
        database=database,
        accounts=AccountRegistry(settings.accounts_file),
        limiter=SignInLimiter(settings.sign_in_max_failures, settings.sign_in_window_seconds),
        handled=RecentlyHandled(),
        publisher=publisher,
        templates=templates,
        oidc=oidc_client(settings) if settings.oidc_enabled else None,
    )

    app = FastAPI(title="Waakhond beoordelen", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.review = context
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_error_pages(app)
    _add_routes(app)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    return app


def close_review_app(app: FastAPI) -> None:
    """A mounted app gets no lifespan of its own: the aggregator's calls this at shutdown."""
    context: ReviewContext = app.state.review
    context.publisher.close()


def _install_error_pages(app: FastAPI) -> None:
    async def sign_in_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequiredError)
        if request.method in ("GET", "HEAD"):
            target = _path(request, "login_form")
            if error.reason != "none":
                target += f"?reden={error.reason}"
            return RedirectResponse(target, status_code=303)
        return _render(
            request,
            "error.html",
            403,
            title="Sessie verlopen",
            message="Uw sessie is verlopen of beëindigd. Er is niets opgeslagen. Log opnieuw "
            "in en probeer het nog eens.",
        )

    async def csrf_refused(request: Request, _: Exception) -> Response:
        audit(AuditAction.REFUSED, request.session.get("reviewer_id"), reason="csrf")
        return _render(
            request,
            "error.html",
            403,
            title="Formulier geweigerd",
            message="Dit formulier kon niet worden gecontroleerd (het is verlopen of niet op "
            "deze pagina gemaakt). Er is niets opgeslagen. Laad de pagina opnieuw en probeer "
            "het nog eens.",
        )

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        pages = {
            404: ("Niet gevonden", "Deze pagina of dit signaal bestaat niet."),
            405: ("Niet toegestaan", "Deze actie kan hier niet."),
        }
        title, message = pages.get(
            error.status_code, ("Er ging iets mis", "Probeer het later opnieuw.")
        )
        return _render(request, "error.html", error.status_code, title=title, message=message)

    app.add_exception_handler(SignInRequiredError, sign_in_required)
    app.add_exception_handler(CsrfRefusedError, csrf_refused)
    app.add_exception_handler(HTTPException, http_error)


def _add_routes(app: FastAPI) -> None:
    @app.get("/", name="home")
    def home(request: Request) -> Response:
        current_reviewer(request)
        return RedirectResponse(_path(request, "queue"), status_code=303)

    @app.get("/login", name="login_form")
    def login_form(request: Request, reden: str = "") -> Response:
        messages = {
            "expired": "Uw sessie is verlopen. Log opnieuw in.",
            "disabled": "Uw account is uitgeschakeld of bestaat niet meer.",
            "signed_out": "U bent uitgelogd.",
        }
        return _render(
            request,
            "login.html",
            notice=messages.get(reden),
            oidc_label=_context(request).settings.oidc_label
            if _context(request).oidc is not None
            else None,
        )

    @app.post("/login", name="login")
    async def login(request: Request) -> Response:
        context = _context(request)
        form = await request.form()
        _check_csrf(request, form)
        username = str(form.get("username", "")).strip().lower()
        password = str(form.get("password", ""))
        keys = (f"user:{username}", f"address:{_client_address(request)}")
        wait = context.limiter.retry_after(*keys)
        if wait is not None:
            REVIEW_SIGN_INS_REFUSED.labels("rate_limited").inc()
            audit(AuditAction.REFUSED, None, reason="sign_in_rate_limited")
            minutes = max(1, round(wait / 60))
            return _render(
                request,
                "error.html",
                429,
                headers={"Retry-After": str(wait)},
                title="Te veel pogingen",
                message="Er is te vaak een verkeerd wachtwoord ingevuld. Probeer het over "
                f"{minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw.",
            )
        # argon2 takes tens of milliseconds: off the event loop.
        reviewer = await run_in_threadpool(context.accounts.authenticate, username, password)
        if reviewer is None:
            context.limiter.failed(*keys)
            REVIEW_SIGN_INS_REFUSED.labels("failed").inc()
            audit(AuditAction.SIGN_IN_FAILED, None)
            return _render(
                request,
                "login.html",
                401,
                error="Gebruikersnaam of wachtwoord is onjuist.",
                username=username,
                oidc_label=context.settings.oidc_label if context.oidc is not None else None,
            )
        context.limiter.succeeded(keys[0])
        _start_session(request, reviewer, "local")
        audit(AuditAction.SIGNED_IN, reviewer.reviewer_id, reason="local")
        return RedirectResponse(_path(request, "queue"), status_code=303)

    @app.get("/oidc/login", name="oidc_login")
    async def oidc_login(request: Request) -> Response:
        oidc = _context(request).oidc
        if oidc is None:
            raise HTTPException(404)
        redirect: Response = await oidc.authorize_redirect(
            request, str(request.url_for("oidc_callback"))
        )
        return redirect

    @app.get("/oidc/callback", name="oidc_callback")
    async def oidc_callback(request: Request) -> Response:
        context = _context(request)
        if context.oidc is None:
            raise HTTPException(404)
        from authlib.integrations.base_client import OAuthError

        try:
            token = await context.oidc.authorize_access_token(request)
            claims = token.get("userinfo") or await context.oidc.userinfo(token=token)
            reviewer = reviewer_from_claims(claims, context.settings)
        except (OAuthError, ClaimsRefusedError) as error:
            log.warning("OIDC sign-in refused: %s", error)
            audit(AuditAction.SIGN_IN_FAILED, None, reason="oidc")
            return _render(
                request,
                "error.html",
                403,
                title="Inloggen niet gelukt",
                message="Uw organisatie heeft u aangemeld, maar u heeft (nog) geen rol als "
                "beoordelaar of coördinator in Waakhond, of het inloggen is onderbroken. "
                "Neem contact op met uw beheerder.",
            )
        _start_session(request, reviewer, "oidc")
        audit(AuditAction.SIGNED_IN, reviewer.reviewer_id, reason="oidc")
        return RedirectResponse(_path(request, "queue"), status_code=303)

    @app.post("/logout", name="logout")
    async def logout(request: Request) -> Response:
        form = await request.form()
        _check_csrf(request, form)
        who = request.session.get("reviewer_id")
        request.session.clear()
        if who:
            audit(AuditAction.SIGNED_OUT, str(who))
        return RedirectResponse(_path(request, "login_form") + "?reden=signed_out", 303)

    @app.get("/queue", name="queue")
    def queue(request: Request, klaar: int = 0) -> Response:
        context = _context(request)
        reviewer = current_reviewer(request)
        items = read_queue(
            context.client,
            context.database,
            reviewer,
            context.settings.sample_rate,
            context.settings.queue_page_size,
            context.handled.of(reviewer.reviewer_id),
        )
        disagreements = (
            read_disagreements(context.client, context.database, context.settings.queue_page_size)
            if reviewer.role is ReviewerRole.COORDINATOR
            else []
        )
        audit(AuditAction.VIEWED_QUEUE, reviewer.reviewer_id)
        return _render(
            request,
            "queue.html",
            items=items,
            disagreements=disagreements,
            reviewer=reviewer,
            all_done=bool(klaar) and not items,
        )

    @app.get("/next", name="next_item")
    def next_item(request: Request) -> Response:
        context = _context(request)
        reviewer = current_reviewer(request)
        items = read_queue(
            context.client,
            context.database,
            reviewer,
            context.settings.sample_rate,
            1,
            context.handled.of(reviewer.reviewer_id),
        )
        if not items:
            return RedirectResponse(_path(request, "queue") + "?klaar=1", status_code=303)
        return RedirectResponse(
            _path(request, "signal", signal_id=str(items[0].signal_id)), status_code=303
        )

    @app.get("/signals/{signal_id}", name="signal")
    def signal(request: Request, signal_id: str) -> Response:
        context = _context(request)
        reviewer = current_reviewer(request)
        found = read_signal(context.client, context.database, reviewer, _signal_id(signal_id))
        if found is None:
            audit(AuditAction.REFUSED, reviewer.reviewer_id, reason="not_found")
            raise HTTPException(404)
        decisions = (
            read_decisions(context.client, context.database, found.signal_id)
            if reviewer.role is ReviewerRole.COORDINATOR or found.label_source == "review"
            else []
        )
        audit(AuditAction.VIEWED_SIGNAL, reviewer.reviewer_id, signal_id=found.signal_id)
        return _render(
            request,
            "signal.html",
            signal=found,
            decisions=decisions,
            reviewer=reviewer,
            categories=[c.value for c in Category],
            pii_kinds=[k.value for k in PiiKind],
            chosen=None,
        )

    @app.post("/signals/{signal_id}", name="decide")
    async def decide(request: Request, signal_id: str) -> Response:
        form = await request.form()
        return await run_in_threadpool(_decide, request, signal_id, form)


def _decide(request: Request, raw_signal_id: str, form: Any) -> Response:
    context = _context(request)
    reviewer = current_reviewer(request)
    _check_csrf(request, form)
    found = read_signal(context.client, context.database, reviewer, _signal_id(raw_signal_id))
    if found is None:
        audit(AuditAction.REFUSED, reviewer.reviewer_id, reason="not_found")
        raise HTTPException(404)
    action = form.get("action")
    if action == "skip":
        context.handled.add(
            reviewer.reviewer_id, found.signal_id, context.settings.session_max_age_seconds
        )
        audit(AuditAction.SKIPPED, reviewer.reviewer_id, signal_id=found.signal_id)
        return RedirectResponse(_path(request, "next_item"), status_code=303)
    if action not in ("confirm", "identifying"):
        return _decision_refused(
            request,
            found,
            reviewer,
            "Kies een actie: bevestigen, overslaan of 'bevat identificerende gegevens'.",
            form,
        )
    outcome = ReviewOutcome.LABELLED
    if action == "identifying":
        outcome = ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
    kinds = [str(kind) for kind in form.getlist("identifying_kinds")]
    if outcome is ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS and not kinds:
        return _decision_refused(
            request,
            found,
            reviewer,
            "Geef aan welke identificerende gegevens de tekst bevat.",
            form,
        )
    try:
        # The version on the page the reviewer read: if the organisation corrected the
        # signal since, the aggregator keeps the decision without applying it.
        seen_version = int(str(form.get("version", found.version)))
        decision = SignalReviewed(
            decision_id=uuid.uuid4(),
            signal_id=found.signal_id,
            organisation_id=found.organisation_id,
            version=seen_version,
            outcome=outcome,
            labels=[Category(str(value)) for value in form.getlist("labels")],
            identifying_kinds=[PiiKind(kind) for kind in kinds]
            if outcome is ReviewOutcome.CONTAINS_IDENTIFYING_DETAILS
            else [],
            reviewer=reviewer.reviewer_id,
            role=reviewer.role,
            decided_at=dt.datetime.now(dt.UTC),
            reviewed_model_version=found.model_version,
        )
    except (ValueError, ValidationError):
        return _decision_refused(request, found, reviewer, "Deze keuze is niet geldig.", form)
    try:
        context.publisher.publish(decision)
    except PublishError as error:
        log.error("review decision not published: %s", error)
        return _render(
            request,
            "error.html",
            503,
            headers={"Retry-After": "10"},
            title="Niet opgeslagen",
            message="Uw beslissing kon nu niet worden opgeslagen. Ga terug en probeer het over "
            "een moment opnieuw.",
        )
    REVIEW_DECISIONS.labels(reviewer.role.value, outcome.value).inc()
    context.handled.add(reviewer.reviewer_id, found.signal_id, DECIDED_HIDDEN_SECONDS)
    audit(
        AuditAction.DECIDED,
        reviewer.reviewer_id,
        signal_id=found.signal_id,
        outcome=outcome.value,
    )
    return RedirectResponse(_path(request, "next_item"), status_code=303)


def _decision_refused(
    request: Request, found: Any, reviewer: Reviewer, message: str, form: Any
) -> HTMLResponse:
    """The item again, with the reviewer's own choices and what to correct (422)."""
    context = _context(request)
    decisions = (
        read_decisions(context.client, context.database, found.signal_id)
        if reviewer.role is ReviewerRole.COORDINATOR
        else []
    )
    return _render(
        request,
        "signal.html",
        422,
        signal=found,
        decisions=decisions,
        reviewer=reviewer,
        categories=[c.value for c in Category],
        pii_kinds=[k.value for k in PiiKind],
        chosen=[str(value) for value in form.getlist("labels")],
        kinds_open=form.get("action") == "identifying",
        error=message,
    )

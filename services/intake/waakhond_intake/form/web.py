"""The form's app, mounted on ``/formulier`` of intake: its own session cookie, HTML error
pages and security headers stay on its own paths and do not touch the API.

A submission takes the path of ``POST /v1/signals``: the contract validates it,
``prepare_all`` redacts it and ``publish_timed`` publishes it with intake's own publisher,
within the organisation's rate limit, and the audit log gets the same line.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from waakhond_contract.messages import DESCRIPTION_MAX_CHARS
from waakhond_intake.api.submitting import prepare_all, publish_timed
from waakhond_intake.auth.keys import KeyRegistry, Organisation
from waakhond_intake.core.audit import audit
from waakhond_intake.core.config import IntakeSettings
from waakhond_intake.core.rate_limit import SignalRateLimiter
from waakhond_intake.form import fields
from waakhond_intake.form.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    CsrfRefusedError,
    SessionPolicy,
    SignInRequiredError,
    check_csrf,
    csrf_token,
    signed_in,
    start_session,
)
from waakhond_intake.form.texts import kind_label
from waakhond_intake.metrics import SIGNALS_ACCEPTED, SIGNALS_RECEIVED, SIGNALS_REJECTED
from waakhond_intake.processing.privacy import Redactor
from waakhond_intake.processing.submissions import PreparedSignal
from waakhond_intake.streaming.publisher import BrokerUnavailableError, SignalPublisher
from waakhond_runtime.signin_limit import SignInLimiter

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
SESSION_COOKIE = "waakhond_formulier"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Pages carry signal texts: no copy in any cache.
    "Cache-Control": "no-store",
}
_SIGN_IN_NOTICES = {
    "verlopen": "Uw sessie is verlopen. Log opnieuw in.",
    "uitgelogd": "U bent uitgelogd.",
}


@dataclass(frozen=True, slots=True)
class FormContext:
    """What the form shares with intake (read from its app's state at each request: the
    redactor is loaded in intake's lifespan) and what is its own."""

    intake: FastAPI
    templates: Jinja2Templates
    policy: SessionPolicy
    sign_ins: SignInLimiter

    @property
    def settings(self) -> IntakeSettings:
        settings: IntakeSettings = self.intake.state.settings
        return settings

    @property
    def keys(self) -> KeyRegistry:
        keys: KeyRegistry = self.intake.state.key_registry
        return keys

    @property
    def redactor(self) -> Redactor:
        redactor: Redactor = self.intake.state.redactor
        return redactor

    @property
    def publisher(self) -> SignalPublisher:
        publisher: SignalPublisher = self.intake.state.publisher
        return publisher

    @property
    def limiter(self) -> SignalRateLimiter:
        limiter: SignalRateLimiter = self.intake.state.limiter
        return limiter


def _context(request: Request) -> FormContext:
    context: FormContext = request.app.state.form
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
    session = request.session
    return _context(request).templates.TemplateResponse(
        request,
        template,
        {
            "csrf_token": csrf_token(session),
            "organisation_id": session.get("organisation_id"),
            "path": lambda name, **params: _path(request, name, **params),
            **values,
        },
        status_code=status_code,
        headers=headers,
    )


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_form_app(intake: FastAPI, settings: IntakeSettings) -> FastAPI:
    secret = (
        settings.form_session_secret.get_secret_value()
        if settings.form_session_secret is not None
        else secrets.token_urlsafe(32)
    )
    if settings.form_session_secret is None:
        log.warning(
            "WAAKHOND_INTAKE_FORM_SESSION_SECRET is not set: form sessions are signed with a "
            "key of this process and end at its restart"
        )
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        field_labels=fields.FIELD_LABELS,
        kind_label=kind_label,
        description_max=DESCRIPTION_MAX_CHARS,
    )
    app = FastAPI(title="Waakhond formulier", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.form = FormContext(
        intake=intake,
        templates=templates,
        policy=SessionPolicy(
            settings.form_session_max_age_seconds, settings.form_session_idle_seconds
        ),
        sign_ins=SignInLimiter(
            settings.form_sign_in_max_failures, settings.form_sign_in_window_seconds
        ),
    )
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
        max_age=settings.form_session_max_age_seconds,
        path="/formulier",
        same_site="strict",
        https_only=settings.form_cookie_secure,
    )
    return app


def _install_error_pages(app: FastAPI) -> None:
    async def sign_in_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequiredError)
        if request.url.path.endswith("/voorbeeld"):
            return JSONResponse({"error": "sign_in_required"}, status_code=401)
        if request.method in ("GET", "HEAD"):
            target = _path(request, "sign_in_page")
            if error.reason == "expired":
                target += "?reden=verlopen"
            return RedirectResponse(target, status_code=303)
        return _render(
            request,
            "error.html",
            403,
            title="Sessie verlopen",
            message="Uw sessie is verlopen of beëindigd. Er is niets verstuurd. Log opnieuw "
            "in en vul het formulier nog eens in.",
        )

    async def csrf_refused(request: Request, _: Exception) -> Response:
        if request.url.path.endswith("/voorbeeld"):
            return JSONResponse({"error": "csrf"}, status_code=403)
        return _render(
            request,
            "error.html",
            403,
            title="Formulier geweigerd",
            message="Dit formulier kon niet worden gecontroleerd (het is verlopen of niet op "
            "deze pagina gemaakt). Er is niets verstuurd. Laad de pagina opnieuw en probeer "
            "het nog eens.",
        )

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        pages = {
            404: ("Niet gevonden", "Deze pagina bestaat niet."),
            405: ("Niet toegestaan", "Deze actie kan hier niet."),
        }
        title, message = pages.get(
            error.status_code, ("Er ging iets mis", "Probeer het later opnieuw.")
        )
        return _render(request, "error.html", error.status_code, title=title, message=message)

    app.add_exception_handler(SignInRequiredError, sign_in_required)
    app.add_exception_handler(CsrfRefusedError, csrf_refused)
    app.add_exception_handler(HTTPException, http_error)


def _form_page(
    request: Request,
    values: dict[str, Any],
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HTMLResponse:
    day = fields.today()
    return _render(
        request,
        "form.html",
        status_code,
        headers,
        options=fields.options(day),
        today=day.isoformat(),
        values=values,
        errors=errors or {},
        summary=fields.ordered(errors or {}),
        **extra,
    )


def _add_routes(app: FastAPI) -> None:
    @app.get("/inloggen", name="sign_in_page")
    async def sign_in_page(request: Request, reden: str = "") -> Response:
        return _render(request, "sign_in.html", notice=_SIGN_IN_NOTICES.get(reden))

    @app.post("/inloggen", name="sign_in")
    async def sign_in(request: Request) -> Response:
        context = _context(request)
        form = await request.form()
        check_csrf(request.session, form.get(CSRF_FIELD))
        address = _client_address(request)
        wait = context.sign_ins.retry_after(address)
        if wait is not None:
            minutes = max(1, round(wait / 60))
            return _render(
                request,
                "error.html",
                429,
                headers={"Retry-After": str(wait)},
                title="Te veel pogingen",
                message="Er is te vaak een verkeerde sleutel ingevuld. Probeer het over "
                f"{minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw.",
            )
        token = str(form.get("api_key", "")).strip()
        organisation = context.keys.authenticate(token) if token else None
        if organisation is None:
            context.sign_ins.failed(address)
            audit("", "", "refused", reason="form_sign_in_failed")
            return _render(
                request,
                "sign_in.html",
                401,
                error="Deze sleutel is onjuist of ingetrokken. Controleer de sleutel en "
                "probeer het opnieuw.",
            )
        start_session(request.session, organisation)
        audit(organisation.organisation_id, organisation.key_id, "form_signed_in")
        return RedirectResponse(_path(request, "form_page"), status_code=303)

    @app.post("/uitloggen", name="sign_out")
    async def sign_out(request: Request) -> Response:
        form = await request.form()
        check_csrf(request.session, form.get(CSRF_FIELD))
        request.session.clear()
        return RedirectResponse(_path(request, "sign_in_page") + "?reden=uitgelogd", 303)

    @app.get("/", name="form_page")
    async def form_page(request: Request) -> Response:
        signed_in(request.session, _context(request).policy)
        return _form_page(request, {"client_ref": fields.new_client_ref(fields.today())})

    @app.post("/", name="submit")
    async def submit(request: Request) -> Response:
        context = _context(request)
        organisation = signed_in(request.session, context.policy)
        form = await request.form()
        check_csrf(request.session, form.get(CSRF_FIELD))
        values = fields.read_form(form, form.getlist)
        SIGNALS_RECEIVED.labels("form").inc()
        checked = fields.validate(values)
        if isinstance(checked, dict):
            SIGNALS_REJECTED.labels("invalid").inc()
            audit(organisation.organisation_id, organisation.key_id, "refused", reason="invalid")
            return _form_page(request, values, 422, checked)
        if context.limiter.acquire(organisation.organisation_id, 1):
            SIGNALS_REJECTED.labels("rate_limited").inc()
            audit(organisation.organisation_id, organisation.key_id, "rate_limited", reason="1")
            return _form_page(
                request,
                values,
                429,
                problem="Uw organisatie heeft zojuist te veel signalen verstuurd. Er is niets "
                "verstuurd; probeer het over een minuut opnieuw.",
            )
        (prepared,) = await asyncio.to_thread(
            prepare_all,
            [checked],
            organisation.organisation_id,
            context.redactor,
            False,
        )
        if not isinstance(prepared, PreparedSignal):
            SIGNALS_REJECTED.labels("identifying_details").inc()
            audit(
                organisation.organisation_id,
                organisation.key_id,
                "refused",
                reason=prepared[0].type,
            )
            return _form_page(request, values, 422, fields.refusal_errors(prepared))
        return await _publish(request, organisation, values, prepared)

    @app.post("/voorbeeld", name="preview")
    async def preview(request: Request) -> Response:
        """What redaction makes of a description, as the supporter types it. Counts nothing:
        the text is counted when it is submitted."""
        context = _context(request)
        signed_in(request.session, context.policy)
        check_csrf(request.session, request.headers.get(CSRF_HEADER))
        try:
            body = await request.json()
        except ValueError:
            body = None
        text = body.get("description") if isinstance(body, dict) else None
        if not isinstance(text, str) or len(text) > DESCRIPTION_MAX_CHARS:
            return JSONResponse({"error": "description"}, status_code=422)
        result = await asyncio.to_thread(context.redactor.redact, text)
        return JSONResponse(
            {
                "description": result.text,
                "removed": [
                    {
                        "kind": str(count.kind),
                        "label": kind_label(str(count.kind)),
                        "count": count.count,
                    }
                    for count in result.kind_counts()
                ],
            }
        )


async def _publish(
    request: Request,
    organisation: Organisation,
    values: dict[str, Any],
    prepared: PreparedSignal,
) -> Response:
    context = _context(request)
    try:
        (outcome,) = await publish_timed(context.publisher, [prepared.record])
    except BrokerUnavailableError:
        outcome = BrokerUnavailableError()
    if outcome is not None:
        SIGNALS_REJECTED.labels("broker_unavailable").inc()
        audit(organisation.organisation_id, organisation.key_id, "unavailable", prepared.signal_id)
        return _form_page(
            request,
            values,
            503,
            headers={"Retry-After": str(context.settings.retry_after_seconds)},
            problem="Het signaal kon nu niet worden opgeslagen; er is niets verstuurd. Probeer "
            "het over een moment opnieuw: met dezelfde referentie wordt het maar één keer "
            "geteld.",
        )
    SIGNALS_ACCEPTED.inc()
    audit(organisation.organisation_id, organisation.key_id, "accepted", prepared.signal_id)
    return _render(
        request,
        "done.html",
        signal_id=str(prepared.signal_id),
        client_ref=values.get("client_ref", ""),
        description=prepared.description,
        removed=[(kind_label(str(c.kind)), c.count) for c in prepared.redactions],
    )

"""Blueprints, error pages and security headers of the web app (registered by hand, not discovered)."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.errors import DomainError

#: Content Security Policy: no inline script or style, nothing from other origins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

#: messages for HTTP errors, in the user's language
HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in first."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist, or is not yours to see."),
    405: _l("This action is not available here."),
    413: _l("The file is too large."),
    422: _l("Some of the data is not valid."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Please check whether your last step was saved, and try again."),
    503: _l("The service is briefly unavailable. Please try again in a minute."),
}
#: how long a client is asked to wait after a 503 (seconds)
RETRY_AFTER = 30


#: the last page a list offers: beyond it a page number is clamped (issue 16 item 7: ?page=99999999999999999999 once
#: overflowed the database's offset and answered 500)
MAX_PAGE = 100_000


def page_number() -> int:
    """The ``page`` query parameter, 1 to MAX_PAGE; anything else (missing, not a number, out of range) is clamped."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def id_argument(name: str) -> int | None:
    """A query parameter naming a row by its id: a positive integer within the ids' range (`IdConverter`), else None."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= IdConverter.LARGEST else None


def wants_json() -> bool:
    return request.path.startswith("/api/")


def is_owner_page() -> bool:
    """The owners' pages (the ballot's /v…, their own /owner…): their errors lead back to the owner's pages, never to
    the staff's login."""
    return request.path in ("/v", "/owner") or request.path.startswith(("/v/", "/owner/"))


def error_response(status: int, code: str, message: Any, details: Any = None) -> Any:
    """A JSON error (API) or an error page (browser), with a stable code and a translated message; the owner's own
    page on the ballot's paths (issue 18 item 6)."""
    if wants_json():
        body: dict[str, Any] = {"code": code, "message": str(message)}
        if details:
            body["details"] = details
        return jsonify(body), status
    template = "errors/owner_error.html" if is_owner_page() else "errors/error.html"
    return render_template(template, status=status, message=message), status


def database_unavailable(error: Exception) -> bool:
    """Whether an error means the database cannot be reached or gave up waiting (connection refused or lost, a
    timeout of the statement or of a lock), as opposed to a fault of the request or of the code."""
    if isinstance(error, (sa_exc.InterfaceError, sa_exc.OperationalError)) or (
        isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    ):
        return True
    return isinstance(error, sa_exc.TimeoutError)  # the connection pool's wait


def _set_security_headers(response: Any) -> Any:
    # Hand-written rather than flask-talisman: five fixed headers do not justify a dependency.
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # same-origin, not no-referrer: Flask-WTF checks the Referer of HTTPS form posts (WTF_CSRF_SSL_STRICT)
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure or response.headers.get("Content-Type", "").startswith("text/html"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def register_error_handlers(app: Flask) -> None:
    from app.extensions import db

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> Any:
        db.session.rollback()
        return error_response(error.status, error.code, error.message, {"field": error.field} if error.field else None)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError) -> Any:
        return error_response(400, "csrf_failed", _("The form has expired. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException) -> Any:
        status = error.code or 500
        details = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
        if status == 429:
            return error_response(429, "rate_limited", HTTP_MESSAGES[429])
        return error_response(status, f"http_{status}", HTTP_MESSAGES.get(status, error.description), details)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Any:
        try:
            db.session.rollback()
        except Exception:  # the connection is gone: nothing to roll back on it
            app.logger.warning("rollback failed after %s", type(error).__name__)
        if database_unavailable(error):
            app.logger.warning("database unavailable: %s", type(error).__name__)
            response = make_response(error_response(503, "unavailable", HTTP_MESSAGES[503]))
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        app.logger.exception("unhandled error")
        return error_response(500, "internal_error", HTTP_MESSAGES[500])


class IdConverter(IntegerConverter):
    """Database ids in URLs: positive integers that fit the id columns (a larger number is a plain 404)."""

    LARGEST = 2**31 - 1

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", self.LARGEST)
        super().__init__(map, *args, **kwargs)


def register_web(app: Flask) -> None:
    from app.api import register_api
    from app.audit.views import bp as audit_bp
    from app.auth.views import bp as auth_bp
    from app.calendar.views import bp as calendar_bp
    from app.communities.views import bp as communities_bp
    from app.dashboard.views import bp as dashboard_bp
    from app.governance.views import bp as governance_bp
    from app.governance.views_supervision import bp as supervision_bp
    from app.governance.views_transparency import bp as transparency_bp
    from app.owners.views import bp as owners_bp
    from app.owners.views_objections import bp as owner_objections_bp
    from app.owners.views_petitions import bp as owner_petitions_bp
    from app.owners.views_staff import bp as petitions_bp
    from app.preparation.views import bp as preparation_bp
    from app.preparation.views_candidates import bp as candidates_bp
    from app.preparation.views_notices import bp as notices_bp
    from app.results.presentation import register as register_result_helpers
    from app.results.views import bp as results_bp
    from app.results.views_public import bp as results_public_bp
    from app.roll.views import bp as roll_bp
    from app.static_files import register_static_files
    from app.template_helpers import register_template_helpers
    from app.voting.views_ballot import bp as ballot_bp
    from app.voting.views_letters import bp as letters_bp
    from app.voting.views_meetings import bp as meetings_bp
    from app.voting.views_paper import bp as paper_bp
    from app.voting.views_proxies import bp as proxies_bp
    from app.voting.views_reminders import bp as reminders_bp

    app.url_map.converters["id"] = IdConverter

    for blueprint in (
        auth_bp,
        dashboard_bp,
        communities_bp,
        audit_bp,
        calendar_bp,
        roll_bp,
        preparation_bp,
        notices_bp,
        candidates_bp,
        meetings_bp,
        ballot_bp,
        letters_bp,
        paper_bp,
        proxies_bp,
        reminders_bp,
        results_bp,
        results_public_bp,
        governance_bp,
        supervision_bp,
        transparency_bp,
        owners_bp,
        owner_objections_bp,
        owner_petitions_bp,
        petitions_bp,
    ):
        app.register_blueprint(blueprint)
    register_api(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_static_files(app)
    register_result_helpers(app)
    app.after_request(_set_security_headers)

    @app.get("/livez")
    def livez() -> Any:
        """Liveness: the process answers; touches nothing else (for the supervisor that restarts a dead worker)."""
        return {"status": "ok"}

    @app.get("/healthz")
    def healthz() -> Any:
        """Readiness, for the reverse proxy and people: each dependency ok, down or not used, checked with a short
        timeout. 200 while the database answers (owners can vote and staff can work, Redis away or not: login
        throttling then counts in memory, background work waits), 503 when it does not."""
        from app.health import dependencies

        found = dependencies()
        status = 200 if found["database"] == "ok" else 503
        return {"status": "ok" if status == 200 else "unavailable", "dependencies": found}, status

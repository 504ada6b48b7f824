"""Blueprints, one per audience, plus the error pages and the security headers."""

from __future__ import annotations

from datetime import date

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from ..errors import DomainError, TooManyRequests

PLAIN_HTTP_ERRORS = {
    400: "The request could not be read. Check what you sent and try again.",
    404: "There is nothing at this address. Check the link.",
    405: "This address does not accept that kind of request.",
    413: "What you sent is too large. Make it shorter and try again.",
    500: "Something went wrong on our side. Nothing you sent was lost; please try again.",
}


def _wants_json() -> bool:
    # The API, and any JSON request (the report page's script): they read a JSON error.
    return request.path.startswith("/api/") or request.is_json


def _error_answer(status: int, code: str, message: str, field: str | None = None):
    if _wants_json():
        error = {"code": code, "message": message}
        if field:
            error["field"] = field
        return jsonify({"error": error}), status
    return render_template("error.html", status=status, message=message), status


def _domain_error(error: DomainError):
    answer, status = _error_answer(error.status, error.code, error.message, error.field)
    if isinstance(error, TooManyRequests):
        answer.headers["Retry-After"] = str(error.retry_after)
    return answer, status


def _http_error(error: HTTPException):
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    return _error_answer(status, code, PLAIN_HTTP_ERRORS.get(status, error.description or ""))


def _unexpected_error(error: Exception):
    # Logged with its stack trace for us; the person gets a sentence, never the trace.
    from flask import current_app

    current_app.logger.exception("unexpected error", exc_info=error)
    return _error_answer(500, "server_error", PLAIN_HTTP_ERRORS[500])


def _security_headers(response):
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/static/"):
        # Pages and API answers carry personal data: never store them in a cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


class StoredInt(IntegerConverter):
    """``<int:...>`` in a URL, matching only numbers an SQLite INTEGER can hold (else 404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def register(app: Flask) -> None:
    """Register every blueprint, error handler and response hook on ``app``."""
    from .. import compression
    from . import (
        admin,
        api,
        api_conferences,
        api_live,
        api_record,
        api_reports,
        auth,
        conferences,
        dashboard,
        health,
        live,
        report_writer,
    )

    app.url_map.converters["int"] = StoredInt  # before any rule is added
    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    for module in (
        api,
        api_conferences,
        api_live,
        api_record,
        auth,
        dashboard,
        admin,
        health,
        live,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(conferences.bp)
    for module in (api_reports, report_writer):
        app.register_blueprint(module.bp)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.after_request(_security_headers)
    app.after_request(compression.compress_static)
    _template_helpers(app)


def _template_helpers(app: Flask) -> None:
    from .. import sessions
    from ..rules import dates

    app.jinja_env.globals["csrf_token"] = sessions.csrf_token
    app.jinja_env.filters["uk_datetime"] = lambda text: dates.format_datetime(
        dates.parse_iso_datetime(text)
    )
    app.jinja_env.filters["uk_date"] = lambda text: dates.format_date(date.fromisoformat(text))

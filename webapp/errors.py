"""The one map from errors to HTTP answers.

API and XHR requests get `{"error": {"code", "message", "details"}}`; pages get a
translated error page. Anything unexpected is logged and answered with a generic 500
that reveals nothing. A database that does not answer (restarting, unreachable, a
connection cut mid-request) is not a bug: it is answered 503 "try again shortly", and the
request's session is thrown away so the next request starts on a fresh connection (the
pool's pre-ping replaces the dead ones).
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from engine.errors import N_, ConflictError, DomainError
from webapp.extensions import login_manager

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "database_unavailable",
}

# What a database that does not answer raises (psycopg's connection errors arrive wrapped
# in OperationalError; a pooled connection found dead, in DisconnectionError).
DATABASE_DOWN = (OperationalError, InterfaceError, DisconnectionError)
DATABASE_DOWN_MESSAGE = N_(
    "The database is not answering right now; nothing was saved. Wait a moment and try again"
)
# SQLSTATE class 40 (deadlock, serialization failure): the database is fine, another
# request won the race; the answer is the conflict's, not an outage.
ROLLBACK_SQLSTATE_CLASS = "40"

# Our own words for the HTTP errors Werkzeug raises (its descriptions are English only and
# speak of "the server"); a description given on purpose (abort(404, "...")) is kept.
HTTP_MESSAGES = {
    400: N_("The request could not be understood; go back and try again"),
    401: N_("Sign in to see this page"),
    403: N_("You may not open this page"),
    404: N_("There is no page at this address. Check the address, or go back to the inbox"),
    405: N_("This page cannot be used this way; go back and try again"),
    413: N_("What was sent is larger than allowed"),
    415: N_("This kind of content is not accepted here"),
    429: N_("Too many requests in a short time; wait a moment and try again"),
}


# Endpoints that are JSON whatever the Accept header says (the modeler's editors' XHR): a
# refusal there, even a failed CSRF check or a sign-in, is answered in JSON.
JSON_ENDPOINTS: set[str] = set()


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.endpoint in JSON_ENDPOINTS:
        return True
    return request.accept_mimetypes.best == "application/json" or request.is_json


def error_response(error: DomainError):
    if wants_json():
        response = jsonify({"error": error.to_dict()})
        response.status_code = error.status
        return response
    page = render_template(
        "error.html", status=error.status, message=gettext(error.message), details=error.details
    )
    return page, error.status


def _domain(error: DomainError):
    return error_response(error)


def _http(error: HTTPException):
    original = getattr(error, "original_exception", None)
    if isinstance(original, DATABASE_DOWN):  # raised after the view, e.g. at commit
        return _database_down(original)
    code = HTTP_CODES.get(error.code or 500, "http_error")
    return error_response(_as_domain(error, code))


def _csrf(error: CSRFError):
    return error_response(
        _as_domain(
            error,
            "csrf_failed",
            400,
            N_("The form expired or was not sent from this site; reload and try again"),
        )
    )


def _description(error: HTTPException) -> str:
    """Werkzeug's stock description replaced by ours; one given on purpose kept."""
    stock = error.description == type(error).description
    if (stock or not error.description) and error.code in HTTP_MESSAGES:
        return HTTP_MESSAGES[error.code]
    return error.description or error.name


def _as_domain(
    error: HTTPException, code: str, status: int | None = None, message: str | None = None
) -> DomainError:
    domain = DomainError(message or _description(error), code=code)
    domain.status = status or error.code or 500
    return domain


def _database_down(error: Exception):
    """503 (or 409 for a lost race), the session discarded, the page drawn without the DB."""
    discard_session()
    g._login_user = login_manager.anonymous_user()  # base.html must not ask the DB again
    if _sqlstate(error).startswith(ROLLBACK_SQLSTATE_CLASS):
        return error_response(
            ConflictError(
                "Someone else changed this process at the same moment; reload and try again",
                code="stale_version",
            )
        )
    log.warning("database unavailable on %s %s: %s", request.method, request.path,
                type(getattr(error, "orig", None) or error).__name__)
    domain = DomainError(DATABASE_DOWN_MESSAGE, code="database_unavailable")
    domain.status = 503
    response = error_response(domain)
    if isinstance(response, tuple):
        response = current_app.make_response(response)
    response.headers["Retry-After"] = "5"
    return response


def _sqlstate(error: Exception) -> str:
    return getattr(getattr(error, "orig", None), "sqlstate", None) or ""


def discard_session() -> None:
    """Throw the request's session away, connection included, whatever state it is in."""
    session = g.pop("db", None)
    if session is None:
        return
    try:
        session.invalidate()
    except Exception:  # noqa: BLE001 - the connection is already gone; nothing to keep
        log.debug("discarding a broken session failed", exc_info=True)


def _unexpected(error: Exception):
    if isinstance(error, DATABASE_DOWN):
        return _database_down(error)
    if isinstance(error, HTTPException):
        return _http(error)
    log.exception("unexpected error on %s %s", request.method, request.path)
    domain = DomainError("An unexpected error occurred; it has been logged", code="internal_error")
    domain.status = 500
    return error_response(domain)


def init_errors(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
    for error_class in DATABASE_DOWN:
        app.register_error_handler(error_class, _database_down)

"""The one map from errors to HTTP answers.

API and XHR requests get `{"error": {"code", "message", "details"}}`; pages get a
translated error page. Anything unexpected is logged and answered with a generic 500
that reveals nothing.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import N_, DomainError

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
}

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


def _unexpected(error: Exception):
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

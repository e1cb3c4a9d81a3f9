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

from engine.errors import DomainError

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


def wants_json() -> bool:
    if request.path.startswith("/api/"):
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
            "The form expired or was not sent from this site; reload and try again",
        )
    )


def _as_domain(
    error: HTTPException, code: str, status: int | None = None, message: str | None = None
) -> DomainError:
    domain = DomainError(message or error.description or error.name, code=code)
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

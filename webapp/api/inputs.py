"""Reading a request: the size and type of its body, the JSON object in it, its query.

Every refusal is a DomainError with a stable code, raised before any service runs, so bad
input never reaches the database and never becomes a 500.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from flask import current_app, request
from marshmallow import Schema, ValidationError

from engine.errors import (
    InvalidInputError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)

API_BODY_LIMIT = 1024 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Endpoints that also take files (a diagram and its forms, a SIRUP package list) as
# multipart/form-data.
MULTIPART_ENDPOINTS = frozenset({"api.deploy_version", "api.import_packages"})
# Endpoints whose body may pass API_BODY_LIMIT: the setting holding their file's cap (the
# service refuses a file over it with its own details; the form around it gets some room).
LARGE_BODY_ENDPOINTS = {"api.import_packages": "sirup_max_bytes"}
MULTIPART_ROOM = 64 * 1024
# path ids stay within a 32-bit integer, so a forged huge id is a 404, not a database error
ID = "id"  # webapp.converters.RowIdConverter


def check_body() -> None:
    """Refuse an oversized or non-JSON body before anything reads it."""
    # a body sent without a length (chunked) is cut one byte past the limit; json_object()
    # then sees that it is too long
    limit = _body_limit()
    request.max_content_length = limit + 1
    length = request.content_length
    if length is not None and length > limit:
        raise _too_large(limit)
    if request.method in BODY_METHODS and _has_body() and not (
        request.is_json or _multipart_allowed()
    ):
        raise UnsupportedMediaTypeError("Send the body as application/json",
                                        details={"content_type": request.mimetype or None})


def _multipart_allowed() -> bool:
    return request.endpoint in MULTIPART_ENDPOINTS and request.mimetype == "multipart/form-data"


def _body_limit() -> int:
    setting = LARGE_BODY_ENDPOINTS.get(request.endpoint)
    if setting is None:
        return API_BODY_LIMIT
    return getattr(current_app.extensions["alur"].settings, setting) + MULTIPART_ROOM


def _too_large(limit: int = API_BODY_LIMIT) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"The body is larger than {limit} bytes",
                                details={"max_bytes": limit})


def _has_body() -> bool:
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return bool(request.content_length) or chunked


def json_object() -> dict:
    """The body as a JSON object: strict JSON (no NaN), UTF-8, storable text."""
    raw = request.get_data(cache=True)
    if len(raw) > API_BODY_LIMIT:
        raise _too_large()
    if not raw.strip():
        raise InvalidInputError("The body must be a JSON object", code="invalid_json")
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant,
                           parse_float=_finite_float)
    except RecursionError:
        raise InvalidInputError("The JSON is nested too deeply", code="invalid_json") from None
    except ValueError as error:
        raise InvalidInputError("The body is not valid JSON", code="invalid_json",
                                details={"reason": str(error)[:200]}) from None
    if not isinstance(value, dict):
        raise InvalidInputError("The body must be a JSON object", code="invalid_json",
                                details={"type": type(value).__name__})
    _check_text(value)
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"Number out of range: {text[:40]}")
    return number


def _check_text(value: Any) -> None:
    """No NUL characters or unpaired surrogates, which a database cannot store as text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item or not _is_utf8(item):
                raise InvalidInputError("Text may not contain NUL characters or unpaired "
                                        "surrogates", code="invalid_json")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load(schema: Schema, data: Any, *, unknown_code: str = "unknown_field",
         invalid_code: str = "invalid_input") -> Any:
    """Load with a schema; a ValidationError becomes a 400 listing each field's problems."""
    try:
        return schema.load(data)
    except ValidationError as error:
        known = {field.data_key or name for name, field in schema.load_fields.items()}
        unknown = isinstance(data, Mapping) and bool(set(data) - known)
        raise InvalidInputError("The request has errors",
                                code=unknown_code if unknown else invalid_code,
                                details=error.normalized_messages()) from None


def query_args(schema: Schema) -> Any:
    """The query string through `schema`; unknown or repeated parameters are refused."""
    repeated = sorted(key for key in request.args if len(request.args.getlist(key)) > 1)
    if repeated:
        raise InvalidInputError("Give each parameter once", code="invalid_parameter",
                                details={key: ["Given more than once"] for key in repeated})
    return load(schema, request.args.to_dict(), unknown_code="unknown_parameter",
                invalid_code="invalid_parameter")

"""The API's OpenAPI 3.1 document, built from the Flask url_map and the marshmallow schemas.

Each view says what it answers with `@documented(...)`, right above its `def`: a summary,
its tag, its success answers (a schema, None for an empty answer, or {media type: JSON
schema}), its query and body schemas, and the error statuses its service can give. The
document walks `app.url_map`, so every /api/v1 rule is in it: one without `@documented` is
listed with no answers at all (`x-undocumented`), which tests/webapp/test_openapi.py
refuses. What the hooks of webapp.api.routes add to every route is added here once: 401
(bearer token, except public views), 413 (any oversized body), 400 for a query or body, 415
for a body, 404 for a row id in the path. Every error has one body, `Error`
(webapp/errors.py).

The document is built once per app, served at GET /api/v1/openapi.json (public, cacheable
with an ETag) and shown by the page at /api/v1/docs (webapp.api.docs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app, request
from marshmallow import Schema, fields

from webapp.api.schemas import TimerFailureSchema, UserRefSchema
from webapp.converters import MAX_ID

API_PREFIX = "/api/v1"
TITLE = "Alur Kinerja API"
DOC_VERSION = "1.0.0"
OPENAPI_VERSION = "3.1.0"
BODY_METHODS = frozenset({"post", "put", "patch", "delete"})
DOCUMENTED_METHODS = ("get", "post", "put", "patch", "delete")
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")

DESCRIPTION = (
    "The JSON API of Alur Kinerja (SOP Pengelolaan Kinerja, UKPBJ Kabupaten Pesisir Selatan). "
    "Ask for a token with POST /api/v1/auth/token and send it as `Authorization: Bearer "
    "<token>`. Bodies are JSON objects; times are ISO 8601 with their offset, dates "
    "YYYY-MM-DD. Every refusal is `{\"error\": {\"code\", \"message\", \"details\"}}` "
    "with a stable `code`."
)
PATH_EXAMPLES = {"key": "sop_pengelolaan_kinerja"}

ERROR_DESCRIPTIONS = {
    400: "The request has errors: `details` names each field or parameter and its problems",
    401: "No bearer token, or one that is revoked, expired or unknown (see WWW-Authenticate)",
    403: "The caller's role or OPD may not do this",
    404: "Nothing at this address that the caller may see",
    409: "A conflict: the state changed, the action was already done, or a confirmation "
         "is needed",
    413: "The body is larger than allowed",
    415: "The body is not application/json",
    429: "Too many failed sign-ins: wait for Retry-After seconds",
}

REFERENCED = {"TimerFailure": TimerFailureSchema, "UserRef": UserRefSchema}

TAGS = (
    {"name": "auth", "description": "Bearer tokens: issue, list and revoke them."},
    {"name": "tasks", "description": "The caller's tasks, their forms, drafts and comments."},
    {"name": "instances", "description": "Process runs (Pelaksanaan) and their event logs."},
    {"name": "definitions", "description": "Process definitions, versions, deploys, diffs."},
    {"name": "audit", "description": "Audit readers: replay, verification, bundles, heatmaps."},
    {"name": "admin", "description": "Administrators: incidents of background jobs."},
    {"name": "packages", "description": "Procurement packages imported from SIRUP."},
    {"name": "docs", "description": "This document and its page."},
)

SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A token from POST /api/v1/auth/token, sent as "
                   "`Authorization: Bearer <token>`. Session cookies are ignored.",
}


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable snake_case code"})
    message = fields.String(required=True, metadata={"description": "What went wrong"})
    details = fields.Raw(required=True, metadata={
        "description": "Per-field problems (an object of lists) or other facts; {} when none"})


class ErrorSchema(Schema):
    """Every error answer of the API (webapp/errors.py)."""

    error = fields.Nested(ErrorBodySchema, required=True)


@dataclass(frozen=True)
class Doc:
    summary: str
    tag: str
    ok: dict[int, Any]
    query: Any = None
    body: Any = None
    errors: tuple[int, ...] = ()
    public: bool = False
    description: str | None = None


def documented(summary: str, *, tag: str, ok: dict[int, Any], query: Any = None,
               body: Any = None, errors: tuple[int, ...] = (), public: bool = False,
               description: str | None = None):
    """Attach the view's OpenAPI metadata to it (the view itself is unchanged)."""
    doc = Doc(summary, tag, ok, query, body, tuple(errors), public, description)

    def mark(view):
        view.openapi_doc = doc
        return view
    return mark


def openapi_document(app: Flask) -> dict:
    """The document of `app`, built once and kept on the app."""
    cached = app.extensions.get("openapi")
    if cached is None:
        cached = app.extensions["openapi"] = build_document(app)
    return cached


def build_document(app: Flask) -> dict:
    spec = APISpec(title=TITLE, version=DOC_VERSION, openapi_version=OPENAPI_VERSION,
                   plugins=[MarshmallowPlugin()],
                   info={"description": DESCRIPTION})
    spec.components.security_scheme("bearerAuth", SECURITY_SCHEME)
    spec.components.schema("Error", schema=ErrorSchema)
    for name, schema in REFERENCED.items():  # named by fields.Method metadata
        spec.components.schema(name, schema=schema)
    for tag in TAGS:
        spec.tag(tag)
    for path, operations in _paths(app).items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearerAuth": []}]
    return document


def _paths(app: Flask) -> dict[str, dict]:
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path, parameters = openapi_path(rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in DOCUMENTED_METHODS:
            if method.upper() in (rule.methods or ()):
                operation = _operation(rule.endpoint, view, method, parameters)
                paths.setdefault(path, {})[method] = operation
    return paths


def openapi_path(rule: str) -> tuple[str, list[dict]]:
    """`/tasks/<id:task_id>` -> `/tasks/{task_id}` and its path parameters."""
    parameters = [_path_parameter(m.group("name"), m.group("converter"))
                  for m in _ARGUMENT.finditer(rule)]
    return _ARGUMENT.sub(lambda m: "{" + m.group("name") + "}", rule), parameters


def _path_parameter(name: str, converter: str | None) -> dict:
    if converter == "id":
        schema, example = {"type": "integer", "minimum": 1, "maximum": MAX_ID}, 1
    elif converter == "int":
        schema, example = {"type": "integer", "minimum": 0}, 1
    else:
        schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        example = PATH_EXAMPLES.get(name, "example")
    return {"in": "path", "name": name, "required": True, "schema": schema, "example": example}


def _operation(endpoint: str, view, method: str, parameters: list[dict]) -> dict:
    operation: dict[str, Any] = {"operationId": endpoint.split(".", 1)[-1],
                                 "parameters": list(parameters)}
    doc: Doc | None = getattr(view, "openapi_doc", None)
    if doc is None:
        operation.update({"summary": "Undocumented", "x-undocumented": True})
        return operation
    operation.update({"summary": doc.summary, "tags": [doc.tag]})
    if doc.description or view.__doc__:
        operation["description"] = doc.description or _clean(view.__doc__)
    if doc.public:
        operation["security"] = []
    if doc.query is not None:
        operation["parameters"].append({"in": "query", "schema": doc.query})
    if doc.body is not None:
        operation["requestBody"] = {"required": True, "content": _content(doc.body)}
    operation["responses"] = {**_successes(doc), **_errors(doc, method, parameters)}
    return operation


def _clean(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


def _content(value: Any) -> dict:
    """A schema (class or instance) is JSON; a dict maps media types to JSON schemas."""
    if isinstance(value, dict):
        return {media: {"schema": schema} for media, schema in value.items()}
    return {"application/json": {"schema": value}}


def _successes(doc: Doc) -> dict:
    answers = {}
    for status, value in doc.ok.items():
        answer: dict[str, Any] = {"description": "Success" if status < 300 else "Redirect"}
        if value is not None:
            answer["content"] = _content(value)
        answers[str(status)] = answer
    return answers


def _errors(doc: Doc, method: str, parameters: list[dict]) -> dict:
    statuses = set(doc.errors)
    if not doc.public:
        statuses.add(401)
    if doc.query is not None or doc.body is not None:
        statuses.add(400)
    statuses.add(413)  # any request: check_body refuses an oversized body first
    if method in BODY_METHODS:
        statuses.add(415)
    if any(p["schema"].get("type") == "integer" for p in parameters):
        statuses.add(404)
    return {str(status): _error_answer(status) for status in sorted(statuses)}


def _error_answer(status: int) -> dict:
    answer: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS.get(status, "Refused"),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status == 401:
        answer["headers"] = {"WWW-Authenticate": {
            "description": 'Bearer realm="alur-kinerja", with error="invalid_token" when a '
                           "token was refused", "schema": {"type": "string"}}}
    if status == 429:
        answer["headers"] = {"Retry-After": {"description": "Seconds to wait",
                                             "schema": {"type": "integer"}}}
    return answer


def document_response():
    """The document as JSON, cacheable: an ETag and a public max-age."""
    response = current_app.response_class(
        current_app.json.dumps(openapi_document(current_app)), mimetype="application/json")
    response.add_etag()
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)

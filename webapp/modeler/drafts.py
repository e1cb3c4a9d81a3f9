"""The editors' JSON: load a draft, autosave it, save one form, copy it, check it, deploy it.

Signed-in pages call these with the session cookie and the CSRF token in the `X-CSRFToken`
header (Flask-WTF reads it). Every answer is JSON, errors included, whatever the client's
Accept header says: a 403 for other roles, a 400 `csrf_failed`, a 409 `draft_conflict`
naming who saved first. Problems carry a `text` in the reader's language
(webapp.modeler.problems.localize). The services check the role and do the work
(engine.services.processdrafts); the one commit is the request's (webapp/transaction.py),
so a refused deploy stores nothing but its audit event.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import wraps

from flask import current_app, request, url_for
from flask_babel import gettext
from flask_login import login_required
from marshmallow import RAISE, Schema, fields, validate

from engine.errors import DomainError, InvalidInputError, PayloadTooLargeError
from engine.models import ProcessDraft
from engine.services import access, definitions, diagramfiles, processdrafts
from webapp.api.inputs import load
from webapp.errors import JSON_ENDPOINTS
from webapp.modeler import bp
from webapp.requests import actor, now
from webapp.transaction import db

# The largest body an editor sends: a whole diagram and every form, with JSON's overhead.
BODY_LIMIT_SLACK = 256 * 1024
def json_route(rule: str, methods: list[str]) -> Callable:
    """A view of the editors' JSON: signed in, a process owner or an administrator (checked
    before the body is read, so anyone else gets 403 whatever they send; the services check
    again), and answering errors as JSON."""
    def register(view: Callable) -> Callable:
        @wraps(view)
        def guarded(**values):
            access.ensure_modeler(actor())
            return view(**values)

        JSON_ENDPOINTS.add(f"{bp.name}.{view.__name__}")
        return bp.route(rule, methods=methods)(login_required(guarded))
    return register


# ---- input --------------------------------------------------------------------------------

class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _revision() -> fields.Integer:
    return fields.Integer(required=True, strict=True,
                          validate=validate.Range(min=1, max=2**31 - 1))


class SaveContentSchema(_Strict):
    revision = _revision()
    bpmn_xml = fields.String()
    forms = fields.Dict(keys=fields.String(), values=fields.Raw())


class SaveFormSchema(_Strict):
    revision = _revision()
    schema = fields.Dict(required=True, keys=fields.String(), values=fields.Raw())


class CopySchema(_Strict):
    bpmn_xml = fields.String(required=True)
    forms = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)


class DeploySchema(_Strict):
    revision = _revision()


def body_limit() -> int:
    settings = current_app.extensions["alur"].settings
    return settings.max_bpmn_bytes + diagramfiles.MAX_FORMS_TOTAL_BYTES + BODY_LIMIT_SLACK


def read_body(schema: Schema) -> dict:
    """The body as a JSON object through `schema`: bounded, strict JSON, storable text."""
    raw = request.get_data(cache=True)
    limit = body_limit()
    if len(raw) > limit:
        raise PayloadTooLargeError(f"The body is larger than {limit} bytes",
                                   details={"max_bytes": limit})
    try:
        value = json.loads(raw.decode("utf-8") or "null", parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise InvalidInputError("The body is not valid JSON", code="invalid_json") from None
    if not isinstance(value, dict):
        raise InvalidInputError("The body must be a JSON object", code="invalid_json")
    _check_strings(value)
    return load(schema, value)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _check_strings(value: object) -> None:
    """No NUL, no unpaired surrogate, no infinite number: nothing a database cannot store."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item or not _encodable(item):
                raise InvalidInputError("Text may not contain NUL characters or unpaired "
                                        "surrogates", code="invalid_json")
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidInputError("Numbers must be finite", code="invalid_json")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---- output -------------------------------------------------------------------------------

def localized(problems: list[dict]) -> list[dict]:
    """Problems with `text` in the reader's language (the lint helper's localize), else the
    English message."""
    try:
        from webapp.modeler.problems import localize
    except ImportError:
        return [{**problem, "text": problem["message"]} for problem in problems]
    return localize(problems)


def draft_json(draft: ProcessDraft) -> dict:
    base, deployed = draft.base_version, draft.deployed_version
    return {
        "id": draft.id,
        "title": draft.title,
        "revision": draft.revision,
        "definition_key": draft.definition_key,
        "base_version": base.version if base is not None else None,
        "bpmn_xml": draft.bpmn_xml,
        "forms": draft.forms or {},
        "updated_at": draft.updated_at.isoformat(),
        "updated_by": draft.updated_by.full_name,
        "deployed_version": deployed.version if deployed is not None else None,
    }


def saved(draft: ProcessDraft) -> dict:
    return {"revision": draft.revision, "saved_at": draft.updated_at.isoformat()}


# ---- routes -------------------------------------------------------------------------------

@json_route("/draf/<id:draft_id>/isi", ["GET"])
def draft_content(draft_id: int):
    return draft_json(processdrafts.get_draft(db(), actor(), draft_id))


@json_route("/draf/<id:draft_id>/isi", ["PUT"])
def save_draft_content(draft_id: int):
    body = read_body(SaveContentSchema())
    draft = processdrafts.save_draft(db(), actor(), draft_id, revision=body["revision"],
                                     bpmn_xml=body.get("bpmn_xml"), forms=body.get("forms"),
                                     now=now())
    return saved(draft)


@json_route("/draf/<id:draft_id>/formulir/<key>", ["PUT"])
def draft_form(draft_id: int, key: str):
    body = read_body(SaveFormSchema())
    draft = processdrafts.save_form(db(), actor(), draft_id, key, body["schema"],
                                    revision=body["revision"], now=now())
    return saved(draft)


@json_route("/draf/<id:draft_id>/salin", ["POST"])
def draft_copy(draft_id: int):
    body = read_body(CopySchema())
    session, user = db(), actor()
    source = processdrafts.get_draft(session, user, draft_id)
    copy = processdrafts.copy_draft(
        session, user, draft_id, bpmn_xml=body["bpmn_xml"], forms=body["forms"], now=now(),
        title=gettext("%(title)s (copy)", title=source.title))
    return {"id": copy.id, "url": url_for("modeler.editor", draft_id=copy.id)}, 201


@json_route("/draf/<id:draft_id>/periksa", ["POST"])
def draft_check(draft_id: int):
    return {"problems": localized(processdrafts.check_draft(db(), actor(), draft_id))}


@json_route("/draf/<id:draft_id>/terapkan", ["POST"])
def draft_deploy(draft_id: int):
    body = read_body(DeploySchema())
    try:
        deployment = processdrafts.deploy_draft(db(), actor(), draft_id,
                                                revision=body["revision"], now=now())
    except DomainError as error:
        raise with_problems(error) from None
    version = deployment.version
    answer = {"version": version.version, "created": deployment.created,
              "definition_key": version.definition.key,
              "url": url_for("modeler.version", version_id=version.id)}
    return answer, 201 if deployment.created else 200


def with_problems(error: DomainError) -> DomainError:
    """A refused deploy's problems, each with its text, for the editor to mark on the
    elements; other refusals (the role, a conflict) as they are."""
    if error.status not in (400, 413):
        return error
    details = error.details if isinstance(error.details, dict) else {}
    error.details = {**details, "problems": localized(definitions.problems_of(error))}
    return error

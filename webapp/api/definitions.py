"""Process definitions over the API: list them and their versions, deploy a new version.

POST /api/v1/definitions/<key>/versions takes the diagram and its forms either as JSON
({"bpmn_xml", "forms": {key: schema}, "filename"?}) or as multipart (file `bpmn`, files
`forms`: `<key>.form.json`, repeatable, or one .zip of them) and deploys them through
engine.services.definitions.deploy_checked, the modeler's own door to the CLI's
deploy_diagram: 201 with a new version, 200 with the existing one when the content is
identical, 400 with every problem (each with its `text` in the caller's language) and
nothing stored, 400 `definition_key_mismatch` when the diagram's main process is not
<key>, 413 when too large. Process owners and administrators only (403 for anyone else,
checked before the body is read). Every deploy, kept or refused, is an audit event.
"""

from __future__ import annotations

from flask import current_app, request
from marshmallow import Schema, fields, validate

from engine.errors import DomainError
from engine.services import access, diagramfiles
from engine.services import definitions as catalogue
from webapp.api import bp
from webapp.api.inputs import json_object, load
from webapp.api.openapi import documented
from webapp.api.schemas import StrictSchema
from webapp.modeler.drafts import with_problems
from webapp.modeler.uploads import read_forms, read_upload
from webapp.requests import actor, now
from webapp.transaction import db


class DeployRequestSchema(StrictSchema):
    bpmn_xml = fields.String(required=True)
    forms = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
    filename = fields.String(validate=validate.Length(min=1, max=255), load_default=None)


class VersionSchema(Schema):
    id = fields.Integer()
    version = fields.Integer(attribute="number")
    content_hash = fields.String()
    short_hash = fields.String()
    filename = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)
    running = fields.Integer()
    finished = fields.Integer()


class DefinitionSchema(Schema):
    key = fields.String()
    name = fields.String()
    latest_version = fields.Function(lambda d: d.latest.number if d.latest else None,
                                     metadata={"type": ["integer", "null"]})
    versions = fields.Nested(VersionSchema, many=True)


class DefinitionRefSchema(Schema):
    key = fields.String()
    name = fields.String()


class DefinitionListSchema(Schema):
    items = fields.List(fields.Nested(DefinitionSchema))


class VersionListSchema(Schema):
    definition = fields.Nested(DefinitionRefSchema)
    items = fields.List(fields.Nested(VersionSchema))


class DeployResultSchema(Schema):
    definition_key = fields.String()
    created = fields.Boolean()
    version = fields.Nested(VersionSchema)


UPLOAD = {
    "application/json": DeployRequestSchema,
    "multipart/form-data": {
        "type": "object", "required": ["bpmn"],
        "properties": {
            "bpmn": {"type": "string", "contentMediaType": "application/octet-stream",
                     "description": "The diagram (.bpmn)"},
            "forms": {"type": "array", "items": {
                "type": "string", "contentMediaType": "application/octet-stream"},
                "description": "<key>.form.json files, or one .zip of them"},
        },
    },
}


@bp.get("/definitions")
@documented("List the process definitions and their versions", tag="definitions",
            ok={200: DefinitionListSchema}, errors=(403,))
def list_definitions():
    found = catalogue.list_definitions(db(), actor())
    return {"items": DefinitionSchema(many=True).dump(found)}


@bp.get("/definitions/<key>/versions")
@documented("List a definition's versions", tag="definitions",
            ok={200: VersionListSchema}, errors=(403, 404))
def list_versions(key: str):
    found = catalogue.get_definition(db(), actor(), key)
    return {"definition": DefinitionRefSchema().dump(found),
            "items": VersionSchema(many=True).dump(found.versions)}


@bp.post("/definitions/<key>/versions")
@documented("Deploy a new version (JSON or multipart)", tag="definitions",
            ok={200: DeployResultSchema, 201: DeployResultSchema}, body=UPLOAD,
            errors=(403, 404, 409))
def deploy_version(key: str):
    session, user = db(), actor()
    access.ensure_modeler(user)
    filename, data, forms = _multipart(key) if request.mimetype == "multipart/form-data" \
        else _json(key)
    try:
        deployment = catalogue.deploy_checked(session, user, filename=filename, data=data,
                                              forms=forms, now=now(), key=key)
    except DomainError as error:
        raise with_problems(error) from None
    definition = catalogue.get_definition(session, user, key)
    version = next(v for v in definition.versions if v.id == deployment.version.id)
    answer = {"definition_key": key, "created": deployment.created,
              "version": VersionSchema().dump(version)}
    return answer, 201 if deployment.created else 200


def _json(key: str) -> tuple[str, bytes, dict]:
    body = load(DeployRequestSchema(), json_object())
    data = diagramfiles.diagram_bytes(body["bpmn_xml"])
    return body["filename"] or f"{key}.bpmn", data, body["forms"]


def _multipart(key: str) -> tuple[str, bytes, dict]:
    limit = current_app.extensions["alur"].settings.max_bpmn_bytes
    filename, data = read_upload(request.files.get("bpmn"), limit)
    return filename or f"{key}.bpmn", data, read_forms(request.files.getlist("forms"))

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

GET /api/v1/definitions/<key>/versions/<n>/sop-document answers the SOP document of
version n (engine.services.sopdocument: its header and one row per step, each row's lane
by name), or with ?format=pdf the same PDF the page's "Unduh PDF" gives. Everyone signed
in reads it, as the page; 404 for an unknown key or version.
"""

from __future__ import annotations

from flask import current_app, request
from marshmallow import Schema, fields, validate

from engine.errors import DomainError
from engine.services import access, diagramfiles, sopdocument
from engine.services import definitions as catalogue
from engine.services.nip import format_nip
from webapp.api import bp
from webapp.api.inputs import ID, json_object, load, query_args
from webapp.api.openapi import documented
from webapp.api.schemas import StrictSchema
from webapp.modeler.drafts import with_problems
from webapp.modeler.sopdocument import pdf_attachment
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


class SopDocumentQuerySchema(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "pdf")),
                           metadata={"description": "json (the default) or pdf"})


class SopHeaderSchema(Schema):
    letterhead = fields.List(fields.String())
    number = fields.String(metadata={"description": "Nomor SOP"})
    title = fields.String(metadata={"description": "Nama SOP"})
    made_on = fields.Date(allow_none=True)
    revised_on = fields.Date(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    approver_position = fields.String()
    approver_name = fields.String()
    approver_nip = fields.String(metadata={"description": "18 digits, or empty"})
    approver_nip_display = fields.Function(lambda h: format_nip(h.approver_nip), metadata={
        "type": "string", "description": 'As printed: "19670907 198902 1 001"'})
    legal_bases = fields.List(fields.String())
    qualifications = fields.List(fields.String())
    related_sops = fields.List(fields.String())
    equipment = fields.List(fields.String())
    warning = fields.String()
    records = fields.List(fields.String())
    updated_at = fields.DateTime(allow_none=True)


class SopWaySchema(Schema):
    label = fields.String()
    rows = fields.List(fields.String(), metadata={"description": "The rows it leads to"})
    ends = fields.Boolean(metadata={"description": "Whether it ends the SOP"})


class SopRowSchema(Schema):
    no = fields.String()
    element_id = fields.String()
    kegiatan = fields.String()
    lane = fields.String(allow_none=True, metadata={"description": "The Pelaksana column"})
    symbol = fields.String(validate=validate.OneOf(("start", "end", "process", "decision")))
    decision = fields.String(allow_none=True)
    ways = fields.List(fields.Nested(SopWaySchema))
    next_rows = fields.List(fields.String())
    waits_for = fields.String(allow_none=True)
    kelengkapan = fields.List(fields.String())
    waktu = fields.Integer(allow_none=True, metadata={"description": "Hari kerja"})
    output = fields.List(fields.String())
    mutu_group = fields.String(allow_none=True)
    keterangan = fields.String()


class SopDocumentSchema(Schema):
    definition = fields.Nested(DefinitionRefSchema)
    version = fields.Integer()
    version_id = fields.Integer()
    lanes = fields.List(fields.String())
    header = fields.Nested(SopHeaderSchema)
    rows = fields.List(fields.Nested(SopRowSchema))


PDF = {"application/pdf": {"type": "string", "contentMediaType": "application/pdf"}}


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


@bp.get(f"/definitions/<key>/versions/<{ID}:number>/sop-document")
@documented("A version's SOP document (JSON, or the PDF with ?format=pdf)", tag="definitions",
            ok={200: {"application/json": SopDocumentSchema, **PDF}},
            query=SopDocumentQuerySchema, errors=(404,))
def definition_sop_document(key: str, number: int):
    query = query_args(SopDocumentQuerySchema())
    document = sopdocument.build_document_by_number(db(), actor(), key, number)
    if query["format"] == "pdf":
        return pdf_attachment(document)
    return SopDocumentSchema().dump(_document_json(document))


def _document_json(document: sopdocument.SopDocument) -> dict:
    """The document with each row's lane by name and its Mutu Baku unfolded."""
    def row_json(row: sopdocument.Row) -> dict:
        lane = document.lanes[row.lane] if row.lane is not None else None
        return {**vars(row), "lane": lane, "kelengkapan": row.mutu.kelengkapan,
                "waktu": row.mutu.waktu, "output": row.mutu.output}

    return {"definition": {"key": document.definition_key, "name": document.definition_name},
            "version": document.version, "version_id": document.version_id,
            "lanes": document.lanes, "header": document.header,
            "rows": [row_json(row) for row in document.rows]}


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

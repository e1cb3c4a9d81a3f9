"""What changed between two versions of a process, over the API.

GET /api/v1/definitions/<key>/diff?from=1&to=2 answers the same changes the diff page
lists (engine.services.diffs), each with its sentence in the caller's language
(webapp/modeler/difftext.py). Process owners and administrators only: the role is checked
before the query is read, so anyone else gets 403 whatever they send.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from engine.services import access, diffs
from webapp.api import bp
from webapp.api.inputs import query_args
from webapp.api.openapi import documented
from webapp.api.schemas import MAX_ID, StrictSchema
from webapp.modeler.difftext import role_names, side_json, with_text
from webapp.requests import actor
from webapp.transaction import db


class DiffQuerySchema(StrictSchema):
    from_ = fields.Integer(required=True, data_key="from",
                           validate=validate.Range(min=1, max=MAX_ID))
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class DiffSideSchema(Schema):
    """A compared version (engine.services.diffs.version_side)."""

    class Meta:
        unknown = INCLUDE

    kind = fields.String()
    id = fields.Integer()
    version = fields.Integer()
    content_hash = fields.String()
    deployed_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True)


class DiffSchema(Schema):
    definition = fields.Dict(metadata={"description": "The process: key and name"})
    from_ = fields.Nested(DiffSideSchema, data_key="from")
    to = fields.Nested(DiffSideSchema)
    changes = fields.List(fields.Dict(), metadata={
        "description": "Each change (kind, element...) with its sentence `text`"})


@bp.get("/definitions/<key>/diff")
@documented("What changed between two versions", tag="definitions", ok={200: DiffSchema},
            query=DiffQuerySchema, errors=(403, 404))
def definition_diff(key: str):
    session, user = db(), actor()
    access.ensure_modeler(user)
    query = query_args(DiffQuerySchema())
    result = diffs.diff_versions(session, user, key, query["from_"], query["to"])
    return {
        "definition": result["definition"],
        "from": side_json(result["from"]),
        "to": side_json(result["to"]),
        "changes": with_text(result["changes"], role_names(session)),
    }

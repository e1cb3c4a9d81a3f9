"""A version's heatmap over the API: GET /api/v1/definitions/<key>/versions/<n>/heatmap.

Query: `period` (0 = planning, rows 1-10; 1, 2 ... the reporting periods) and `opd` (an
OPD's code: only its own passes), both optional; an empty value is no filter. Answers
engine.services.heatmap.heatmap_of as it is. Audit readers only (403 for anyone else);
404 for an unknown process or version; 400 for a malformed period, an unknown OPD or an
unknown parameter.
"""

from __future__ import annotations

from flask import request
from marshmallow import Schema, fields, validate

from engine.errors import InvalidInputError
from engine.services import heatmap
from webapp.api import bp
from webapp.api.inputs import ID, load
from webapp.api.openapi import documented
from webapp.api.schemas import StrictSchema
from webapp.requests import actor, now
from webapp.transaction import db


class HeatmapQuerySchema(StrictSchema):
    period = fields.Integer(validate=validate.Range(min=0, max=heatmap.MAX_PERIOD))
    opd = fields.String(validate=validate.Length(min=1, max=32))


class HeatmapSchema(Schema):
    """engine.services.heatmap.heatmap_of, as it is."""

    version = fields.Dict(metadata={"description": "id, number, definition_key, ..."})
    versions = fields.List(fields.Dict(), metadata={"description": "The sibling versions"})
    filters = fields.Dict(metadata={"description": "The period and OPD asked for"})
    instances = fields.Integer(metadata={"description": "How many runs the map counts"})
    activities = fields.Dict(metadata={"description": "Per element id: its band, counts..."})
    slowest = fields.List(fields.Dict())
    late_opds = fields.List(fields.Dict())
    periods = fields.List(fields.Raw())
    opds = fields.List(fields.Dict())


@bp.get(f"/definitions/<key>/versions/<{ID}:number>/heatmap")
@documented("A version's durations against their Waktu", tag="audit",
            ok={200: HeatmapSchema}, query=HeatmapQuerySchema, errors=(403, 404))
def version_heatmap(key: str, number: int):
    query = _filters()
    session, user = db(), actor()
    version_id = heatmap.version_id_of(session, user, key, number)
    return heatmap.heatmap_of(session, user, version_id, now(),
                              period_no=query.get("period"), opd_code=query.get("opd"))


def _filters() -> dict:
    """The query without empty values; a repeated or unknown parameter is refused."""
    repeated = sorted(key for key in request.args if len(request.args.getlist(key)) > 1)
    if repeated:
        raise InvalidInputError("Give each parameter once", code="invalid_parameter",
                                details={key: ["Given more than once"] for key in repeated})
    given = {key: value.strip() for key, value in request.args.items() if value.strip()}
    return load(HeatmapQuerySchema(), given, unknown_code="unknown_parameter",
                invalid_code="invalid_parameter")

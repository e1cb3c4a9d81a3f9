"""A version's heatmap over the API: GET /api/v1/definitions/<key>/versions/<n>/heatmap.

Query: `period` (0 = planning, rows 1-10; 1, 2 ... the reporting periods) and `opd` (an
OPD's code: only its own passes), both optional; an empty value is no filter. Answers
engine.services.heatmap.heatmap_of as it is. Audit readers only (403 for anyone else);
404 for an unknown process or version; 400 for a malformed period, an unknown OPD or an
unknown parameter.
"""

from __future__ import annotations

from flask import request
from marshmallow import fields, validate

from engine.errors import InvalidInputError
from engine.services import heatmap
from webapp.api import bp
from webapp.api.inputs import ID, load
from webapp.api.schemas import StrictSchema
from webapp.requests import actor, now
from webapp.transaction import db


class HeatmapQuerySchema(StrictSchema):
    period = fields.Integer(validate=validate.Range(min=0, max=heatmap.MAX_PERIOD))
    opd = fields.String(validate=validate.Length(min=1, max=32))


@bp.get(f"/definitions/<key>/versions/<{ID}:number>/heatmap")
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

"""Saved inbox filters over the API: `GET/POST /saved-filters`, `DELETE /saved-filters/<id>`.

GET lists the caller's own filters and those shared with one of their roles, each with
`count`, the number of the caller's tasks it holds now. POST saves one (201); `query`
holds only TaskFilters' fields, `shared_role` only the Kepala UKPBJ may set. DELETE removes
one of the caller's own (204); another's shared filter is a 403, an unknown one a 404.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.services import access, savedfilters
from engine.services.tasks import SCOPES, SORTS
from webapp.api import bp
from webapp.api.inputs import ID, json_object, load
from webapp.api.openapi import documented
from webapp.api.schemas import MAX_ID, StrictSchema, UserRefSchema, dump
from webapp.api.views import dump_state
from webapp.requests import actor, now
from webapp.transaction import db


class SavedFilterQuerySchema(StrictSchema):
    """The fields of a task list's filter (as GET /tasks names them, with `opd_code`)."""

    scope = fields.String(validate=validate.OneOf(SCOPES))
    state = fields.String(validate=validate.OneOf((TASK_OPEN, TASK_COMPLETED)))
    sop_step = fields.String(validate=validate.Length(min=1, max=16))
    instance_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID))
    opd_code = fields.String(validate=validate.Length(min=1, max=32))
    sort = fields.String(validate=validate.OneOf(tuple(SORTS)))


class SavedFilterRequestSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    query = fields.Nested(SavedFilterQuerySchema, required=True)
    shared_role = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=32))


class SavedFilterSchema(Schema):
    """A saved filter; `shared_with_me` is true for another person's filter shared with one
    of the caller's roles (read-only for them)."""

    id = fields.Integer()
    name = fields.String()
    query = fields.Dict(keys=fields.String())
    shared_role = fields.String(allow_none=True)
    owner = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()
    count = fields.Integer()
    shared_with_me = fields.Boolean()


class SavedFilterListSchema(Schema):
    items = fields.List(fields.Nested(SavedFilterSchema))


def _row(item: savedfilters.CountedFilter) -> dict:
    saved = item.saved
    return {"id": saved.id, "name": saved.name, "query": saved.query,
            "shared_role": saved.shared_role, "owner": saved.owner,
            "created_at": saved.created_at, "count": item.count,
            "shared_with_me": item.shared_with_me}


@bp.get("/saved-filters")
@documented("List the caller's saved inbox filters with their counts", tag="tasks",
            ok={200: SavedFilterListSchema})
def list_saved_filters():
    found = savedfilters.list_counted(db(), actor())
    return dump(SavedFilterListSchema(), {"items": [_row(item) for item in found]},
                dump_state())


@bp.post("/saved-filters")
@documented("Save an inbox filter", tag="tasks", ok={201: SavedFilterSchema},
            body=SavedFilterRequestSchema, errors=(403, 409))
def create_saved_filter():
    session, user = db(), actor()
    access.ensure_can_write(user)  # a read-only caller is refused before the body is read
    body = load(SavedFilterRequestSchema(), json_object())
    saved = savedfilters.create_saved_filter(session, user, body["name"], body["query"], now(),
                                             shared_role=body["shared_role"])
    item = savedfilters.CountedFilter(saved, savedfilters.count_tasks(session, user, saved),
                                      False)
    return dump(SavedFilterSchema(), _row(item), dump_state()), 201


@bp.delete(f"/saved-filters/<{ID}:filter_id>")
@documented("Delete one of the caller's saved filters", tag="tasks", ok={204: None},
            errors=(403, 404))
def delete_saved_filter(filter_id: int):
    savedfilters.delete_saved_filter(db(), actor(), filter_id)
    return "", 204

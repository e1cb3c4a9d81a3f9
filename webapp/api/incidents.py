"""API: background jobs that failed their last try (engine.services.incidents).

`GET /api/v1/incidents`: the incidents, the most recent first, and how many jobs wait;
`POST /api/v1/incidents/<id>/retry` (an empty body or `{}`): try the job again now.
Administrators only (403 for anyone else); 404 for a number that is no incident.
"""

from __future__ import annotations

from flask import request
from marshmallow import fields

from engine.services import incidents
from webapp.api import bp
from webapp.api.inputs import ID, json_object, load
from webapp.api.openapi import documented
from webapp.api.schemas import StrictSchema, dump
from webapp.requests import actor, now
from webapp.transaction import db


class RetryRequestSchema(StrictSchema):
    """Nothing to say: the body is empty or `{}`."""


class IncidentSchema(StrictSchema):
    """A failed job. `kind` is its stable code, `label` the English name of its kind; a
    timer's incident names its run (`instance_id`, `instance_title`). `state` is `failed`,
    or `pending` once retried; `attempts` counts the tries since the last retry."""

    id = fields.Integer()
    kind = fields.String()
    label = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    last_error_at = fields.DateTime(allow_none=True)
    run_at = fields.DateTime()
    created_at = fields.DateTime()
    instance_id = fields.Integer(allow_none=True)
    instance_title = fields.String(allow_none=True)


class JobCountsSchema(StrictSchema):
    """Jobs waiting to run; those due for over a minute (`overdue`: is a worker running?);
    incidents (`failed`)."""

    pending = fields.Integer()
    overdue = fields.Integer()
    failed = fields.Integer()


class IncidentListSchema(StrictSchema):
    items = fields.List(fields.Nested(IncidentSchema))
    counts = fields.Nested(JobCountsSchema)


@bp.get("/incidents")
@documented("List incidents (failed background jobs)", tag="admin",
            ok={200: IncidentListSchema}, errors=(403,))
def list_incidents():
    session, user = db(), actor()
    answer = {"items": incidents.list_incidents(session, user),
              "counts": incidents.count_jobs(session, user, now())}
    return dump(IncidentListSchema(), answer, {"now": now()})


@bp.post(f"/incidents/<{ID}:job_id>/retry")
@documented("Retry an incident now", tag="admin", ok={200: IncidentSchema},
            body=RetryRequestSchema, errors=(403, 404, 409))
def retry_incident(job_id: int):
    if request.get_data(cache=True).strip():
        load(RetryRequestSchema(), json_object())
    retried = incidents.retry_incident(db(), actor(), job_id, now())
    return dump(IncidentSchema(), retried, {"now": now()})

"""Disposisi over the API: `POST /tasks/<id>/reassign` {"to": username, "reason": text}.

The answer is the task as the other task endpoints give it, now held by the new assignee.
A task the caller may not see is a 404, a caller who may not reassign a 403, a task no
longer open a 409, and a person who may not take it (or no reason) a 400 whose code says
why (assignee_unknown, assignee_inactive, assignee_wrong_role, assignee_wrong_opd,
assignee_already_holds, reassign_reason_required, reassign_reason_too_long).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.services import access
from engine.services import reassign as reassigning
from webapp.api import bp
from webapp.api.inputs import ID, json_object, load
from webapp.api.openapi import documented
from webapp.api.schemas import StrictSchema, TaskSchema, UserRefSchema, dump
from webapp.api.views import dump_state
from webapp.requests import actor, now
from webapp.transaction import db


class ReassignRequestSchema(StrictSchema):
    """Who takes the task (their username) and why (trimmed; 1-500 characters)."""

    to = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class EligibleListSchema(Schema):
    """The people who may take the task, for a picker."""

    items = fields.List(fields.Nested(UserRefSchema))


@bp.post(f"/tasks/<{ID}:task_id>/reassign")
@documented("Reassign an open task to another person (Disposisi)", tag="tasks",
            ok={200: TaskSchema}, body=ReassignRequestSchema, errors=(403, 404, 409))
def reassign_task(task_id: int):
    access.ensure_can_write(actor())  # a read-only caller is refused before the body is read
    body = load(ReassignRequestSchema(), json_object())
    done = reassigning.reassign_task(db(), actor(), task_id, body["to"], body["reason"], now())
    return dump(TaskSchema(), done, dump_state())


@bp.get(f"/tasks/<{ID}:task_id>/eligible-assignees")
@documented("List who may receive a task by Disposisi", tag="tasks",
            ok={200: EligibleListSchema}, errors=(403, 404))
def list_eligible_assignees(task_id: int):
    people = reassigning.list_eligible(db(), actor(), task_id)
    return dump(EligibleListSchema(), {"items": people}, dump_state())

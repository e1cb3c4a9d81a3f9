"""Task drafts over the API: PUT keeps the caller's draft of an open task (any JSON object,
not validated, at most engine.services.drafts.MAX_DRAFT_BYTES), GET gives it back (404
`draft_not_found` when there is none), DELETE drops it. Each caller sees only their own."""

from __future__ import annotations

from marshmallow import Schema, fields

from engine.errors import NotFoundError
from engine.models.drafts import TaskDraft
from engine.services import drafts
from webapp.api import bp
from webapp.api.inputs import ID, json_object
from webapp.api.openapi import documented
from webapp.i18n import zone
from webapp.requests import actor, now
from webapp.transaction import db


class DraftSchema(Schema):
    task_id = fields.Integer()
    data = fields.Dict()
    saved_at = fields.DateTime()


ANY_OBJECT = {"application/json": {"type": "object", "additionalProperties": True}}


def draft_answer(task_id: int, draft: TaskDraft) -> dict:
    return {"task_id": task_id, "data": draft.data,
            "saved_at": draft.saved_at.astimezone(zone()).isoformat()}


@bp.put(f"/tasks/<{ID}:task_id>/draft")
@documented("Keep a draft of a task's form", tag="tasks", ok={200: DraftSchema},
            body=ANY_OBJECT, errors=(403, 404, 409))
def put_draft(task_id: int):
    draft = drafts.save_draft(db(), actor(), task_id, json_object(), now())
    return draft_answer(task_id, draft)


@bp.get(f"/tasks/<{ID}:task_id>/draft")
@documented("Read the caller's draft of a task", tag="tasks", ok={200: DraftSchema},
            errors=(404,))
def get_draft(task_id: int):
    draft = drafts.load_draft(db(), actor(), task_id)
    if draft is None:
        raise NotFoundError("No draft is saved for this task", code="draft_not_found")
    return draft_answer(task_id, draft)


@bp.delete(f"/tasks/<{ID}:task_id>/draft")
@documented("Drop the caller's draft of a task", tag="tasks", ok={204: None},
            errors=(404,))
def delete_draft(task_id: int):
    drafts.discard_draft(db(), actor(), task_id)
    return "", 204

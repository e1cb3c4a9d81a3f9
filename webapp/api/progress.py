"""What the API adds around completing a task: the confirmation an irreversible choice
needs (`"confirmed": true` in the body beside the form's data, else 409
`confirmation_required` with the texts in details.confirm), and the `next` field of the
answer (who acts next and by when, a timer, or the end of the run)."""

from __future__ import annotations

from marshmallow import Schema, fields

from engine.services import progress
from webapp.inbox.pages import progress_lines
from webapp.requests import actor
from webapp.transaction import db


class NextStepSchema(Schema):
    sop_step = fields.String(allow_none=True)
    name = fields.String()
    lane = fields.String(allow_none=True)
    opds = fields.List(fields.String())
    count = fields.Integer()
    due_on = fields.Date(allow_none=True)


class NextSchema(Schema):
    """Who acts next and by when (`steps`), a timer (`opens_at`), or the end of the run."""

    status = fields.String()
    message = fields.String()
    opens_at = fields.DateTime(allow_none=True)
    opens_step = fields.Integer(allow_none=True)
    steps = fields.List(fields.Nested(NextStepSchema))


def confirmed_data(task_id: int, body: dict) -> dict:
    """The form's data without `confirmed`, once an irreversible choice in it is confirmed."""
    data = {key: value for key, value in body.items() if key != "confirmed"}
    progress.check_confirmed(db(), actor(), task_id, data, body.get("confirmed") is True)
    return data


def next_answer(instance_id: int) -> dict:
    found = progress.progress_of(db(), actor(), instance_id)
    return {
        "status": found.status,
        "message": ". ".join(progress_lines(found)),
        "opens_at": found.opens_at.isoformat() if found.opens_at else None,
        "opens_step": int(found.opens_step) if (found.opens_step or "").isdigit() else None,
        "steps": [{"sop_step": step.sop_step, "name": step.name, "lane": step.lane,
                   "opds": list(step.opds), "count": step.count,
                   "due_on": step.due_on.isoformat() if step.due_on else None}
                  for step in found.steps],
    }

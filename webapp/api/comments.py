"""Comments on a run itself over the API: `GET/POST /instances/<id>/comments`.

GET lists every comment of the run the caller may read, the run's own (task_id null) and
those of the tasks they may read, oldest first; POST adds one to the run (201). A run the
caller may not see is a 404, a read-only caller a 403, an empty or too long body a 400.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from engine.services import access, comments
from webapp.api import bp
from webapp.api.inputs import ID, json_object, load
from webapp.api.openapi import documented
from webapp.api.schemas import CommentRequestSchema, CommentSchema, dump
from webapp.api.views import dump_state
from webapp.requests import actor, now
from webapp.transaction import db


class RunCommentSchema(CommentSchema):
    """A comment of a run: `task_id` and `task_name` are null for one about the run itself."""

    task_id = fields.Integer(allow_none=True)
    task_name = fields.String(allow_none=True)


class RunCommentListSchema(Schema):
    items = fields.List(fields.Nested(RunCommentSchema))


def _row(found: comments.RunComment) -> dict:
    row = found.comment
    return {"id": row.id, "task_id": row.task_id, "author": row.author, "body": row.body,
            "created_at": row.created_at, "task_name": found.task.name if found.task else None}


@bp.get(f"/instances/<{ID}:instance_id>/comments")
@documented("List the comments of a process run and its tasks", tag="instances",
            ok={200: RunCommentListSchema}, errors=(404,))
def list_instance_comments(instance_id: int):
    found = comments.list_instance_comments(db(), actor(), instance_id)
    return dump(RunCommentListSchema(), {"items": [_row(item) for item in found]},
                dump_state())


@bp.post(f"/instances/<{ID}:instance_id>/comments")
@documented("Comment on a process run itself", tag="instances", ok={201: RunCommentSchema},
            body=CommentRequestSchema, errors=(403, 404))
def add_instance_comment(instance_id: int):
    access.ensure_can_write(actor())  # a read-only caller is refused before the body is read
    body = load(CommentRequestSchema(), json_object())
    added = comments.add_run_comment(db(), actor(), instance_id, body["body"], now())
    return dump(RunCommentSchema(), _row(comments.RunComment(added, None)), dump_state()), 201

"""Tasks over the API: the caller's list, one task with its form, and the three actions.

The services decide who may see and act: a task the caller may not see is a 404
`task_not_found`, one they may see but not act on (another lane) a 403 `not_your_task`,
and a lost race or a repeated action a 409.
"""

from __future__ import annotations

from functools import cache, partial

from marshmallow import fields

from engine.services import comments, tasks, taskviews
from webapp.api import bp
from webapp.api.inputs import ID, json_object, load, query_args
from webapp.api.openapi import documented
from webapp.api.progress import NextSchema, confirmed_data, next_answer
from webapp.api.schemas import (
    CommentListSchema,
    CommentRequestSchema,
    CommentSchema,
    TaskDetailSchema,
    TaskPageSchema,
    TaskQuerySchema,
    TaskSchema,
    dump,
)
from webapp.api.views import dump_state, page_of
from webapp.requests import actor, now
from webapp.transaction import db

# The body of a completion: the form's fields, plus `confirmed` for an irreversible choice.
SUBMISSION = {"application/json": {
    "type": "object", "additionalProperties": True,
    "properties": {"confirmed": {"type": "boolean",
                                 "description": "true once an irreversible choice is confirmed"}},
}}


class CompletedTaskSchema(TaskSchema):
    """The completed task and what happens next."""

    next = fields.Nested(NextSchema)


@bp.get("/tasks")
@documented("List the caller's tasks", tag="tasks", ok={200: TaskPageSchema},
            query=TaskQuerySchema)
def list_tasks():
    filters = query_args(TaskQuerySchema())
    rows, total = tasks.list_tasks(db(), actor(), filters)
    return page_of(
        TaskSchema(many=True), rows, page=filters.page, per_page=filters.per_page, total=total
    )


@bp.get(f"/tasks/<{ID}:task_id>")
@documented("Read one task with its form", tag="tasks", ok={200: TaskDetailSchema},
            errors=(404,))
def get_task(task_id: int):
    found = tasks.get_task_for(db(), actor(), task_id)
    lists_of = cache(partial(taskviews.task_form_lists, db()))  # options and facts: one read
    return dump(TaskDetailSchema(), found, dump_state(form_lists=lists_of))


@bp.post(f"/tasks/<{ID}:task_id>/claim")
@documented("Claim a task", tag="tasks", ok={200: TaskSchema}, errors=(403, 404, 409))
def claim_task(task_id: int):
    claimed = tasks.claim_task(db(), actor(), task_id, now())
    return dump(TaskSchema(), claimed, dump_state())


@bp.post(f"/tasks/<{ID}:task_id>/unclaim")
@documented("Release a claimed task", tag="tasks", ok={200: TaskSchema},
            errors=(403, 404, 409))
def unclaim_task(task_id: int):
    released = tasks.unclaim_task(db(), actor(), task_id, now())
    return dump(TaskSchema(), released, dump_state())


@bp.post(f"/tasks/<{ID}:task_id>/complete")
@documented("Complete a task with its form's data", tag="tasks",
            ok={200: CompletedTaskSchema}, body=SUBMISSION, errors=(403, 404, 409))
def complete_task(task_id: int):
    data = confirmed_data(task_id, json_object())
    done = tasks.complete_task(db(), actor(), task_id, data, now())
    return {**dump(TaskSchema(), done, dump_state()), "next": next_answer(done.instance_id)}


@bp.get(f"/tasks/<{ID}:task_id>/comments")
@documented("List a task's comments", tag="tasks", ok={200: CommentListSchema},
            errors=(404,))
def list_comments(task_id: int):
    found = comments.list_comments(db(), actor(), task_id)
    return {"items": dump(CommentSchema(many=True), found, dump_state())}


@bp.post(f"/tasks/<{ID}:task_id>/comments")
@documented("Comment on a task", tag="tasks", ok={201: CommentSchema},
            body=CommentRequestSchema, errors=(403, 404))
def add_comment(task_id: int):
    body = load(CommentRequestSchema(), json_object())
    added = comments.add_comment(db(), actor(), task_id, body["body"], now())
    return dump(CommentSchema(), added, dump_state()), 201

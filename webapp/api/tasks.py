"""Tasks over the API: the caller's list, one task with its form, and the three actions.

The services decide who may see and act: a task the caller may not see is a 404
`task_not_found`, one they may see but not act on (another lane) a 403 `not_your_task`,
and a lost race or a repeated action a 409.
"""

from __future__ import annotations

from functools import partial

from engine.services import comments, tasks, taskviews
from webapp.api import bp
from webapp.api.inputs import ID, json_object, load, query_args
from webapp.api.progress import confirmed_data, next_answer
from webapp.api.schemas import (
    CommentRequestSchema,
    CommentSchema,
    TaskDetailSchema,
    TaskQuerySchema,
    TaskSchema,
    dump,
)
from webapp.api.views import dump_state, page_of
from webapp.requests import actor, now
from webapp.transaction import db


@bp.get("/tasks")
def list_tasks():
    filters = query_args(TaskQuerySchema())
    rows, total = tasks.list_tasks(db(), actor(), filters)
    return page_of(
        TaskSchema(many=True), rows, page=filters.page, per_page=filters.per_page, total=total
    )


@bp.get(f"/tasks/<{ID}:task_id>")
def get_task(task_id: int):
    found = tasks.get_task_for(db(), actor(), task_id)
    options = partial(taskviews.form_options, db())
    return dump(TaskDetailSchema(), found, dump_state(options=options))


@bp.post(f"/tasks/<{ID}:task_id>/claim")
def claim_task(task_id: int):
    claimed = tasks.claim_task(db(), actor(), task_id, now())
    return dump(TaskSchema(), claimed, dump_state())


@bp.post(f"/tasks/<{ID}:task_id>/unclaim")
def unclaim_task(task_id: int):
    released = tasks.unclaim_task(db(), actor(), task_id, now())
    return dump(TaskSchema(), released, dump_state())


@bp.post(f"/tasks/<{ID}:task_id>/complete")
def complete_task(task_id: int):
    data = confirmed_data(task_id, json_object())
    done = tasks.complete_task(db(), actor(), task_id, data, now())
    return {**dump(TaskSchema(), done, dump_state()), "next": next_answer(done.instance_id)}


@bp.get(f"/tasks/<{ID}:task_id>/comments")
def list_comments(task_id: int):
    found = comments.list_comments(db(), actor(), task_id)
    return {"items": dump(CommentSchema(many=True), found, dump_state())}


@bp.post(f"/tasks/<{ID}:task_id>/comments")
def add_comment(task_id: int):
    body = load(CommentRequestSchema(), json_object())
    added = comments.add_comment(db(), actor(), task_id, body["body"], now())
    return dump(CommentSchema(), added, dump_state()), 201

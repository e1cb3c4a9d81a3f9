"""Comments (Catatan) on the task page and on the run's page."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import InvalidInputError, PermissionDeniedError
from engine.services import comments, instances, tasks
from webapp.inbox import bp
from webapp.inbox.instances import render_instance
from webapp.inbox.tasks import keep_draft, render_task
from webapp.requests import actor, now
from webapp.transaction import db


@bp.post("/tasks/<id:task_id>/comments")
@login_required
def comment(task_id: int):
    session, user = db(), actor()
    task = tasks.get_task_for(session, user, task_id)
    values = keep_draft(session, user, task)  # the form's fields ride along: nothing is lost
    try:
        comments.add_comment(session, user, task_id, request.form.get("body", ""), now())
    except (InvalidInputError, PermissionDeniedError) as error:  # auditors: read-only
        return render_task(task, values=values, comment_error=gettext(error.message),
                           status=error.status)
    flash(gettext("Your comment has been added."), "success")
    return redirect(url_for("inbox.task", task_id=task_id) + "#catatan")


@bp.post("/instances/<id:instance_id>/comments")
@login_required
def instance_comment(instance_id: int):
    """A comment on the run itself; a refused one comes back with its text and the reason."""
    session, user = db(), actor()
    found = instances.get_instance_for(session, user, instance_id)
    body = request.form.get("body", "")
    try:
        comments.add_run_comment(session, user, instance_id, body, now())
    except (InvalidInputError, PermissionDeniedError) as error:  # auditors: read-only
        return render_instance(found, comment={"body": body, "error": gettext(error.message)},
                               status=error.status)
    flash(gettext("Your comment has been added."), "success")
    return redirect(url_for("inbox.instance", instance_id=instance_id) + "#catatan")

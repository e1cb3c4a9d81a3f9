"""Disposisi on the task page: the Kepala UKPBJ hands an open task to someone else.

A refusal (nobody chosen, no reason, a person who may not take the task) shows the task
page again with status 400 and the reason beside the form, what was typed kept; a refusal
of the person acting (a read-only role, a task no longer open) comes as a notice.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import DomainError, InvalidInputError
from engine.services import reassign as reassigning
from engine.services import tasks
from webapp.inbox import bp
from webapp.inbox.tasks import render_task
from webapp.requests import actor, now
from webapp.transaction import db


@bp.post("/tasks/<id:task_id>/reassign")
@login_required
def reassign(task_id: int):
    session, user = db(), actor()
    found = tasks.get_task_for(session, user, task_id)
    posted = {"to": request.form.get("to", ""), "reason": request.form.get("reason", "")}
    try:
        done = reassigning.reassign_task(session, user, task_id, posted["to"],
                                         posted["reason"], now())
    except InvalidInputError as error:
        field = "to" if "to" in (error.details or {}) else "reason"
        return render_task(found, disposition={**posted, "error": gettext(error.message),
                                               "field": field}, status=error.status)
    except DomainError as error:
        flash(gettext(error.message), "error")
        return render_task(found, disposition=posted, status=error.status)
    flash(gettext("“%(name)s” has been reassigned to %(person)s.", name=done.name,
                  person=done.claimed_by.full_name), "success")
    return redirect(url_for("inbox.task", task_id=task_id))

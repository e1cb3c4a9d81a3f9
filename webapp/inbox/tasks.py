"""A task's page: its form (or, once done, what was submitted), its SOP row and context.

Kirim completes the task through the service, which checks the lane, the OPD and the claim,
validates the form and runs the engine; a refused form comes back with status 400, every
answer kept and each problem beside its field, and the transaction rolls back.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import ConflictError, DomainError, InvalidInputError
from engine.models import HumanTask, User
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.services import (
    access,
    comments,
    documents,
    drafts,
    progress,
    reassign,
    tasks,
    versions,
)
from engine.services.tasks import TaskFilters
from engine.services.taskviews import form_lists
from webapp.inbox import back_to, bp
from webapp.inbox.fields import describe_form, posted_values, translate_problems, unmatched_problems
from webapp.inbox.pages import evidence_by_step, late_days_by_task, progress_lines
from webapp.requests import actor, now
from webapp.transaction import db


def task_form(session, task: HumanTask) -> dict:
    """The task's form-js schema, from the version's cached content (not the diagram row)."""
    return versions.content_of(session, task.instance.version).form(task.form_key)


def render_task(task: HumanTask, *, values: dict | None = None, problems: dict | None = None,
                upload_error: str | None = None, comment_error: str | None = None,
                confirm: list[str] | None = None, disposition: dict | None = None,
                status: int = 200):
    """The task page; an open task shows `values` (a refused post), else the viewer's own
    draft, else the prefill (earlier answers)."""
    session, user = db(), actor()
    content = versions.content_of(session, task.instance.version)
    schema = content.form(task.form_key)
    lists = form_lists(session, schema or {}, task)  # its OPD's packages, its run's plan
    fields = describe_form(session, schema, lists)
    problems = problems or {}
    is_open = task.state == TASK_OPEN
    editable = is_open and drafts.may_save_draft(user, task)
    draft = drafts.find_draft(session, user, task.id) if editable and values is None else None
    shown = task.data if not is_open else values if values is not None else \
        draft.data if draft else task.prefill
    page = render_template(
        "inbox/task.html", task=task, fields=fields, values=shown or {}, problems=problems,
        general_problems=unmatched_problems(fields, problems), upload_error=upload_error,
        facts=lists.facts,
        activity=content.activity(task.element_id), draft=draft, editable=editable,
        context=access.visible_context(session, user, task),
        can_act=is_open and tasks.can_act(user, task),
        held_by_other=task.claimed_by_id not in (None, user.id),
        late=late_days_by_task(session, [task], now()).get(task.id),
        documents=documents.list_documents(session, user, task.instance_id, task_id=task.id),
        comments=comments.list_comments(session, user, task.id), comment_error=comment_error,
        earlier=earlier_steps(session, user, task) if is_open else [],
        evidence=evidence_by_step(session, user, task), confirm=confirm or [],
        confirm_options=progress.confirmable_options(schema) if editable else [],
        max_upload=upload_limit(), disposition=disposition_form(session, user, task, disposition))
    return page, status


def disposition_form(session, user: User, task: HumanTask, posted: dict | None) -> dict | None:
    """The Disposisi form for those who may hand the task on (None for everyone else): the
    people who may take it, and what was posted if it was refused (kept, with the reason)."""
    if not reassign.can_reassign(user, task):
        return None
    return {"people": reassign.list_eligible(session, user, task.id), **(posted or {})}


def keep_draft(session, user: User, task: HumanTask) -> dict | None:
    """The task's form as posted beside an upload or a comment (its fields ride along with
    them), kept as the person's draft; the values to show again, or None without any."""
    if request.form.get("keep_draft") != "1" or not drafts.may_save_draft(user, task):
        return None
    values = posted_values(task_form(session, task), request.form)
    try:
        drafts.save_draft(session, user, task.id, values, now())
    except DomainError as error:
        flash(gettext(error.message), "error")
    return values


def earlier_steps(session, user: User, task: HumanTask) -> list[tuple[HumanTask, list]]:
    """The latest answers of each earlier step of this run and period that the user may read."""
    latest: dict[tuple, HumanTask] = {}
    for row in tasks.list_instance_tasks(session, user, task.instance_id, {task.period_no}):
        if row.state == TASK_COMPLETED and row.id != task.id:
            latest[(row.element_id, row.opd_id)] = row
    done = sorted(latest.values(), key=lambda row: (row.completed_at, row.id))
    return [(row, describe_form(session, task_form(session, row))) for row in done]


def upload_limit() -> int:
    return int(current_app.config.get("MAX_UPLOAD_BYTES")
               or current_app.extensions["alur"].settings.max_upload_bytes)


@bp.get("/tasks/<id:task_id>")
@login_required
def task(task_id: int):
    return render_task(tasks.get_task_for(db(), actor(), task_id))


@bp.post("/tasks/<id:task_id>")
@login_required
def submit(task_id: int):
    session, user = db(), actor()
    found = tasks.get_task_for(session, user, task_id)
    values = posted_values(task_form(session, found), request.form)
    try:
        progress.check_confirmed(session, user, task_id, values,
                                 request.form.get("confirmed") == "1")
        done = tasks.complete_task(session, user, task_id, values, now())
    except InvalidInputError as error:
        return render_task(found, values=values, problems=translate_problems(error.details),
                           status=400)
    except ConflictError as error:
        if error.code != "confirmation_required":
            return _refused(found, values, error)
        return render_task(found, values=values, confirm=error.details["confirm"])
    except DomainError as error:
        return _refused(found, values, error)
    flash(sent_message(user, done), "success")
    return redirect(_next_page(user, done))


def _refused(found: HumanTask, values: dict, error: DomainError):
    """Any other refusal (a colleague took the task, a diagram bound stopped the step, the
    role is read-only): the form again with what was typed and the reason above it; the
    error's status makes the transaction roll back. Where the page shows no form (the task
    is no longer open, or is not the viewer's to fill) the reason comes as a notice."""
    if found.state != TASK_OPEN or not drafts.may_save_draft(actor(), found):
        flash(gettext(error.message), "error")
        return render_task(found, status=error.status)
    return render_task(found, values=values, problems={"": [gettext(error.message)]},
                       status=error.status)


def sent_message(user: User, done: HumanTask) -> str:
    """"Tugas ... telah dikirim." and what comes next: who acts, by when, or a timer."""
    lines = progress_lines(progress.progress_of(db(), user, done.instance_id))
    sent = gettext("Task “%(name)s” has been sent.", name=done.name)
    return " ".join([sent, *(line + "." for line in lines)])


def _next_page(user: User, done: HumanTask) -> str:
    """The next task of the same Pelaksanaan this person can work on, else the inbox."""
    rows, _ = tasks.list_tasks(db(), user, TaskFilters(scope="all", instance_id=done.instance_id,
                                                       per_page=50))
    free = [row for row in rows if row.claimed_by_id in (None, user.id)]
    return url_for("inbox.task", task_id=free[0].id) if free else url_for("inbox.index")


@bp.post("/tasks/<id:task_id>/draft")
@login_required
def save_draft(task_id: int):
    """Simpan draf: the form as typed, not checked, kept for this person only."""
    session, user = db(), actor()
    found = tasks.get_task_for(session, user, task_id)
    values = posted_values(task_form(session, found), request.form)
    try:
        drafts.save_draft(session, user, task_id, values, now())
    except DomainError as error:
        flash(gettext(error.message), "error")
        return render_task(found, values=values, status=error.status)
    flash(gettext("Your draft has been saved; it comes back when you open this task again."),
          "success")
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<id:task_id>/draft/discard")
@login_required
def discard_draft(task_id: int):
    drafts.discard_draft(db(), actor(), task_id)
    flash(gettext("Your draft has been discarded."), "success")
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<id:task_id>/claim")
@login_required
def claim(task_id: int):
    done = tasks.claim_task(db(), actor(), task_id, now())
    flash(gettext("You have taken “%(name)s”.", name=done.name), "success")
    return redirect(back_to("inbox.task", task_id=task_id))


@bp.post("/tasks/<id:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    done = tasks.unclaim_task(db(), actor(), task_id, now())
    flash(gettext("You have released “%(name)s”; it is back in the group's tasks.",
                  name=done.name), "success")
    return redirect(back_to("inbox.task", task_id=task_id))

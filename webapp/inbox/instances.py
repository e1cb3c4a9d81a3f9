"""Pelaksanaan: the list of process runs, one run's whole story, and starting a new one."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import InvalidInputError, PermissionDeniedError
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.services import deployments, documents, instances, tasks, users, versions
from engine.services.history import list_events, verify_chain
from engine.services.tasks import TaskFilters
from engine.services.timers import timer_failure_of
from webapp.inbox import bp, positive_int
from webapp.inbox.fields import describe_form, posted_values, translate_problems, unmatched_problems
from webapp.inbox.pages import (
    late_days_by_task,
    startable_definitions,
)
from webapp.requests import actor, now
from webapp.transaction import db

PER_PAGE = 20
EVENTS_SHOWN = 100


@bp.get("/instances", endpoint="instances")
@login_required
def list_runs():
    session, user = db(), actor()
    page = positive_int("page")
    rows, total = instances.list_instances(session, user, page=page, per_page=PER_PAGE)
    return render_template("inbox/instances.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)),
                           startable=startable_definitions(session, user))


def _history(session, user, instance_id: int) -> dict:
    """The event log for the unit and its overseers; a PJ Kinerja sees no other OPD's data."""
    if not user.roles & instances.OVERSEER_ROLES:
        return {"events": None, "event_total": 0, "broken_at": None}
    events = list_events(session, instance_id)
    shown = events if request.args.get("events") == "all" else events[-EVENTS_SHOWN:]
    return {"events": list(reversed(shown)), "event_total": len(events),
            "broken_at": verify_chain(events)}


@bp.get("/instances/<id:instance_id>")
@login_required
def instance(instance_id: int):
    session, user = db(), actor()
    found = instances.get_instance_for(session, user, instance_id)
    rows = tasks.list_instance_tasks(session, user, instance_id)
    history = _history(session, user, instance_id)
    people = [found.started_by_id, *(e.actor_id for e in history["events"] or ()),
              *(t.claimed_by_id for t in rows), *(t.completed_by_id for t in rows)]
    return render_template(
        "inbox/instance.html", instance=found, **history, failure=timer_failure_of(found, user),
        open_tasks=[t for t in rows if t.state == TASK_OPEN],
        periods=[(no, list(group)) for no, group in groupby(rows, key=lambda t: t.period_no)],
        visible={t.id for t in rows if tasks.can_view(user, t)},
        late=late_days_by_task(session, rows, now()),
        documents=documents.list_documents(session, user, instance_id),
        names=users.full_names(session, people))


@bp.get("/instances/<id:instance_id>/diagram")
@login_required
def diagram(instance_id: int):
    """The run's deployed BPMN and, per element, how many of its visible tasks are open or done."""
    session, user = db(), actor()
    found = instances.get_instance_for(session, user, instance_id)
    counts = Counter((t.element_id, t.state)
                     for t in tasks.list_instance_tasks(session, user, instance_id)
                     if t.state in (TASK_OPEN, TASK_COMPLETED))
    elements: dict[str, dict[str, int]] = {}
    for (element_id, state), n in sorted(counts.items()):
        elements.setdefault(element_id, {TASK_OPEN: 0, TASK_COMPLETED: 0})[state] = n
    response = jsonify({"xml": versions.diagram_of(found.version), "elements": elements})
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _start_version(session, user):
    """The process to start (?definition=key, else the first the user may start), or 403."""
    allowed = startable_definitions(session, user)
    wanted = request.values.get("definition")
    chosen = next((d for d in allowed if d.key == wanted or not wanted), None)
    if chosen is None:
        raise PermissionDeniedError("You may not start this process", code="start_not_allowed")
    return deployments.latest_version(session, chosen.key)


def _start_form(session, version) -> dict:
    """The start event's form-js schema, from the version's cached content."""
    content = versions.content_of(session, version)
    return content.form(content.start.get("form_key"))


def _render_start(version, *, values=None, problems=None, status=200):
    fields = describe_form(db(), _start_form(db(), version))
    problems = problems or {}
    return render_template("inbox/start.html", version=version, fields=fields,
                           values=values or {}, problems=problems,
                           general_problems=unmatched_problems(fields, problems)), status


@bp.route("/instances/new", methods=["GET", "POST"])
@login_required
def start():
    session, user = db(), actor()
    version = _start_version(session, user)
    if request.method == "GET":
        return _render_start(version)
    values = posted_values(_start_form(session, version), request.form)
    try:
        started = instances.start_instance(session, user, version.definition.key, values, now())
    except InvalidInputError as error:
        return _render_start(version, values=values, problems=translate_problems(error.details),
                             status=400)
    flash(gettext("Process run %(number)s has started.", number=started.registration_no),
          "success")
    rows, _ = tasks.list_tasks(session, user, TaskFilters(scope="all", instance_id=started.id,
                                                          per_page=1))
    target = url_for("inbox.task", task_id=rows[0].id) if rows else \
        url_for("inbox.instance", instance_id=started.id)
    return redirect(target)

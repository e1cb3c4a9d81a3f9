"""Pelaksanaan: the list of process runs, one run's whole story, and starting a new one."""

from __future__ import annotations

from itertools import groupby

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import InvalidInputError, PermissionDeniedError
from engine.models.tasks import TASK_OPEN
from engine.services import (
    access,
    comments,
    deployments,
    diagramviews,
    documents,
    instances,
    tasks,
    users,
    versions,
)
from engine.services.access import visible_events
from engine.services.eventviews import describe_events
from engine.services.history import head_of, list_events, verify_chain
from engine.services.tasks import TaskFilters
from engine.services.timers import timer_failure_of
from webapp.filters import page_formats
from webapp.inbox import bp, positive_int
from webapp.inbox.diagrams import diagram_payload, waiting_text
from webapp.inbox.fields import describe_form, posted_values, translate_problems, unmatched_problems
from webapp.inbox.pages import (
    late_days_by_task,
    startable_definitions,
)
from webapp.requests import actor, now
from webapp.transaction import db

PER_PAGE = 20
TECHNICAL_ROLES = frozenset({"admin", "auditor"})
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


def _history(session, user, instance) -> dict:
    """The events this person may read (engine.services.access: a PJ Kinerja sees the shared
    steps and their own OPD's), newest first; the chain is verified whole, head included."""
    events = list_events(session, instance.id)
    readable = visible_events(session, user, instance, events)
    shown = readable if request.args.get("events") == "all" else readable[-EVENTS_SHOWN:]
    return {"events": list(reversed(shown)), "event_total": len(readable),
            "broken_at": verify_chain(events, head=head_of(instance))}


def _history_views(session, user, found, events) -> dict:
    """The shown events by activity names, labels and formatted values; the stored data only
    for administrators and auditors, folded (TECHNICAL_ROLES)."""
    if events is None:
        return {"event_views": None, "show_technical": False}
    return {"event_views": describe_events(session, found.version, events, page_formats()),
            "show_technical": bool(user.roles & TECHNICAL_ROLES)}


@bp.get("/instances/<id:instance_id>")
@login_required
def instance(instance_id: int):
    return render_instance(instances.get_instance_for(db(), actor(), instance_id))


def render_instance(found, *, comment: dict | None = None, status: int = 200):
    """The run's page; `comment` holds a refused comment (its text and the reason) to show
    again beside the comment form."""
    session, user, instance_id = db(), actor(), found.id
    rows = tasks.list_instance_tasks(session, user, instance_id)
    history = _history(session, user, found)
    history.update(_history_views(session, user, found, history["events"]))
    people = [found.started_by_id, *(e.actor_id for e in history["events"] or ()),
              *(t.claimed_by_id for t in rows), *(t.completed_by_id for t in rows)]
    return render_template(
        "inbox/instance.html", instance=found, **history, failure=timer_failure_of(found, user),
        comments=comments.list_instance_comments(session, user, instance_id),
        may_comment=not access.is_read_only(user), comment=comment or {},
        open_tasks=[t for t in rows if t.state == TASK_OPEN],
        periods=[(no, list(group)) for no, group in groupby(rows, key=lambda t: t.period_no)],
        visible={t.id for t in rows if tasks.can_view(user, t)},
        late=late_days_by_task(session, rows, now()),
        documents=documents.list_documents(session, user, instance_id),
        diagram=diagramviews.describe_diagram(session, user, instance_id),
        waiting_text=waiting_text,
        names=users.full_names(session, people)), status


@bp.get("/instances/<id:instance_id>/diagram")
@login_required
def diagram(instance_id: int):
    """The run's deployed BPMN and where it stands, counted from the tasks the viewer may see
    (engine.services.diagramviews): the viewer script's data, never shown as it is."""
    session, user = db(), actor()
    found = instances.get_instance_for(session, user, instance_id)
    view = diagramviews.describe_diagram(session, user, instance_id)
    response = jsonify(diagram_payload(view, found.version))
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

"""Kotak Masuk: the tasks a person holds (Tugas Saya) and may take (Tugas Kelompok).

The blueprint `bp` lives in webapp/inbox/__init__.py; importing this module also loads the
task, instance and document pages so that registering `bp` registers them all.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from engine.models.instances import STATUS_RUNNING
from engine.services import instances, progress
from engine.services.tasks import TaskFilters, list_tasks
from webapp.inbox import bp, positive_int
from webapp.inbox.pages import (
    late_days_by_task,
    progress_lines,
    saved_filters_view,
    sop_step_choices,
    startable_definitions,
)
from webapp.requests import actor, now
from webapp.transaction import db

PER_PAGE = 20
RUNS_SHOWN = 10
SORTS = ("due_on", "created_at", "-created_at")

__all__ = ["bp"]


def _filters(scope: str) -> TaskFilters:
    sort = request.args.get("sort")
    return TaskFilters(
        scope=scope,
        sop_step=request.args.get("step") or None,
        instance_id=positive_int("instance", 0) or None,
        sort=sort if sort in SORTS else "due_on",
        page=positive_int("page"),
        per_page=PER_PAGE,
    )


def _chosen_tab(session, user) -> str:
    """The tab asked for; without one, Tugas Saya if it holds anything, else Tugas Kelompok."""
    tab = request.args.get("tab")
    if tab in ("mine", "group"):
        return tab
    _, mine = list_tasks(session, user, TaskFilters(scope="mine", per_page=1))
    return "mine" if mine else "group"


@bp.get("/")
@login_required
def index():
    return render_index()


def render_index(*, saving: dict | None = None, status: int = 200):
    """The inbox; `saving` holds a refused save or rename of a filter (the name typed and
    the reason) to show again beside its form."""
    session, user = db(), actor()
    tab = _chosen_tab(session, user)
    filters = _filters(tab)
    rows, total = list_tasks(session, user, filters)
    counts = {scope: list_tasks(session, user, TaskFilters(scope=scope, per_page=1))[1]
              for scope in ("mine", "group")}
    running, _ = instances.list_instances(session, user, per_page=100, status=STATUS_RUNNING)
    return render_template(
        "inbox/index.html", tab=tab, rows=rows, total=total, filters=filters, counts=counts,
        pages=max(1, -(-total // PER_PAGE)), late=late_days_by_task(session, rows, now()),
        steps=sop_step_choices(session), running=running,
        runs=[] if rows else runs_overview(session, user, running),
        startable=startable_definitions(session, user),
        **saved_filters_view(session, user, saving)), status


def runs_overview(session, user, running: list) -> list[tuple]:
    """For an empty list: the runs the person may see and where each stands, so an empty
    inbox says who the work waits on instead of nothing."""
    return [(run, progress_lines(progress.progress_of(session, user, run.id)))
            for run in running[:RUNS_SHOWN]]


# The other pages of the blueprint register themselves on import.
from webapp.inbox import comments as _comments  # noqa: E402, F401
from webapp.inbox import documents as _documents  # noqa: E402, F401
from webapp.inbox import instances as _instances  # noqa: E402, F401
from webapp.inbox import reassign as _reassign  # noqa: E402, F401
from webapp.inbox import savedfilters as _savedfilters  # noqa: E402, F401
from webapp.inbox import tasks as _tasks  # noqa: E402, F401

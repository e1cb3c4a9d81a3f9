"""What the inbox pages show beside the services' rows: lateness, choices, links.

The template filters the inbox shares with every other blueprint live in webapp/filters.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import request, url_for
from flask_babel import gettext

from engine.models import Comment, Definition, Document, HumanTask, User
from engine.models.tasks import TASK_OPEN
from engine.services import (
    access,
    comments,
    deadlines,
    deployments,
    documents,
    progress,
    savedfilters,
    tasks,
    versions,
)
from engine.services.eventviews import ROLE_LABELS
from webapp.i18n import format_day
from webapp.inbox import bp
from webapp.inbox.fields import TEMPLATE_HELPERS


def late_days_by_task(session, rows: Iterable[HumanTask], now: datetime) -> dict[int, int]:
    """Working days past the Batas Waktu for each open, overdue task (absent when on time)."""
    due = [t for t in rows if t.state == TASK_OPEN and t.due_on is not None]
    if not due:
        return {}
    calendar = deadlines.WorkingCalendar.load(session, now, since=min(t.due_on for t in due))
    return {t.id: max(1, deadlines.overdue_working_days(t.due_on, now, calendar))
            for t in due if deadlines.is_overdue(t.due_on, now, calendar.zone)}


def _step_order(step: str) -> tuple[int, str]:
    match = re.match(r"\d+", step)
    return (int(match.group()) if match else 999, step)


def latest_versions(session) -> list:
    return [deployments.latest_version(session, definition.key)
            for definition in deployments.list_definitions(session)]


def sop_step_choices(session) -> list[str]:
    """The SOP rows that have a form (user tasks), in the SOP's order."""
    steps = {info.get("sop_step") for version in latest_versions(session)
             for key, info in versions.content_of(session, version).activities.items()
             if key != versions.START_KEY and info.get("form_key") and info.get("sop_step")}
    return sorted(steps, key=_step_order)


def startable_definitions(session, user: User) -> list[Definition]:
    """Processes whose start event lies in a lane of one of the user's roles."""
    return [version.definition for version in latest_versions(session)
            if versions.content_of(session, version).start.get("role") in user.roles]


def url_with(**changes) -> str:
    """This page's address with some query arguments changed (None removes one)."""
    args = {**(request.view_args or {}), **request.args.to_dict(), **changes}
    return url_for(request.endpoint, **{k: v for k, v in args.items() if v is not None})


def progress_lines(found: progress.Progress) -> list[str]:
    """What comes next in the reader's language: "Langkah 6 menunggu Kepala UKPBJ (batas
    12 Januari 2026)", "Langkah berikutnya terbuka pada ...", or "Pelaksanaan selesai"."""
    if found.status == progress.FINISHED:
        return [gettext("The process run is complete")]
    if found.status == progress.TIMER:
        if found.opens_step:
            return [gettext("Step %(n)s opens on %(when)s", n=found.opens_step,
                            when=format_day(found.opens_at))]
        return [gettext("The next step opens on %(when)s", when=format_day(found.opens_at))]
    if found.status == progress.IDLE:
        return [gettext("No step of this process run is open right now")]
    return [_waiting_line(step) for step in found.steps]


def _waiting_line(step: progress.NextStep) -> str:
    who = step.lane or gettext("its lane")
    if len(step.opds) == 1:
        who = f"{who} {step.opds[0]}"
    elif step.opds:
        who = gettext("%(lane)s (%(n)s OPDs)", lane=who, n=len(step.opds))
    what = gettext("Step %(n)s", n=step.sop_step) if step.sop_step else f"“{step.name}”"
    if step.due_on is None:
        return gettext("%(step)s is waiting for %(who)s", step=what, who=who)
    return gettext("%(step)s is waiting for %(who)s (due %(due)s)", step=what, who=who,
                   due=format_day(step.due_on))


@dataclass(frozen=True)
class StepEvidence:
    """The documents and comments of one step of the run, as the viewer may see them."""

    task: HumanTask
    documents: list[Document]
    comments: list[Comment]


def evidence_by_step(session, user: User, task: HumanTask) -> list[StepEvidence]:
    """Bukti dukung and catatan of the run's other steps, in the SOP's order, through the
    services' own visibility rules (a PJ Kinerja never sees another OPD's): the planning
    (period 0) and the task's own period; earlier periods' are on the run's page."""
    periods = {0, task.period_no}
    by_task: dict[int, list[Document]] = {}
    for document in documents.list_documents(session, user, task.instance_id):
        by_task.setdefault(document.task_id, []).append(document)
    found = []
    notes_by_task = comments.list_run_comments(session, user, task.instance_id, periods)
    for row in tasks.list_instance_tasks(session, user, task.instance_id, periods):
        if row.id == task.id:
            continue
        notes = notes_by_task.get(row.id, [])
        if by_task.get(row.id) or notes:
            found.append(StepEvidence(row, by_task.get(row.id, []), notes))
    return found


# The roles the Kepala UKPBJ may share a filter with: those that work tasks in the inbox.
SHARE_ROLES = ("tim_kelembagaan", "pj_kinerja", "kepala_ukpbj")


def saved_filter_url(saved) -> str:
    """The inbox with a saved filter's fields as its query (the page's own argument names)."""
    query = saved.query or {}
    scope = query.get("scope")
    return url_for("inbox.index", tab=scope if scope in ("mine", "group") else None,
                   step=query.get("sop_step"), instance=query.get("instance_id"),
                   sort=query.get("sort") if query.get("sort") != "due_on" else None)


def saved_filters_view(session, user: User, saving: dict | None) -> dict:
    """What the inbox shows of saved filters: each with its count and link, the share
    choices for the Kepala UKPBJ, and a refused save or rename to show again."""
    counted = savedfilters.list_counted(session, user)
    return {
        "saved_filters": [(item, saved_filter_url(item.saved)) for item in counted],
        "own_filters": [item.saved for item in counted if not item.shared_with_me],
        "may_save_filters": not access.is_read_only(user),
        "share_roles": [(code, gettext(ROLE_LABELS[code])) for code in SHARE_ROLES]
        if savedfilters.can_share(user) else [],
        "saving": saving or {},
        "filter_limit": savedfilters.MAX_PER_OWNER,
    }


@bp.record_once
def _register_helpers(state) -> None:
    state.app.jinja_env.globals.update(TEMPLATE_HELPERS, url_with=url_with)

"""What the inbox pages show beside the services' rows: lateness, choices, links.

The template filters the inbox shares with every other blueprint live in webapp/filters.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from flask import request, url_for

from engine.models import Definition, HumanTask, User
from engine.models.tasks import TASK_OPEN
from engine.services import deadlines, deployments, versions
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


@bp.record_once
def _register_helpers(state) -> None:
    state.app.jinja_env.globals.update(TEMPLATE_HELPERS, url_with=url_with)

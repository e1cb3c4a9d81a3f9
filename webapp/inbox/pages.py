"""What the inbox pages show beside the services' rows: lateness, choices, labels, formats."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime

from babel.numbers import format_decimal
from flask import request, url_for
from flask_babel import get_locale, gettext

from engine.models import Definition, HumanTask, User
from engine.models.tasks import TASK_OPEN
from engine.services import deadlines, deployments
from webapp.i18n import format_day
from webapp.inbox import bp
from webapp.inbox.fields import N_, TEMPLATE_HELPERS

EVENT_LABELS = {
    "instance_started": N_("Process run started"),
    "instance_ended": N_("Process run ended"),
    "task_created": N_("Task opened"),
    "task_claimed": N_("Task taken"),
    "task_unclaimed": N_("Task released"),
    "task_completed": N_("Task completed"),
    "task_cancelled": N_("Task cancelled"),
    "gateway_taken": N_("Decision taken"),
    "timer_fired": N_("Timer fired"),
    "period_started": N_("Reporting period started"),
    "period_completed": N_("Reporting period completed"),
    "document_added": N_("Supporting document uploaded"),
    "comment_added": N_("Comment added"),
}
STATUS_LABELS = {
    "running": N_("Running"),
    "completed": N_("Completed"),
    "open": N_("Open"),
    "cancelled": N_("Cancelled"),
}
PAYLOAD_LIMIT = 140


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
             for key, info in version.activities.items()
             if key != deployments.START_KEY and info.get("form_key") and info.get("sop_step")}
    return sorted(steps, key=_step_order)


def startable_definitions(session, user: User) -> list[Definition]:
    """Processes whose start event lies in a lane of one of the user's roles."""
    return [version.definition for version in latest_versions(session)
            if version.activities.get(deployments.START_KEY, {}).get("role") in user.roles]


def short_payload(payload: dict | None) -> str:
    """An event's payload on one line, cut to a readable length."""
    if not payload:
        return ""
    text = json.dumps(payload, ensure_ascii=False, separators=(", ", ": "), default=str)
    return text if len(text) <= PAYLOAD_LIMIT else text[: PAYLOAD_LIMIT - 1] + "…"


@bp.app_template_filter("percent")
def format_percent(value) -> str:
    """'85,75%' in Indonesian, '85.75%' in English; a dash when there is nothing to show."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.00", locale=str(get_locale() or "id")) + "%"


@bp.app_template_filter("isoday")
def format_isoday(value) -> str:
    """An ISO date string from form data ('2026-01-31') as '31 Januari 2026'."""
    try:
        return format_day(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


@bp.app_template_filter("event_label")
def event_label(kind: str) -> str:
    return gettext(EVENT_LABELS[kind]) if kind in EVENT_LABELS else kind


@bp.app_template_filter("status_label")
def status_label(status: str) -> str:
    return gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else status


@bp.app_template_filter("filesize")
def format_filesize(size: int | None) -> str:
    if size is None:
        return "—"
    locale = str(get_locale() or "id")
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{format_decimal(size / factor, format='#,##0.#', locale=locale)} {unit}"
    return gettext("%(n)s bytes", n=size)


@bp.app_template_filter("short_payload")
def _short_payload(payload) -> str:
    return short_payload(payload)


def url_with(**changes) -> str:
    """This page's address with some query arguments changed (None removes one)."""
    args = {**(request.view_args or {}), **request.args.to_dict(), **changes}
    return url_for(request.endpoint, **{k: v for k, v in args.items() if v is not None})


@bp.record_once
def _register_helpers(state) -> None:
    state.app.jinja_env.globals.update(TEMPLATE_HELPERS, url_with=url_with)

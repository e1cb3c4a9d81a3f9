"""Where a run stands and what comes next: who acts next and by when, or when a timer opens
the next step, or that the run is over. Also the choices of a form that cannot be undone
and must be confirmed before they are sent.

The people told are the ones who just acted (after Kirim), who look at their inbox, or an
API client; so only the open tasks the viewer may see are described (a PJ Kinerja never
learns another OPD's tasks), through the task service's own visibility rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine import forms
from engine.errors import ConflictError
from engine.forms.schemas import members
from engine.models import HumanTask, User
from engine.models.instances import STATUS_COMPLETED
from engine.models.tasks import TASK_OPEN
from engine.services import tasks, versions
from engine.services.diagramviews import outline_of
from engine.services.instances import get_instance_for
from engine.services.taskviews import form_context

FINISHED, WAITING, TIMER, IDLE = "finished", "waiting", "timer", "idle"


@dataclass(frozen=True)
class NextStep:
    """One step the run waits on: its SOP row, who (the lane) and which OPDs, the earliest
    due date among its open tasks, and how many are open."""

    sop_step: str | None
    name: str
    lane: str | None
    opds: tuple[str, ...]
    due_on: date | None
    count: int


@dataclass(frozen=True)
class Progress:
    """`finished`, `waiting` (steps open), `timer` (nothing open until `opens_at`) or `idle`."""

    status: str
    registration_no: str
    steps: tuple[NextStep, ...] = ()
    opens_at: datetime | None = None
    opens_step: str | None = None  # the SOP row the timer opens ("12"), when the diagram says


def progress_of(session: Session, actor: User, instance_id: int) -> Progress:
    """The run's next steps as the actor may see them."""
    instance = get_instance_for(session, actor, instance_id)
    number = instance.registration_no
    if instance.status == STATUS_COMPLETED:
        return Progress(FINISHED, number)
    rows = tasks.open_instance_tasks(session, actor, instance_id)
    if rows:
        return Progress(WAITING, number, steps=_steps(rows))
    if instance.next_due_at is not None and not instance.failed_attempts:
        return Progress(TIMER, number, opens_at=instance.next_due_at,
                        opens_step=_step_after_timer(session, actor, instance))
    return Progress(IDLE, number)


def _step_after_timer(session: Session, actor: User, instance) -> str | None:
    """The SOP row of the activity behind the timer that follows the viewer's last done task
    (row 11 -> the period's end -> row 12), or None when the diagram does not say."""
    last = tasks.last_completed_task(session, actor, instance.id)
    if last is None:
        return None
    outline = outline_of(session, instance.version)
    timer = outline.timer_after.get(last.element_id)
    target = outline.timer_leads_to.get(timer) if timer else None
    if target is None:
        return None
    return versions.content_of(session, instance.version).activity(target).get("sop_step")


def _steps(rows: list[HumanTask]) -> tuple[NextStep, ...]:
    """Open tasks grouped by activity and lane (one OPD's row 10 and four OPDs' alike)."""
    groups: dict[tuple, list[HumanTask]] = {}
    for row in sorted(rows, key=lambda r: (_step_number(r.sop_step), r.id)):
        groups.setdefault((row.element_id, row.role), []).append(row)
    return tuple(
        NextStep(
            sop_step=group[0].sop_step,
            name=group[0].name,
            lane=group[0].lane,
            opds=tuple(sorted({row.opd.name for row in group if row.opd is not None})),
            due_on=min((row.due_on for row in group if row.due_on), default=None),
            count=len(group),
        )
        for group in groups.values()
    )


def _step_number(step: str | None) -> int:
    digits = "".join(ch for ch in step or "" if ch.isdigit())
    return int(digits) if digits else 999


def confirmable_options(form: Mapping | None) -> list[tuple[str, Any, str]]:
    """(field key, option value, text) of every option a form marks as irreversible, with
    `"confirm": "Anda akan ..."` beside its value (say, ending the run at row 17 (c))."""
    found = []
    for comp in members((form or {}).get("components") or []):
        key, values = comp.get("key"), comp.get("values")
        if not key or not isinstance(values, list):
            continue
        found += [(key, option["value"], option["confirm"]) for option in values
                  if isinstance(option, Mapping) and "value" in option
                  and isinstance(option.get("confirm"), str)]
    return found


def confirmations_needed(form: Mapping | None, data: Mapping) -> list[str]:
    """The confirmation texts of the irreversible options chosen in `data`."""
    return [text for key, value, text in confirmable_options(form)
            if key in data and _is_chosen(value, data[key])]


def _is_chosen(option_value: Any, value: Any) -> bool:
    chosen = value if isinstance(value, list) else [value]
    return any(str(item) == str(option_value) for item in chosen)


def require_confirmation(form: Mapping | None, data: Mapping, confirmed: bool) -> None:
    """Refuse (409 `confirmation_required`, with the texts) an unconfirmed irreversible choice."""
    texts = confirmations_needed(form, data)
    if texts and not confirmed:
        raise ConflictError(
            "This choice cannot be undone: confirm it to send the form",
            code="confirmation_required",
            details={"confirm": texts},
        )


def check_confirmed(
    session: Session, actor: User, task_id: int, data: Mapping, confirmed: bool
) -> None:
    """Before completing: a valid form whose irreversible choice was not confirmed is a
    409 `confirmation_required`. Invalid data is a 400 first (confirming a form that cannot
    be sent helps nobody); a task the actor may not complete is left to complete_task,
    which says why."""
    task = tasks.get_task_for(session, actor, task_id)
    if task.state != TASK_OPEN or not tasks.can_act(actor, task) \
            or task.claimed_by_id not in (None, actor.id):
        return
    form = versions.content_of(session, task.instance.version).form(task.form_key)
    if not confirmations_needed(form, data):
        return
    forms.validate_submission(form, dict(data), context=form_context(session, form, task=task))
    require_confirmation(form, data, confirmed)

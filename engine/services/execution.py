"""Keep the database in step with a running workflow.

After the engine moves (an instance starts, a task is completed, a timer fires) this
module writes what happened: the event log, new and cancelled rows in the human-task
table (with their lane, role, OPD and due date), the period counter, the instance's
next timer and status, and the workflow parts that changed. Finished subprocesses are
dropped from the live state only after their events are stored.

After the commit (never before: `engine.db.on_commit`) the live workflow goes into the
runtime's workflow cache under the new state token, so the next step on the same
instance in this process can skip the load.

`flask alur replay-check` re-runs an instance from its log and expects the events this
module writes, in the order it decides them (engine.services.replaycheck_engine): a new
kind of logged engine event goes in both places.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from uuid import uuid4

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from engine.bpmn import runtime, serializer
from engine.db import on_commit
from engine.errors import InvalidInputError
from engine.events import EventType
from engine.models import HumanTask, InstanceState, Opd, ProcessInstance
from engine.models.instances import STATUS_COMPLETED
from engine.models.tasks import TASK_CANCELLED, TASK_OPEN
from engine.runtime import runtime_of
from engine.services import audit, deadlines, failures, jobs, notifications, versions
from engine.services.taskviews import build_context, build_prefill

log = logging.getLogger(__name__)


def start_live(
    session: Session, instance: ProcessInstance, start_data: dict, now: datetime
) -> runtime.LiveWorkflow:
    specs = versions.specs_of(session, instance.version)
    return runtime_of(session).bpmn.start(specs, start_data, now)


def load_live(
    session: Session, instance: ProcessInstance, now: datetime, *, record_failures: bool = True
) -> runtime.LiveWorkflow:
    """The instance's workflow: from the runtime's cache when current, else from its parts.

    With `record_failures`, a step that hits one of the settings' bounds is recorded on
    the instance after the rollback (engine.services.failures); the timer worker records
    its failures itself and passes False.
    """
    rt = runtime_of(session)
    cached = rt.workflows.take(instance.id, instance.state_token)
    if cached is not None:
        live = runtime.reuse_workflow(cached, now)
    else:
        live = load_stored(session, instance, now)
    live.on_run_error = (
        partial(failures.record_after_rollback, session, instance.id, now=now)
        if record_failures
        else None
    )
    return live


def load_stored(session: Session, instance: ProcessInstance, now: datetime) -> runtime.LiveWorkflow:
    """The instance's workflow rebuilt from its stored parts, whatever the cache holds."""
    rows = session.execute(
        select(InstanceState.part_key, InstanceState.state, InstanceState.format_version).where(
            InstanceState.instance_id == instance.id
        )
    ).all()
    serializer.check_formats(row.format_version for row in rows)
    parts = {row.part_key: row.state for row in rows}
    specs = versions.specs_of(session, instance.version)
    return runtime_of(session).bpmn.load(parts, specs, now)


def persist(
    session: Session,
    instance: ProcessInstance,
    live: runtime.LiveWorkflow,
    now: datetime,
    actor_id: int | None,
) -> list[int]:
    """Record what the engine did since `live` was loaded; returns the ids of tasks it opened.

    Nothing here reads what the ORM still holds unwritten, except the new tasks' prefill,
    context and due dates (_open_tasks flushes first), so autoflush is off: the instance row
    goes out once, with everything, at the next flush (the caller's commit, or the timer
    job's flush, which is scheduled last for that reason).
    """
    with session.no_autoflush:
        _record_steps(session, instance, live, now, actor_id)
        changed = runtime.changed_tasks(live)
        runtime.prune_completed_subprocesses(live)
        _count_periods(session, instance, live, changed, now)
        opened = _open_tasks(session, instance, changed, now)
        notifications.tasks_opened(session, instance, opened, now)
        _cancel_tasks(session, instance, changed, now)
        timer_moved = _save_state(session, instance, live, now)
        # a failure the worker recorded is over: its timer job (backing off, or an incident)
        # must follow the run again, even when the next timer itself did not move
        timer_moved |= _clear_failure(instance)
        if runtime.is_completed(live) and instance.status != STATUS_COMPLETED:
            instance.status, instance.ended_at = STATUS_COMPLETED, now
            audit.record_event(
                session, instance, EventType.INSTANCE_ENDED, now, actor_id=actor_id
            )
        if timer_moved:
            jobs.schedule_timer(session, instance.id, instance.next_due_at)
    return opened


def _clear_failure(instance: ProcessInstance) -> bool:
    """A step went through (timers included): a failure recorded by the worker is over.
    Returns whether there was one."""
    if instance.failed_attempts or instance.last_error:
        instance.failed_attempts, instance.last_error, instance.last_error_at = 0, None, None
        return True
    return False


def _record_steps(session, instance, live, now, actor_id) -> None:
    rules = versions.content_of(session, instance.version).rules
    for step in live.steps:
        element_id = step.task.task_spec.bpmn_id
        if step.kind == "gateway":
            audit.record_event(
                session,
                instance,
                EventType.GATEWAY_TAKEN,
                now,
                actor_id=actor_id,
                element_id=element_id,
                payload=step.detail,
            )
        elif step.kind == "timer":
            audit.record_event(
                session,
                instance,
                EventType.TIMER_FIRED,
                now,
                element_id=element_id,
                payload={**step.detail, "opd": rules.opd_code(element_id, step.task.data)[1]},
            )
        elif step.kind == "call_completed" and element_id in rules.period_activities:
            audit.record_event(
                session,
                instance,
                EventType.PERIOD_COMPLETED,
                now,
                element_id=element_id,
                payload={"period_no": instance.period_no},
            )
    live.steps.clear()


def _count_periods(session, instance, live, changed, now) -> None:
    """A call activity that the diagram says opens a period; the history before it is cut."""
    rules = versions.content_of(session, instance.version).rules
    for task in runtime.started_call_activities(live, changed, rules.period_activities):
        _compact(instance, live, task)
        instance.period_no += 1
        audit.record_event(
            session,
            instance,
            EventType.PERIOD_STARTED,
            now,
            element_id=task.task_spec.bpmn_id,
            payload={
                "period_no": instance.period_no,
                "akhir_periode": rules.period_end(task.task_spec.bpmn_id, task.data),
            },
        )


def _compact(instance, live, anchor) -> None:
    cut = runtime.compact_history(live, anchor)
    if cut.blocked_by:
        log.warning(
            "instance %s: history not cut at period %s: still live beside it: %s",
            instance.id,
            instance.period_no + 1,
            ", ".join(sorted(set(cut.blocked_by))),
        )


def _open_tasks(session, instance, changed, now) -> list[int]:
    """Rows (and task_created events) for the user tasks that became READY; returns their ids.

    A new period opens one task per OPD, so rows and events go in as bulk INSERTs.
    """
    spiff_tasks = runtime.changed_ready_user_tasks(changed)
    if not spiff_tasks:
        return []
    # The new rows' prefill, context and due dates read earlier tasks (the one just completed
    # among them), and the bulk INSERT of their events must follow the events pending in the
    # session (ids in chain order): write what is pending first.
    session.flush()
    content = versions.content_of(session, instance.version)
    opds = {o.code: o for o in session.scalars(select(Opd))}
    calendar = _DueDates(deadlines.WorkingCalendar.load(session, now))
    rows, codes = [], []
    for spiff_task in spiff_tasks:
        row, opd_code = _new_task_row(session, instance, spiff_task, content, opds, calendar, now)
        rows.append(row)
        codes.append(opd_code)
    returning = insert(HumanTask).returning(HumanTask.id, sort_by_parameter_order=True)
    ids = list(session.scalars(returning, rows))
    audit.record_events(
        session,
        instance,
        now,
        [
            {
                "type": EventType.TASK_CREATED,
                "task_id": task_id,
                "element_id": row["element_id"],
                "payload": {
                    "sop_step": row["sop_step"],
                    "role": row["role"],
                    "opd": code,
                    "due_on": row["due_on"].isoformat() if row["due_on"] else None,
                    "period_no": row["period_no"],
                },
            }
            for task_id, row, code in zip(ids, rows, codes, strict=True)
        ],
    )
    return ids


def _new_task_row(session, instance, spiff_task, content, opds, calendar, now):
    """The task table's row (as a dict) for a READY user task, and its OPD code for the log."""
    element_id = spiff_task.task_spec.bpmn_id
    info = content.activities[element_id]
    data = runtime.task_data(spiff_task)
    opd = _opd_of(content.rules, element_id, data, opds)
    properties = spiff_task.task_spec.extensions.get("properties", {})
    form_key = info["form_key"]
    row = {
        "instance_id": instance.id,
        "spiff_task_id": str(spiff_task.id),
        "element_id": element_id,
        "name": info["name"],
        "documentation": info.get("documentation", ""),
        "lane": info.get("lane"),
        "role": info["role"],
        "opd_id": opd.id if opd else None,
        "form_key": form_key,
        "sop_step": info.get("sop_step"),
        "period_no": instance.period_no,
        "state": TASK_OPEN,
        "created_at": now,
        "due_on": calendar.due_on(session, instance, element_id, properties, info, now),
        "prefill": build_prefill(content.forms.get(form_key, {}), data, session, instance),
        "context": build_context(session, instance, content.rules, element_id, data),
    }
    return row, opd.code if opd else None


class _DueDates:
    """Due dates of the tasks one step opens, worked out once per activity: a new period
    opens the same activity for every OPD, and its due date depends only on the activity,
    the run and the moment (its deadline group's entry is read from rows stored before)."""

    def __init__(self, calendar: deadlines.WorkingCalendar):
        self.calendar, self.known = calendar, {}

    def due_on(self, session, instance, element_id, properties, info, now):
        if element_id not in self.known:
            self.known[element_id] = deadlines.due_on_for(
                session, instance, properties, info, self.calendar, now
            )
        return self.known[element_id]


def _opd_of(rules, element_id: str, data: dict, opds: dict) -> Opd | None:
    """The OPD a task belongs to, when its lane is per OPD; refuse a value naming none."""
    variable, code = rules.opd_code(element_id, data)
    if variable is None:
        return None
    opd = opds.get(code) if isinstance(code, str) else None
    if opd is None:
        raise InvalidInputError(
            "This step belongs to an OPD, but the process data names no OPD known here",
            code="task_opd_unknown",
            details={"element_id": element_id, "variable": variable, "value": code},
        )
    return opd


def _cancel_tasks(session, instance, changed, now) -> None:
    ids = [str(t.id) for t in runtime.changed_cancelled_user_tasks(changed)]
    if not ids:
        return
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.spiff_task_id.in_(ids),
            HumanTask.state == TASK_OPEN,
        )
    )
    for row in rows:
        row.state = TASK_CANCELLED
        audit.record_event(
            session,
            instance,
            EventType.TASK_CANCELLED,
            now,
            task_id=row.id,
            element_id=row.element_id,
        )


_STATES = InstanceState.__table__
# One UPDATE for all the changed parts, sent as one executemany (a pipeline on psycopg).
_UPDATE_PART = (
    update(_STATES)
    .where(
        _STATES.c.instance_id == bindparam("p_instance", type_=_STATES.c.instance_id.type),
        _STATES.c.part_key == bindparam("p_key", type_=_STATES.c.part_key.type),
    )
    .values(
        state=bindparam("p_state", type_=_STATES.c.state.type),
        format_version=bindparam("p_format", type_=_STATES.c.format_version.type),
        updated_at=bindparam("p_updated", type_=_STATES.c.updated_at.type),
    )
)


def _save_state(session, instance, live, now) -> bool:
    """Write only the parts that changed: UPDATE the known ones, INSERT the new ones; set
    the instance's next timer and new state token. Returns whether the next timer moved
    (the caller then moves the timer job, in the same transaction)."""
    parts, removed = runtime.save_parts(live)
    loaded = live.loaded_keys
    if removed:
        session.execute(
            delete(_STATES).where(
                _STATES.c.instance_id == instance.id, _STATES.c.part_key.in_(removed)
            )
        )
    changed, new_rows = [], []
    for part in parts:
        if part.key in loaded:
            changed.append(
                {
                    "p_instance": instance.id,
                    "p_key": part.key,
                    "p_state": part.text,
                    "p_format": part.format_version,
                    "p_updated": now,
                }
            )
        else:
            new_rows.append(
                {
                    "instance_id": instance.id,
                    "part_key": part.key,
                    "parent_key": part.parent_key,
                    "state": part.text,
                    "format_version": part.format_version,
                    "updated_at": now,
                }
            )
    if changed:
        session.execute(_UPDATE_PART, changed)
    if new_rows:  # a new period brings one part per OPD: one bulk INSERT
        session.execute(insert(_STATES), new_rows)
    runtime.mark_saved(live)
    due = runtime.next_timer_due(live)
    moved = due != instance.next_due_at
    instance.next_due_at = due
    instance.updated_at = now
    instance.state_token = token = uuid4().hex
    cache = runtime_of(session).workflows
    if cache.enabled:
        on_commit(session, lambda: cache.put(instance.id, token, live))
    return moved

"""Keep the database in step with a running workflow.

After the engine moves (an instance starts, a task is completed, a timer fires) this
module writes what happened: the event log, new and cancelled rows in the human-task
table (with their lane, role, OPD and due date), the period counter, the instance's
next timer and status, and the workflow parts that changed. Finished subprocesses are
dropped from the live state only after their events are stored.
"""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import Session

from engine.bpmn import runtime
from engine.config import load_settings
from engine.models import HumanTask, InstanceState, Opd, ProcessInstance
from engine.models.instances import STATUS_COMPLETED
from engine.models.tasks import TASK_CANCELLED, TASK_OPEN
from engine.services import audit, deadlines, versions
from engine.services.taskviews import build_context, build_prefill

PENDING_CACHE = "alur_pending_workflow_cache"


def specs_of(instance: ProcessInstance) -> tuple:
    version = instance.version
    return runtime.specs_for(
        version.content_hash, lambda: version.bpmn_xml, load_settings().max_bpmn_bytes
    )


def load_live(session: Session, instance: ProcessInstance, now: datetime) -> runtime.LiveWorkflow:
    """The instance's workflow: from the in-process cache when current, else from its parts."""
    cached = runtime.CACHE.take(instance.id, instance.state_token)
    if cached is not None:
        return runtime.reuse_workflow(cached, now)
    rows = session.execute(
        select(InstanceState.part_key, InstanceState.state).where(
            InstanceState.instance_id == instance.id
        )
    ).all()
    spec, subprocess_specs = specs_of(instance)
    return runtime.load_workflow(dict(rows), spec, subprocess_specs, now)


def persist(
    session: Session,
    instance: ProcessInstance,
    live: runtime.LiveWorkflow,
    now: datetime,
    actor_id: int | None,
) -> list[int]:
    """Record what the engine did since `live` was loaded; returns the ids of tasks it opened."""
    _record_steps(session, instance, live, now, actor_id)
    changed = runtime.changed_tasks(live)
    runtime.prune_completed_subprocesses(live)
    _count_periods(session, instance, live, changed, now)
    opened = _open_tasks(session, instance, changed, now)
    _cancel_tasks(session, instance, changed, now)
    _save_state(session, instance, live, now)
    if runtime.is_completed(live) and instance.status != STATUS_COMPLETED:
        instance.status, instance.ended_at = STATUS_COMPLETED, now
        audit.record_event(session, instance, "instance_ended", now, actor_id=actor_id)
    return opened


def _record_steps(session, instance, live, now, actor_id) -> None:
    for step in live.steps:
        element_id = step.task.task_spec.bpmn_id
        if step.kind == "gateway":
            audit.record_event(
                session,
                instance,
                "gateway_taken",
                now,
                actor_id=actor_id,
                element_id=element_id,
                payload=step.detail,
            )
        elif step.kind == "timer":
            audit.record_event(
                session,
                instance,
                "timer_fired",
                now,
                element_id=element_id,
                payload={**step.detail, "opd": step.task.data.get("opd")},
            )
        elif step.kind == "call_completed" and step.task.workflow is live.workflow:
            audit.record_event(
                session,
                instance,
                "period_completed",
                now,
                element_id=element_id,
                payload={"period_no": instance.period_no},
            )
    live.steps.clear()


def _count_periods(session, instance, live, changed, now) -> None:
    """A top-level call activity that starts opens a period; history before it is cut."""
    for task in runtime.started_call_activities(live, changed):
        runtime.compact_history(live, task)
        instance.period_no += 1
        audit.record_event(
            session,
            instance,
            "period_started",
            now,
            element_id=task.task_spec.bpmn_id,
            payload={
                "period_no": instance.period_no,
                "akhir_periode": task.data.get("akhir_periode"),
            },
        )


def _open_tasks(session, instance, changed, now) -> list[int]:
    """Rows (and task_created events) for the user tasks that became READY; returns their ids.

    A new period opens one task per OPD, so rows and events go in as bulk INSERTs.
    """
    spiff_tasks = runtime.changed_ready_user_tasks(changed)
    if not spiff_tasks:
        return []
    content = versions.content_of(instance.version)
    opds = {o.code: o for o in session.scalars(select(Opd))}
    calendar = deadlines.WorkingCalendar.load(session, now)
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
                "type": "task_created",
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
    opd = opds.get(data.get("opd")) if info["role"] == "pj_kinerja" else None
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
        "due_on": deadlines.due_on_for(session, instance, properties, info, calendar, now),
        "prefill": build_prefill(content.forms.get(form_key, {}), data),
        "context": build_context(session, instance, form_key, data),
    }
    return row, opd.code if opd else None


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
            session, instance, "task_cancelled", now, task_id=row.id, element_id=row.element_id
        )


def _save_state(session, instance, live, now) -> None:
    """Write only the parts that changed: UPDATE the known ones, INSERT the new ones."""
    parts, removed = runtime.save_parts(live)
    if removed:
        session.execute(
            delete(InstanceState).where(
                InstanceState.instance_id == instance.id, InstanceState.part_key.in_(removed)
            )
        )
    new_rows = []
    for part in parts:
        if part.key in live.loaded_keys:
            session.execute(
                update(InstanceState)
                .where(InstanceState.instance_id == instance.id, InstanceState.part_key == part.key)
                .values(state=part.text, updated_at=now)
            )
        else:
            new_rows.append(
                {
                    "instance_id": instance.id,
                    "part_key": part.key,
                    "parent_key": part.parent_key,
                    "state": part.text,
                    "updated_at": now,
                }
            )
    if new_rows:  # a new period brings one part per OPD: one bulk INSERT
        session.execute(insert(InstanceState), new_rows)
    live.loaded_keys = runtime.serializer.live_part_keys(live.workflow)
    instance.next_due_at = runtime.next_timer_due(live)
    instance.updated_at = now
    instance.state_token = uuid4().hex
    session.info.setdefault(PENDING_CACHE, []).append((instance.id, instance.state_token, live))


@event.listens_for(Session, "after_commit")
def _cache_committed(session: Session) -> None:
    for instance_id, token, live in session.info.pop(PENDING_CACHE, []):
        runtime.CACHE.put(instance_id, token, live)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(PENDING_CACHE, None)

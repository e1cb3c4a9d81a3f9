"""Who may see and do what: the one rule that every read and every write of a run goes through.

Reading. Overseers (Kepala UKPBJ, the Tim Pengelolaan Kelembagaan, administrators and
auditors) read everything. Anyone else (a PJ Kinerja belongs to one OPD) reads a run only
when their OPD has a task in it, and inside it only the shared steps (tasks of no OPD) and
their own OPD's tasks: never another OPD's tasks, their answers, comments or documents,
nor the log's events about them. Data computed from every OPD's reports (the `capaian`
view of row 13) stays with the overseers too, since one OPD could read the others' figures
out of it. The period report (engine.services.reports) is the one place a PJ Kinerja sees
the unit's totals: the figures the unit publishes, with each other OPD's own figures,
progress and reports left out.

The event log is filtered the same way. An event about a task follows the task; an event
of an element in a per-OPD lane without a task (row 12's timer) follows the OPD its payload
names; every other event (the run's start, gateways, periods, the shared steps) is shown.
No payload of those shown events carries another OPD's data: a run's start and a shared
step's completion hold only what was typed into that shared form, gateways name flows,
periods their number and end date. So events are shown or hidden whole, never cut.

Writing. Auditors read everything and change nothing (`ensure_can_write`, called first by
every service that writes); a person acts on a task only in their own lane and, for a task
of an OPD, their own OPD (`can_act`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, exists, false, select, true
from sqlalchemy.orm import Session

from engine.errors import PermissionDeniedError
from engine.models import Document, Event, HumanTask, ProcessInstance, User
from engine.models.users import MODELER_ROLES
from engine.services import versions

OVERSEER_ROLES = frozenset({"kepala_ukpbj", "tim_kelembagaan", "admin", "auditor"})
# Roles that may read but never change anything; a person holding one is read-only,
# whatever else they hold, so an audit account cannot be used to work a run.
READ_ONLY_ROLES = frozenset({"auditor"})


# ---- who the actor is --------------------------------------------------------------------

def is_overseer(actor: User) -> bool:
    return bool(actor.roles & OVERSEER_ROLES)


def is_read_only(actor: User) -> bool:
    return bool(actor.roles & READ_ONLY_ROLES)


def ensure_can_write(actor: User) -> None:
    """Refuse any change by a read-only person (an auditor): call first in every write."""
    if is_read_only(actor):
        raise PermissionDeniedError(
            "Your role may read everything but change nothing", code="read_only_role"
        )


# ---- runs --------------------------------------------------------------------------------

def can_view_instance(session: Session, actor: User, instance_id: int) -> bool:
    """Overseers see every run; anyone else the runs their OPD has a task in."""
    if is_overseer(actor):
        return True
    if actor.opd_id is None:
        return False
    found = exists().where(HumanTask.instance_id == instance_id, HumanTask.opd_id == actor.opd_id)
    return bool(session.scalar(select(found)))


def visible_instances_clause(actor: User) -> ColumnElement[bool]:
    """The same rule as can_view_instance, as a condition on ProcessInstance for lists."""
    if is_overseer(actor):
        return true()
    if actor.opd_id is None:
        return false()
    return exists().where(
        HumanTask.instance_id == ProcessInstance.id, HumanTask.opd_id == actor.opd_id
    )


# ---- tasks -------------------------------------------------------------------------------

def _in_lane(actor: User, task: HumanTask) -> bool:
    if task.role not in actor.roles:
        return False
    return task.opd_id is None or task.opd_id == actor.opd_id


def can_act(actor: User, task: HumanTask) -> bool:
    """In one of the actor's lanes and, if the task belongs to an OPD, the actor's OPD;
    never for a read-only person."""
    return _in_lane(actor, task) and not is_read_only(actor)


def can_view_task(actor: User, task: HumanTask) -> bool:
    """Overseers read every task; people of an OPD also read the run's shared steps (no
    OPD), never another OPD's. Callers establish that the actor may see the run itself."""
    if is_overseer(actor) or _in_lane(actor, task):
        return True
    return actor.opd_id is not None and task.opd_id is None


REASSIGNER_ROLES = frozenset({"kepala_ukpbj", "admin"})


def can_reassign(actor: User) -> bool:
    """The Kepala UKPBJ and administrators hand open tasks to someone else (Disposisi)."""
    return bool(actor.roles & REASSIGNER_ROLES) and not is_read_only(actor)


def visible_tasks(actor: User, tasks: Iterable[HumanTask]) -> list[HumanTask]:
    """The tasks (of one run the actor may see) that the actor may read, in the given order.

    Everything that counts or lists a run's tasks for someone (the task tables, the
    diagram's per-element counters) counts only these."""
    return [task for task in tasks if can_view_task(actor, task)]


def visible_context(session: Session, actor: User, task: HumanTask) -> dict:
    """What a task shows beside its form, for this viewer: the stored context, without the
    computed views (row 13's `capaian`, made of every OPD's reports) for non-overseers."""
    context = dict(task.context or {})
    if is_overseer(actor):
        return context
    view = versions.content_of(session, task.instance.version).rules.context_views.get(
        task.element_id
    )
    if view:
        context.pop(view, None)
    return context


# ---- documents ---------------------------------------------------------------------------

def can_see_document(session: Session, actor: User, document: Document) -> bool:
    """The run's rule, and a document of one OPD's task stays with that OPD and overseers."""
    if not can_view_instance(session, actor, document.instance_id):
        return False
    if is_overseer(actor) or document.task_id is None:
        return True
    task = session.get(HumanTask, document.task_id)
    return task is None or can_view_task(actor, task)


# ---- the event log -----------------------------------------------------------------------

def visible_events(
    session: Session, actor: User, instance: ProcessInstance, events: Sequence[Event]
) -> list[Event]:
    """The events of one run (that the actor may see) that the actor may read, in order."""
    if is_overseer(actor):
        return list(events)
    task_ids = {event.task_id for event in events} - {None}
    rows = session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids))) if task_ids else ()
    readable = {task.id for task in rows if can_view_task(actor, task)}
    per_opd = versions.content_of(session, instance.version).rules.opd_variables
    own_code = actor.opd.code if actor.opd is not None else None
    return [
        event
        for event in events
        if _event_visible(event, readable, per_opd, own_code)
    ]


def _event_visible(event: Event, readable: set[int], per_opd, own_code: str | None) -> bool:
    if event.task_id is not None:
        return event.task_id in readable
    if event.element_id in per_opd:  # a per-OPD element without a task: row 12's timer
        return own_code is not None and (event.payload or {}).get("opd") == own_code
    return True


# ---- the modeler -------------------------------------------------------------------------

def is_modeler(actor: User) -> bool:
    """Process owners and administrators edit diagrams, forms and drafts and deploy them."""
    return bool(actor.roles & MODELER_ROLES)


def ensure_modeler(actor: User) -> None:
    """Refuse anyone else, for every read and write of the modeler (webapp/modeler, the
    definitions API): a draft may hold a process not yet meant for everyone's eyes."""
    if not is_modeler(actor):
        raise PermissionDeniedError(
            "Only process owners and administrators may use the modeler", code="modeler_only"
        )


# ---- audit (replay, heatmap, verification, bundles) and administration --------------------

AUDIT_READER_ROLES = frozenset({"auditor", "admin", "kepala_ukpbj"})


def is_audit_reader(actor: User) -> bool:
    """Auditors, administrators and the Kepala UKPBJ read the audit pages (webapp/audit)."""
    return bool(actor.roles & AUDIT_READER_ROLES)


def ensure_audit_reader(actor: User) -> None:
    """Refuse anyone else every audit read: a replay shows every OPD's data and documents."""
    if not is_audit_reader(actor):
        raise PermissionDeniedError(
            "Only auditors, administrators and the Kepala UKPBJ may open the audit pages",
            code="audit_only",
        )


def is_admin(actor: User) -> bool:
    return "admin" in actor.roles


def ensure_admin(actor: User) -> None:
    """The administration pages (webapp/admin) are for administrators only."""
    if not is_admin(actor):
        raise PermissionDeniedError("Only administrators may do this", code="admin_only")

"""An auditor's replay of one run: every event, where the run stood after each, and how
long each pass of each step took against its Waktu.

Computed from the run's event log (the source of truth) and the exact version it ran on
(its activities, its diagram's flows, names and lanes); people and OPDs are looked up by
name, all at once. `history_of` folds the whole log in one pass (engine.services.
replay_fold); `history_until(k)` reads and folds only events 1..k, so jumping to any step
of a long run costs a loop, never a query per event. The decoded log is kept in the
runtime's `histories` cache under the run's chain head (id, event count, last hash), so an
auditor stepping through a long run pays for reading and decoding it once; any new event
moves the head, and with it the key, so a history is as fresh as its log. (A row edited in
the database without moving the head is verification's to find: engine.services.
verification reads the rows themselves, never this cache.)

Audit readers only (engine.services.access.ensure_audit_reader): the replay shows every
OPD's answers and documents.
"""

from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import String, Text, cast, select, type_coerce
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidInputError, NotFoundError
from engine.events import EventType
from engine.models import DefinitionVersion, Event, Opd, ProcessInstance, User
from engine.runtime import runtime_of
from engine.services import access, versions
from engine.services.deadlines import WorkingCalendar
from engine.services.diagramviews import outline_of
from engine.services.replay_fold import Fold, Row, Shape, Step
from engine.services.replay_graph import graph_of
from engine.services.replay_views import (
    Names,
    Timing,
    activities_of,
    describe_event,
    event_late,
    iso,
    opd_work_of,
)

EVENT_COLUMNS = (Event.seq, Event.type, type_coerce(Event.occurred_at, String),
                 Event.actor_id, Event.task_id, Event.element_id,
                 cast(Event.payload, Text))  # text: decoded here, see read_rows
TASK_END_TYPES = (EventType.TASK_COMPLETED.value, EventType.TASK_CANCELLED.value)
_decode = json.JSONDecoder().decode  # json.loads without its per-call checks
STEP_OUT_OF_RANGE = N_("The event number (until) is outside this run's history")


def history_of(session: Session, viewer: User, instance_id: int, now: datetime) -> dict:
    """The whole history page's data (see the module docstring and the contract)."""
    with without_cycle_collection():
        return _history_of(session, viewer, instance_id, now)


def history_until(session: Session, viewer: User, instance_id: int, k: int,
                  now: datetime) -> dict:
    """Where the run stood after event k: its tokens, data, flows and passes, and event k."""
    with without_cycle_collection():
        return _history_until(session, viewer, instance_id, k, now)


@contextmanager
def without_cycle_collection():
    """Pause Python's cycle collector while a history is built, then restore it.

    A history makes a great many small objects that all stay alive until it is answered
    (decoded payloads, one dict per event) and form no reference cycles. Each time the
    survivors grow by a quarter of the process's heap the collector walks the whole heap,
    so a 10,000-event history spent about half its time there and its cost grew faster
    than its log. Reference counting frees everything made here; the collector is only
    paused, and turned back on unless it was already off (another thread's history)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _history_of(session: Session, viewer: User, instance_id: int, now: datetime) -> dict:
    instance = _instance_for(session, viewer, instance_id)
    rows = logged_rows(session, instance)
    fold, steps = Fold(shape_of(session, instance.version)), []
    for row in rows:
        steps.append(fold.apply(row))
    names = _names(session, instance.version, rows, fold)
    timing = _timing(session, instance, now)
    events = [describe_event(row, step, names, _late(row, step, timing))
              for row, step in zip(rows, steps, strict=True)]
    return {
        "instance": instance_summary(instance),
        "event_count": len(rows),
        "events": events,
        "activities": activities_of(fold, names, timing),
        "flows": _flow_counts(fold),
        "opd_work": opd_work_of(fold.tasks.values(), names, timing),
        "final": {"tokens": list(fold.tokens.values()), "data": fold.data()},
    }


def _history_until(session: Session, viewer: User, instance_id: int, k: int,
                   now: datetime) -> dict:
    instance = _instance_for(session, viewer, instance_id)
    _check_step(k, instance.event_count)
    rows = logged_rows(session, instance, upto=k)
    if not rows or rows[-1].seq != k:
        _out_of_range(k, instance.event_count)
    fold, step = Fold(shape_of(session, instance.version)), None
    for row in rows:
        step = fold.apply(row)
    row = rows[-1]
    names = _names(session, instance.version, [row], fold, step.opd)
    late = _late_until(session, instance, row, step, now)
    return {
        "k": k,
        "event_count": instance.event_count,
        "event": describe_event(row, step, names, late),
        "tokens": list(fold.tokens.values()),
        "data": fold.data(),
        "changes": step.changes,
        "flows": _flow_counts(fold),
        "passes": dict(fold.passes),
    }


# ---- reading -------------------------------------------------------------------------------


def _instance_for(session: Session, viewer: User, instance_id: int) -> ProcessInstance:
    access.ensure_audit_reader(viewer)
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFoundError("Instance not found", code="instance_not_found")
    return instance


def _check_step(k: int, event_count: int) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= event_count:
        _out_of_range(k, event_count)


def _out_of_range(k, event_count: int):
    raise InvalidInputError(STEP_OUT_OF_RANGE, code="history_step_out_of_range",
                            details={"until": k, "min": 1, "max": event_count})


def log_key(instance: ProcessInstance) -> tuple:
    """The cache key of a run's decoded log: its chain head."""
    return ("replay-rows", instance.id, instance.event_count, instance.last_event_hash)


def logged_rows(session: Session, instance: ProcessInstance, upto: int | None = None
                ) -> list[Row]:
    """The run's decoded log up to event `upto` (default: its head), read once per chain
    head (see the module docstring): what an earlier request read is kept, and only the
    events beyond it are read, so the first `until=k` of a long run reads k rows, not all.

    Shared between requests, so nobody may change what it holds: the fold only reads rows
    and their payloads, and a longer prefix is stored as a new list."""
    cache = runtime_of(session).histories
    key = log_key(instance)
    want = instance.event_count if upto is None else min(upto, instance.event_count)
    kept = cache.get(key) or []
    if len(kept) < want:
        kept = kept + read_rows(session, instance.id, after=len(kept), until=want)
        cache.put(key, kept)
    return kept[:want] if len(kept) > want else kept


def read_rows(session: Session, instance_id: int, until: int | None = None, *,
              after: int = 0) -> list[Row]:
    """The run's events after `after` up to `until`: the columns the replay reads, one query.

    The moment and the payload are read as the driver gives them and decoded here: on
    SQLite, text parsed by datetime.fromisoformat and json.loads (several times faster than
    the column types' own processing, which a long log pays per row); PostgreSQL's driver
    has already decoded both."""
    query = select(*EVENT_COLUMNS).where(Event.instance_id == instance_id)
    if after:
        query = query.where(Event.seq > after)
    if until is not None:
        query = query.where(Event.seq <= until)
    moments: dict = {}
    rows = []
    # the Core connection, all rows at once: no ORM result machinery, no fetch per row (so
    # flush first, as the ORM would: events appended in this transaction are read too)
    session.flush()
    found = session.connection().execute(query.order_by(Event.seq)).all()
    for seq, kind, when, actor_id, task_id, element_id, payload in found:
        moment = moments.get(when)
        if moment is None:
            moment = moments[when] = _utc(when)
        rows.append(Row(seq, kind, moment, actor_id, task_id, element_id,
                        _decode(payload) if isinstance(payload, str) else payload or {}))
    return rows


def _utc(value: datetime | str) -> datetime:
    """A stored moment as an aware UTC datetime (SQLite keeps UTC without its zone)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def shape_of(session: Session, version: DefinitionVersion) -> Shape:
    """What the fold needs of the version's diagram, made once per process and version."""

    def make() -> Shape:
        outline = outline_of(session, version)
        rules = versions.content_of(session, version).rules
        called_by: dict[str, list[str]] = {}
        for call, process in outline.calls.items():
            if call not in rules.period_activities:
                called_by.setdefault(process, []).append(call)
        callers = {element: called_by[process][0]
                   for element, process in outline.process_of.items()
                   if len(called_by.get(process, ())) == 1}
        return Shape(graph_of(session, version), dict(outline.timer_after), callers)

    return runtime_of(session).versions.get_or_make(("replay-shape", version.content_hash),
                                                    make)


def _names(session: Session, version: DefinitionVersion, rows, fold: Fold,
           *opd_codes: str | None) -> Names:
    """Names for the elements, the people who acted in `rows` and the OPDs the run met."""
    content = versions.content_of(session, version)
    activities = {key: info for key, info in content.activities.items()
                  if key != versions.START_KEY}
    start = content.start
    infos = {**activities, start["element_id"]: start} if start.get("element_id") else activities
    people_ids = {row.actor_id for row in rows} - {None}
    codes = ({task.opd for task in fold.tasks.values()} | set(opd_codes)) - {None}
    people = dict(session.execute(select(User.id, User.full_name)
                                  .where(User.id.in_(people_ids))).all()) if people_ids else {}
    opds = dict(session.execute(select(Opd.code, Opd.name)
                                .where(Opd.code.in_(codes))).all()) if codes else {}
    return Names(tuple(activities), infos, outline_of(session, version).names,
                 graph_of(session, version).lanes, people, opds)


def _timing(session: Session, instance: ProcessInstance, now: datetime) -> Timing:
    calendar = WorkingCalendar.load(session, now, since=_local_day(session, instance))
    return Timing(calendar, now)


def _local_day(session: Session, instance: ProcessInstance):
    return instance.started_at.astimezone(runtime_of(session).settings.zone).date()


def _late(row: Row, step: Step, timing: Timing) -> bool:
    still_open = step.task is not None and step.task.ended_at is None
    return event_late(row, step, timing, still_open)


def _late_until(session: Session, instance: ProcessInstance, row: Row, step: Step,
                now: datetime) -> bool:
    """Event k's late flag exactly as the whole history has it: an opening is red only
    when its task is still open at the end of the log (one query, only for an opening)."""
    if step.task is None or row.type not in (EventType.TASK_CREATED.value, *TASK_END_TYPES):
        return False
    still_open = row.type == EventType.TASK_CREATED.value and not _ends_later(
        session, instance.id, row.task_id)
    return event_late(row, step, _timing(session, instance, now), still_open)


def _ends_later(session: Session, instance_id: int, task_id: int) -> bool:
    found = session.execute(
        select(Event.seq).where(Event.instance_id == instance_id, Event.task_id == task_id,
                                Event.type.in_(TASK_END_TYPES)).limit(1)
    ).first()
    return found is not None


def _flow_counts(fold: Fold) -> dict[str, int]:
    """Every flow of the diagram with how often it was taken (0 for never)."""
    return {flow: fold.flows.get(flow, 0) for flow in fold.shape.graph.flows}


def instance_summary(instance: ProcessInstance) -> dict:
    version = instance.version
    return {
        "id": instance.id, "registration_no": instance.registration_no,
        "title": instance.title, "status": instance.status,
        "started_at": iso(instance.started_at), "ended_at": iso(instance.ended_at),
        "period_no": instance.period_no,
        "version": {"id": version.id, "number": version.version,
                    "definition_key": version.definition.key,
                    "definition_name": version.definition.name,
                    "content_hash": version.content_hash},
    }

"""Pelaksanaan over the API: start one, list them, read one and its audit log.

The log is paged by sequence number (`after_seq`, `limit`) and holds only the events the
caller may read (engine.services.access: a PJ Kinerja sees the shared steps and their own
OPD's, never another OPD's); `total` counts those. Every page also says whether the
instance's whole chain still verifies (`chain_valid`, `broken_at_seq`): the server checks
every event, those the caller may not read included, and the chain's end against the head
the instance row stores, so removing the newest events shows too.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessInstance, User
from engine.models.tasks import TASK_OPEN
from engine.services import access, history, instances
from webapp.api import bp
from webapp.api.inputs import ID, json_object, load, query_args
from webapp.api.openapi import documented
from webapp.api.schemas import (
    EventPageSchema,
    EventQuerySchema,
    EventSchema,
    InstanceDetailSchema,
    InstancePageSchema,
    InstanceQuerySchema,
    InstanceSchema,
    StartInstanceSchema,
    TaskSchema,
    dump,
)
from webapp.api.views import dump_state, page_of
from webapp.requests import actor, now
from webapp.transaction import db


@bp.post("/instances")
@documented("Start a Pelaksanaan", tag="instances", ok={201: InstanceDetailSchema},
            body=StartInstanceSchema, errors=(403, 404, 409))
def start_instance():
    body = load(StartInstanceSchema(), json_object())
    started = instances.start_instance(db(), actor(), body["definition_key"], body["data"],
                                       now())
    return _detail(db(), actor(), started), 201


@bp.get("/instances")
@documented("List the Pelaksanaan the caller may see", tag="instances",
            ok={200: InstancePageSchema}, query=InstanceQuerySchema)
def list_instances():
    query = query_args(InstanceQuerySchema())
    rows, total = instances.list_instances(db(), actor(), page=query["page"],
                                           per_page=query["per_page"], status=query.get("status"))
    return page_of(InstanceSchema(many=True), rows, page=query["page"],
                   per_page=query["per_page"], total=total)


@bp.get(f"/instances/<{ID}:instance_id>")
@documented("Read one Pelaksanaan and its open tasks", tag="instances",
            ok={200: InstanceDetailSchema}, errors=(404,))
def get_instance(instance_id: int):
    session, user = db(), actor()
    return _detail(session, user, instances.get_instance_for(session, user, instance_id))


def _detail(session: Session, user: User, instance: ProcessInstance) -> dict:
    """The instance and its open tasks, those the caller may see (engine.services.access).

    The run's data is not part of it: what a step needs is on its task."""
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                   HumanTask.state == TASK_OPEN)
                           .order_by(HumanTask.id))
    visible = access.visible_tasks(user, rows)
    state = dump_state()
    return {**dump(InstanceSchema(), instance, state),
            "open_tasks": dump(TaskSchema(many=True), visible, state)}


@bp.get(f"/instances/<{ID}:instance_id>/events")
@documented("Page through a Pelaksanaan's event log", tag="instances",
            ok={200: EventPageSchema}, query=EventQuerySchema, errors=(404,))
def list_events(instance_id: int):
    query = query_args(EventQuerySchema())
    session, user = db(), actor()
    instance = instances.get_instance_for(session, user, instance_id)
    events = history.list_events(session, instance_id)
    broken_at = history.verify_chain(events, head=history.head_of(instance))
    readable = access.visible_events(session, user, instance, events)
    shown = [event for event in readable if event.seq > query["after_seq"]][:query["limit"]]
    actors = _users(session, {event.actor_id for event in shown} - {None})
    more = bool(shown) and shown[-1].seq < readable[-1].seq
    return {"items": dump(EventSchema(many=True), shown, dump_state(users=actors)),
            "total": len(readable), "after_seq": query["after_seq"], "limit": query["limit"],
            "next_after_seq": shown[-1].seq if more else None,
            "chain_valid": broken_at is None, "broken_at_seq": broken_at}


def _users(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}

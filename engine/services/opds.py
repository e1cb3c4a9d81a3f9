"""OPDs as administrators manage them (`/admin/opd`): add, rename, deactivate, reactivate.

An OPD is never deleted: tasks and people keep pointing at it. An inactive one is left out
of the pickers that offer OPDs for new work (a new person's OPD); the engine's own task
creation does not look at it. Every change is an event on the global chain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidInputError, NotFoundError
from engine.events import EventType
from engine.models import Opd, User
from engine.services import audit, users
from engine.services.adminusers import ensure_admin

MAX_NAME = 200


def list_opds(session: Session, actor: User, *, active_only: bool = False) -> list[Opd]:
    ensure_admin(actor)
    query = select(Opd).order_by(Opd.code)
    if active_only:
        query = query.where(Opd.is_active.is_(True))
    return list(session.scalars(query))


def get_opd(session: Session, actor: User, opd_id: int, *, writing: bool = False) -> Opd:
    ensure_admin(actor, writing=writing)
    opd = session.get(Opd, opd_id)
    if opd is None:
        raise NotFoundError(N_("No such OPD"), code="opd_not_found")
    return opd


def create_opd(session: Session, actor: User, code: str, name: str, now: datetime) -> Opd:
    """A new OPD (users.add_opd's checks: a free code without spaces, a name)."""
    ensure_admin(actor, writing=True)
    opd = users.add_opd(session, code, name)
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.OPD_CREATED, now, actor_id=actor.id,
                       payload={"opd_id": opd.id, "code": opd.code, "name": opd.name})
    return opd


def rename_opd(session: Session, actor: User, opd_id: int, name: str, now: datetime) -> Opd:
    opd = get_opd(session, actor, opd_id, writing=True)
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInputError(N_("An OPD name is 1-200 characters"), code="invalid_opd_name",
                                details={"name": [N_("An OPD name is 1-200 characters")]})
    _change(session, actor, opd, "name", name, now)
    return opd


def set_opd_active(session: Session, actor: User, opd_id: int, active: bool,
                   now: datetime) -> Opd:
    opd = get_opd(session, actor, opd_id, writing=True)
    _change(session, actor, opd, "is_active", active, now)
    return opd


def _change(session: Session, actor: User, opd: Opd, attribute: str, value, now: datetime) -> None:
    before = getattr(opd, attribute)
    if before == value:
        return
    setattr(opd, attribute, value)
    session.flush()
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.OPD_UPDATED, now, actor_id=actor.id,
                       payload={"opd_id": opd.id, "code": opd.code,
                                "changes": {attribute: [before, value]}})

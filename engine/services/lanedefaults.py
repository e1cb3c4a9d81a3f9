"""Lane name -> role defaults that administrators edit (`/admin/lajur`).

A deployed diagram's lane takes its role from, in order: the lane's own `role` property
(engine.bpmn.lanes), this table, then the lane-roles file the deploy was given
(bpmn/lane-roles.toml). `overlay` is what every deploy and deploy check applies to the
file's defaults, so an empty table deploys exactly as before the table existed. A change
here touches no deployed version: it takes effect at the next deploy.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidInputError
from engine.events import EventType
from engine.models import LaneRoleDefault, Role, User
from engine.runtime import runtime_of
from engine.services import audit
from engine.services.adminusers import ensure_admin

MAX_LANE = 200
LANE_FILE = "lane-roles.toml"


@dataclass(frozen=True)
class LaneRow:
    lane: str
    file_role: str | None  # from bpmn/lane-roles.toml
    role: str | None  # from the table (None: the file's applies)

    @property
    def effective(self) -> str | None:
        return self.role or self.file_role


def table_defaults(session: Session) -> dict[str, str]:
    return dict(session.execute(select(LaneRoleDefault.lane, LaneRoleDefault.role)).all())


def overlay(session: Session, file_defaults: dict[str, str]) -> dict[str, str]:
    """The file's defaults with the table's entries over them (the table wins)."""
    return {**file_defaults, **table_defaults(session)}


def file_defaults(session: Session) -> dict[str, str]:
    """bpmn/lane-roles.toml of this installation ({} when there is none)."""
    path = Path(runtime_of(session).settings.bpmn_dir) / LANE_FILE
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return dict(tomllib.load(handle).get("lanes", {}))


def list_lane_rows(session: Session, actor: User) -> list[LaneRow]:
    """Every lane named in the file or the table, by name."""
    ensure_admin(actor)
    from_file, from_table = file_defaults(session), table_defaults(session)
    return [LaneRow(lane, from_file.get(lane), from_table.get(lane))
            for lane in sorted(set(from_file) | set(from_table))]


def save_lane_defaults(session: Session, actor: User, wanted: dict[str, str],
                       now: datetime) -> dict[str, list]:
    """Set each lane's default role ("" removes the table's entry, so the file's applies);
    returns lane -> [before, after] for the lanes that changed, logged as one event."""
    ensure_admin(actor, writing=True)
    wanted = {" ".join(lane.split()): (role or "").strip() for lane, role in wanted.items()}
    _check(session, wanted)
    rows = {row.lane: row for row in session.scalars(select(LaneRoleDefault))}
    changes = {}
    for lane, role in sorted(wanted.items()):
        before = rows[lane].role if lane in rows else None
        if before == (role or None):
            continue
        changes[lane] = [before, role or None]
        _store(session, rows.get(lane), lane, role, actor, now)
    if changes:
        session.flush()
        audit.lock_global_chain(session)
        audit.record_event(session, None, EventType.LANE_ROLES_CHANGED, now, actor_id=actor.id,
                           payload={"changes": changes})
    return changes


def _store(session: Session, row: LaneRoleDefault | None, lane: str, role: str, actor: User,
           now: datetime) -> None:
    if not role:
        session.delete(row)
    elif row is None:
        session.add(LaneRoleDefault(lane=lane, role=role, changed_by_id=actor.id,
                                    changed_at=now))
    else:
        row.role, row.changed_by_id, row.changed_at = role, actor.id, now


def _check(session: Session, wanted: dict[str, str]) -> None:
    known = set(session.scalars(select(Role.code)))
    errors = {}
    for lane, role in wanted.items():
        if not lane or len(lane) > MAX_LANE:
            errors[lane or "lane"] = [N_("A lane name is 1-200 characters")]
        elif role and role not in known:
            errors[lane] = [N_("Unknown role")]
    if errors:
        raise InvalidInputError(N_("Check the fields marked below."), code="invalid_lane_roles",
                                details=errors)

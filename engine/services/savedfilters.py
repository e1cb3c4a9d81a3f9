"""Saved inbox filters: a person names the Kotak Masuk view they use often and finds it again.

A filter holds only the fields of engine.services.tasks.TaskFilters that choose tasks
(`FIELDS`), each checked here, so a stored filter always lists tasks the way the inbox would.
Each person keeps at most MAX_PER_OWNER, each with a name of their own. The Kepala UKPBJ
may share one of theirs with a role: every person of that role then sees it, read-only,
and its count is of their own tasks (list_tasks applies the reader's lanes and OPD).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import N_, ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from engine.models import Role, SavedFilter, User
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.services import access
from engine.services.tasks import SCOPES, SORTS, TaskFilters, list_tasks

MAX_PER_OWNER = 20
MAX_NAME = 80
MAX_ID = 2**31 - 1
SHARER_ROLES = frozenset({"kepala_ukpbj"})
STATES = (TASK_OPEN, TASK_COMPLETED)
_STEP = re.compile(r"[0-9A-Za-z-]{1,16}")
_OPD_CODE = re.compile(r"[A-Za-z0-9_.-]{1,32}")
FIELDS = ("scope", "state", "sop_step", "instance_id", "opd_code", "sort")


@dataclass(frozen=True)
class CountedFilter:
    """A filter as the inbox shows it: how many tasks it holds for this reader, and whether
    it is someone else's, shared with one of the reader's roles (read-only for them)."""

    saved: SavedFilter
    count: int
    shared_with_me: bool


# ---- the query ----------------------------------------------------------------------------

def _choice(value: Any, allowed) -> str | None:
    return value if isinstance(value, str) and value in allowed else None


def _matching(value: Any, pattern: re.Pattern) -> str | None:
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


def _positive_id(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
    return value if ok else None


CHECKS = {
    "scope": lambda value: _choice(value, SCOPES),
    "state": lambda value: _choice(value, STATES),
    "sop_step": lambda value: _matching(value, _STEP),
    "instance_id": _positive_id,
    "opd_code": lambda value: _matching(value, _OPD_CODE),
    "sort": lambda value: _choice(value, tuple(SORTS)),
}


def clean_query(raw: Any) -> dict:
    """The filter fields of `raw`, each checked; None values are left out. Anything else
    (an unknown field, a wrong value) is refused with every problem named."""
    if not isinstance(raw, Mapping):
        raise InvalidInputError(N_("The filter is not valid"), code="saved_filter_invalid_query",
                                details={"query": ["Not an object"]})
    problems: dict[str, list[str]] = {}
    cleaned = {}
    for key, value in raw.items():
        check = CHECKS.get(key)
        if check is None:
            problems[str(key)] = ["Unknown field"]
        elif value is not None:
            cleaned[key] = check(value)
            if cleaned[key] is None:
                problems[key] = ["Not a valid value"]
    if problems:
        raise InvalidInputError(N_("The filter is not valid"), code="saved_filter_invalid_query",
                                details={"query": problems})
    return {key: cleaned[key] for key in FIELDS if key in cleaned}


def filters_of(saved: SavedFilter, *, per_page: int = 20) -> TaskFilters:
    """The TaskFilters a stored filter stands for (first page)."""
    known = {key: value for key, value in (saved.query or {}).items() if key in CHECKS}
    return TaskFilters(**known, page=1, per_page=per_page)


# ---- reading ------------------------------------------------------------------------------

def list_saved_filters(session: Session, actor: User) -> list[SavedFilter]:
    """The actor's own filters by name, then those shared with one of their roles."""
    shared = SavedFilter.shared_role.in_(sorted(actor.roles)) if actor.roles else None
    condition = SavedFilter.owner_id == actor.id
    if shared is not None:
        condition = or_(condition, shared)
    rows = session.scalars(select(SavedFilter).where(condition))
    return sorted(rows, key=lambda row: (row.owner_id != actor.id, row.name.casefold(), row.id))


def list_counted(session: Session, actor: User) -> list[CountedFilter]:
    """Every filter the actor sees with the number of tasks it holds for them."""
    return [
        CountedFilter(row, count_tasks(session, actor, row), row.owner_id != actor.id)
        for row in list_saved_filters(session, actor)
    ]


def count_tasks(session: Session, actor: User, saved: SavedFilter) -> int:
    """How many of the actor's tasks the filter holds (the lane and OPD rules of list_tasks)."""
    return list_tasks(session, actor, replace(filters_of(saved), per_page=1))[1]


def get_saved_filter(session: Session, actor: User, filter_id: int) -> SavedFilter:
    """One filter the actor sees (their own or shared with them); else a 404."""
    row = session.get(SavedFilter, filter_id)
    if row is None or not (row.owner_id == actor.id or row.shared_role in actor.roles):
        raise NotFoundError(N_("Saved filter not found"), code="saved_filter_not_found")
    return row


def _own(session: Session, actor: User, filter_id: int) -> SavedFilter:
    access.ensure_can_write(actor)
    row = get_saved_filter(session, actor, filter_id)
    if row.owner_id != actor.id:
        raise PermissionDeniedError(N_("Only its owner may change a shared filter"),
                                    code="saved_filter_not_yours")
    return row


# ---- writing ------------------------------------------------------------------------------

def create_saved_filter(session: Session, actor: User, name: str, query: Any, now: datetime,
                        shared_role: str | None = None) -> SavedFilter:
    access.ensure_can_write(actor)
    text = _cleaned_name(name)
    cleaned = clean_query(query)
    role = _checked_role(session, actor, shared_role)
    owned = session.scalar(select(func.count()).where(SavedFilter.owner_id == actor.id)) or 0
    if owned >= MAX_PER_OWNER:
        raise InvalidInputError(N_("You have saved as many filters as allowed; delete one first"),
                                code="saved_filter_limit", details={"max": MAX_PER_OWNER})
    _ensure_name_free(session, actor, text)
    row = SavedFilter(owner_id=actor.id, name=text, query=cleaned, shared_role=role,
                      created_at=now)
    row.owner = actor
    return _stored(session, row)


def rename_saved_filter(session: Session, actor: User, filter_id: int, name: str) -> SavedFilter:
    row = _own(session, actor, filter_id)
    text = _cleaned_name(name)
    if text != row.name:
        _ensure_name_free(session, actor, text)
        row.name = text
    return _stored(session, row)


def share_saved_filter(session: Session, actor: User, filter_id: int,
                       role: str | None) -> SavedFilter:
    """Share one's filter with a role, or (None) stop sharing it: the Kepala UKPBJ's."""
    row = _own(session, actor, filter_id)
    row.shared_role = _checked_role(session, actor, role)
    session.flush()
    return row


def delete_saved_filter(session: Session, actor: User, filter_id: int) -> None:
    session.delete(_own(session, actor, filter_id))
    session.flush()


def can_share(actor: User) -> bool:
    return bool(actor.roles & SHARER_ROLES) and not access.is_read_only(actor)


def _checked_role(session: Session, actor: User, role: str | None) -> str | None:
    if role is None or role == "":
        return None
    if not can_share(actor):
        raise PermissionDeniedError(N_("Only the Kepala UKPBJ may share a filter"),
                                    code="saved_filter_share_not_allowed")
    if not isinstance(role, str) or session.get(Role, role) is None:
        raise InvalidInputError(N_("There is no such role"), code="saved_filter_unknown_role",
                                details={"shared_role": ["Unknown role"]})
    return role


def _cleaned_name(name: Any) -> str:
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text:
        raise InvalidInputError(N_("Give the filter a name"), code="saved_filter_name_required",
                                details={"name": ["This field is required"]})
    if len(text) > MAX_NAME or "\x00" in text:
        raise InvalidInputError(N_("The filter's name is too long"),
                                code="saved_filter_name_too_long",
                                details={"name": [f"At most {MAX_NAME} characters"]})
    return text


def _name_taken() -> InvalidInputError:
    return InvalidInputError(N_("You already have a filter with this name"),
                             code="saved_filter_name_taken",
                             details={"name": ["Already in use"]})


def _ensure_name_free(session: Session, actor: User, name: str) -> None:
    found = session.scalar(select(SavedFilter.id).where(SavedFilter.owner_id == actor.id,
                                                        SavedFilter.name == name))
    if found is not None:
        raise _name_taken()


def _stored(session: Session, row: SavedFilter) -> SavedFilter:
    """Flush in a savepoint: two tabs saving the same name at once get a 409, not a 500."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise ConflictError(N_("You already have a filter with this name"),
                            code="saved_filter_name_taken") from None
    return row

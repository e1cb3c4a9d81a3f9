"""People, as administrators manage them (`/admin/pengguna`): find, add, change, deactivate
and reactivate, and set a new password for someone who lost theirs.

Nobody is ever deleted: the history keeps their name. Every change is an event on the
global chain naming the administrator; a password never reaches a payload. An
administrator cannot lock themselves out (deactivate themselves or drop their own admin
role): another administrator must do that. Bad input is refused whole, with a message per
field (InvalidInputError details: field -> [msgid]), before anything is written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.errors import N_, ConflictError, InvalidInputError, NotFoundError
from engine.events import EventType
from engine.models import Opd, Role, User, UserRole
from engine.models.users import OPD_ROLES
from engine.services import access, audit, nip, sessions, users

PAGE_SIZE = 25
MAX_NAME = 200
MAX_EMAIL = 254
ADMIN_ROLE = "admin"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass
class UserInput:
    """What the form sent, as typed (the page shows it again when refused)."""

    full_name: str = ""
    nip: str = ""
    email: str = ""
    roles: list[str] = field(default_factory=list)
    opd_id: str = ""
    username: str = ""  # only when adding
    password: str = ""  # only when adding


@dataclass(frozen=True)
class UserFilters:
    query: str = ""
    role: str = ""
    opd_id: int | None = None
    active: bool | None = None
    page: int = 1


@dataclass(frozen=True)
class UserPage:
    rows: list[User]
    total: int
    page: int
    pages: int


def ensure_admin(actor: User, *, writing: bool = False) -> None:
    """Administrators only; a write also refuses a read-only role held beside admin."""
    access.ensure_admin(actor)
    if writing:
        access.ensure_can_write(actor)


# ---- reading ---------------------------------------------------------------------------------

def list_roles(session: Session, actor: User) -> list[Role]:
    access.ensure_admin(actor)
    return list(session.scalars(select(Role).order_by(Role.name)))


def list_user_page(session: Session, actor: User, filters: UserFilters) -> UserPage:
    """People matching the filters, by full name, PAGE_SIZE a page."""
    access.ensure_admin(actor)
    conditions = _conditions(filters)
    total = session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(max(filters.page, 1), pages)
    rows = session.scalars(
        select(User).where(*conditions).order_by(User.full_name, User.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    return UserPage(list(rows), total, page, pages)


def _conditions(filters: UserFilters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    text = " ".join(filters.query.split()).lower()
    if text:
        digits = "".join(text.split())
        found.append(or_(func.lower(User.full_name).contains(text, autoescape=True),
                         func.lower(User.username).contains(text, autoescape=True),
                         User.nip.contains(digits, autoescape=True)))
    if filters.role:
        found.append(exists().where(UserRole.user_id == User.id, UserRole.role == filters.role))
    if filters.opd_id is not None:
        found.append(User.opd_id == filters.opd_id)
    if filters.active is not None:
        found.append(User.is_active.is_(filters.active))
    return found


def get_user(session: Session, actor: User, user_id: int, *, writing: bool = False) -> User:
    ensure_admin(actor, writing=writing)
    person = session.get(User, user_id)
    if person is None:
        raise NotFoundError(N_("User not found"), code="user_not_found")
    return person


# ---- adding and changing -----------------------------------------------------------------------

def create_user(session: Session, actor: User, data: UserInput, now: datetime) -> User:
    ensure_admin(actor, writing=True)
    errors: dict[str, list[str]] = {}
    _check_username(session, data.username, errors)
    try:
        users.check_new_password(data.password)
    except InvalidInputError as error:
        errors["password"] = [error.message]
    clean = _checked_fields(session, data, now, errors, current_opd_id=None)
    _raise_if(errors)
    opd = clean["opd"]
    return users.add_user(session, data.username.strip(), clean["full_name"], data.password,
                          clean["roles"], now, opd_code=opd.code if opd else None,
                          nip=clean["nip"], email=clean["email"], actor_id=actor.id)


def update_user(session: Session, actor: User, user_id: int, data: UserInput,
                now: datetime) -> dict[str, list]:
    """Change name, NIP, e-mail, roles and OPD; returns what changed (field -> [before,
    after]) and logs it when anything did."""
    person = get_user(session, actor, user_id, writing=True)
    errors: dict[str, list[str]] = {}
    clean = _checked_fields(session, data, now, errors, current_opd_id=person.opd_id)
    if person.id == actor.id and ADMIN_ROLE not in clean["roles"]:
        errors.setdefault("roles", []).append(
            N_("You cannot remove your own administrator role"))
    _raise_if(errors)
    changes = _apply(person, clean)
    if changes:
        session.flush()
        audit.lock_global_chain(session)
        audit.record_event(session, None, EventType.USER_UPDATED, now, actor_id=actor.id,
                           payload={"user_id": person.id, "username": person.username,
                                    "changes": changes})
    return changes


def _apply(person: User, clean: dict) -> dict[str, list]:
    before = _snapshot(person)
    person.full_name, person.nip, person.email = clean["full_name"], clean["nip"], clean["email"]
    person.opd = clean["opd"]
    person.opd_id = clean["opd"].id if clean["opd"] else None
    kept = [row for row in person.role_rows if row.role in clean["roles"]]
    person.role_rows = kept + [UserRole(role=role) for role in clean["roles"]
                               if role not in {row.role for row in kept}]
    after = _snapshot(person)
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def _snapshot(person: User) -> dict:
    return {"full_name": person.full_name, "nip": person.nip, "email": person.email,
            "roles": sorted(person.roles), "opd": person.opd.code if person.opd else None}


def _checked_fields(session: Session, data: UserInput, now: datetime,
                    errors: dict[str, list[str]], *, current_opd_id: int | None) -> dict:
    full_name = " ".join((data.full_name or "").split())
    if not full_name or len(full_name) > MAX_NAME:
        errors["full_name"] = [N_("A full name is 1-200 characters")]
    roles = _checked_roles(session, data.roles, errors)
    opd = _checked_opd(session, data.opd_id, current_opd_id, errors)
    if OPD_ROLES & set(roles) and opd is None and "opd" not in errors:
        errors["opd"] = [N_("A PJ Kinerja needs an OPD")]
    return {"full_name": full_name, "roles": roles, "opd": opd,
            "nip": _checked_nip(data.nip, now, errors),
            "email": _checked_email(data.email, errors)}


def _checked_roles(session: Session, chosen: list[str], errors: dict) -> list[str]:
    roles = list(dict.fromkeys(r for r in chosen if r))
    known = set(session.scalars(select(Role.code)))
    if not roles:
        errors["roles"] = [N_("Choose at least one role")]
    elif set(roles) - known:
        errors["roles"] = [N_("Unknown role")]
    return roles


def _checked_opd(session: Session, raw: str, current_id: int | None, errors: dict) -> Opd | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    opd = session.get(Opd, int(raw)) if raw.isdigit() and len(raw) <= 9 else None
    # an inactive OPD takes nobody new, but a person already in it may stay
    if opd is None or (not opd.is_active and opd.id != current_id):
        errors["opd"] = [N_("Choose an active OPD from the list")]
        return None
    return opd


def _checked_nip(raw: str, now: datetime, errors: dict) -> str | None:
    if not (raw or "").strip():
        return None
    try:
        return nip.validate_nip(raw, now.date())
    except InvalidInputError as error:
        errors["nip"] = [error.message]
        return None


def _checked_email(raw: str, errors: dict) -> str | None:
    email = (raw or "").strip()
    if not email:
        return None
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        errors["email"] = [N_("Enter an e-mail address such as nama@contoh.go.id")]
        return None
    return email


def _check_username(session: Session, raw: str, errors: dict) -> None:
    username = (raw or "").strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        errors["username"] = [N_("A username is 1-64 characters without spaces")]
    elif session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = [N_("This username is already taken")]


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInputError(N_("Check the fields marked below."), code="invalid_user",
                                details=errors)


# ---- active or not, and a new password ---------------------------------------------------------

def deactivate(session: Session, actor: User, user_id: int, now: datetime) -> tuple[int, int]:
    """No more sign-ins (users.deactivate_user: sessions end, tokens are revoked)."""
    person = get_user(session, actor, user_id, writing=True)
    if person.id == actor.id:
        raise ConflictError(N_("You cannot deactivate yourself"), code="cannot_deactivate_self")
    if not person.is_active:
        return 0, 0
    return users.deactivate_user(session, person, now, actor_id=actor.id)


def reactivate(session: Session, actor: User, user_id: int, now: datetime) -> User:
    person = get_user(session, actor, user_id, writing=True)
    if not person.is_active:
        person.is_active = True
        session.flush()
        audit.lock_global_chain(session)
        audit.record_event(session, None, EventType.USER_REACTIVATED, now, actor_id=actor.id,
                           payload={"user_id": person.id, "username": person.username})
    return person


def reset_password(session: Session, actor: User, user_id: int, password: str,
                   now: datetime) -> tuple[int, int]:
    """A new password set by an administrator; every session of the person ends and every
    token is revoked. Returns (sessions ended, tokens revoked)."""
    person = get_user(session, actor, user_id, writing=True)
    users.check_new_password(password)
    person.password_hash = users.hash_password(password)
    ended, revoked = sessions.end_all(session, person.id, now, sessions.PASSWORD)
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.PASSWORD_RESET, now, actor_id=actor.id,
                       payload={"user_id": person.id, "username": person.username})
    session.flush()
    return ended, revoked

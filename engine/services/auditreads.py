"""Auditors' reads: every page and API answer an auditor got, kept for administrators.

The web layer (webapp/readlog.py) records a read after the answer has gone out, in a
short write transaction of its own; this module only stores and lists. Recording is the
system writing about an auditor, not the auditor writing, so it checks no role (an
auditor's own writes are refused by access.ensure_can_write everywhere else). Listing is
for administrators only: what an auditor looked at is itself sensitive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidInputError
from engine.models import AuditRead, ProcessInstance, User, UserRole
from engine.runtime import runtime_of
from engine.services import access
from engine.services.auditsearch import has_control_characters

VIA_PAGE = "page"
VIA_API = "api"
PATH_LIMIT = 300
ENDPOINT_LIMIT = 80
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
AUDITOR_ROLE = "auditor"


@dataclass(frozen=True)
class ReadRecord:
    """One read as the web layer saw it; `path` and `endpoint` are cut to fit."""

    user_id: int
    endpoint: str
    path: str
    via: str
    at: datetime
    instance_id: int | None = None
    version_id: int | None = None


def record_read(session: Session, read: ReadRecord) -> AuditRead:
    """Store one read (flushes; the caller commits its own short transaction)."""
    row = AuditRead(
        user_id=read.user_id,
        instance_id=read.instance_id,
        version_id=read.version_id,
        endpoint=read.endpoint[:ENDPOINT_LIMIT],
        path=read.path[:PATH_LIMIT],
        via=read.via,
        read_at=read.at,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ReadFilters:
    """Who read, which run (by id or registration number), local days both ends included."""

    user_id: int | None = None
    instance_id: int | None = None
    registration_no: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    per_page: int = PAGE_SIZE


@dataclass(frozen=True)
class ReadRow:
    read: AuditRead
    user: User
    instance: ProcessInstance | None


@dataclass(frozen=True)
class ReadPage:
    rows: list[ReadRow]
    total: int
    page: int
    pages: int


def list_reads(session: Session, viewer: User, filters: ReadFilters) -> ReadPage:
    """The reads matching `filters`, newest first, one page of them."""
    access.ensure_admin(viewer)
    conditions = _conditions(session, filters)
    total = session.scalar(select(func.count(AuditRead.id)).where(*conditions)) or 0
    pages = max(1, -(-total // filters.per_page))
    page = min(filters.page, pages)
    found = session.execute(
        select(AuditRead, User, ProcessInstance)
        .join(User, User.id == AuditRead.user_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == AuditRead.instance_id)
        .where(*conditions)
        .order_by(AuditRead.read_at.desc(), AuditRead.id.desc())
        .offset((page - 1) * filters.per_page)
        .limit(filters.per_page)
    ).all()
    return ReadPage([ReadRow(*row) for row in found], total, page, pages)


def list_auditors(session: Session, viewer: User) -> list[User]:
    """The people holding the auditor role (whose reads are recorded), by name."""
    access.ensure_admin(viewer)
    return list(session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == AUDITOR_ROLE).order_by(User.full_name)))


def _conditions(session: Session, filters: ReadFilters) -> list:
    problems = _problems(filters)
    instance_id = filters.instance_id
    if filters.registration_no and has_control_characters(filters.registration_no):
        problems["run"] = [N_("Remove the control characters from this field")]
    elif filters.registration_no:
        instance_id = session.scalar(select(ProcessInstance.id).where(
            func.upper(ProcessInstance.registration_no) == filters.registration_no.upper()))
        if instance_id is None:
            problems["run"] = [N_("There is no process run with this registration number")]
    if problems:
        raise InvalidInputError("Some filter fields are not valid", code="invalid_filter",
                                details=problems)
    zone = runtime_of(session).settings.zone
    found = []
    if filters.user_id is not None:
        found.append(AuditRead.user_id == filters.user_id)
    if instance_id is not None:
        found.append(AuditRead.instance_id == instance_id)
    if filters.since is not None:
        found.append(AuditRead.read_at >= _midnight(filters.since, zone))
    if filters.until is not None:
        found.append(AuditRead.read_at < _midnight(filters.until + timedelta(days=1), zone))
    return found


def _problems(filters: ReadFilters) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if filters.since and filters.until and filters.since > filters.until:
        problems["until"] = [N_("This date is before the start of the range")]
    if filters.page < 1 or not 1 <= filters.per_page <= MAX_PAGE_SIZE:
        problems["page"] = [N_("There is no such page")]
    return problems


def _midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)

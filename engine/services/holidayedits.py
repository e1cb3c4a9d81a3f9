"""The holiday table as administrators edit it (`/admin/libur`): a year's days, adding,
changing and removing one, and re-seeding a year from the `holidays` package.

Kinds: libur nasional, cuti bersama and libur daerah close a day; hari kerja pengganti
opens a day outside the work week (engine.services.deadlines.WorkingCalendar reads both).
Every edit is marked as made by hand (source manual), so a re-seed keeps it; removing a
package day leaves a `dihapus` row for the same reason. An edit never moves a due date:
engine.services.duerecompute shows which would move and moves them when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidInputError, NotFoundError
from engine.events import EventType
from engine.models import Holiday, User
from engine.models.holidays import (
    KIND_REMOVED,
    KIND_REPLACEMENT_WORKDAY,
    KINDS,
    SOURCE_MANUAL,
    SOURCE_PACKAGE,
)
from engine.runtime import runtime_of
from engine.services import audit, holidays
from engine.services.adminusers import ensure_admin

MAX_TEXT = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
EDITED = ("name", "kind", "legal_basis")


@dataclass
class HolidayInput:
    """What the form sent, as typed."""

    day: str = ""
    name: str = ""
    kind: str = ""
    legal_basis: str = ""


def check_year(raw) -> int:
    year = int(raw) if str(raw).isdigit() and len(str(raw)) == 4 else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInputError(N_("Choose a year between 2000 and 2100"), code="invalid_year",
                                details={"year": [N_("Choose a year between 2000 and 2100")]})
    return year


def list_year(session: Session, actor: User, year: int) -> list[Holiday]:
    """The year's days in the table, by date (removed package days left out)."""
    ensure_admin(actor)
    return list(session.scalars(
        select(Holiday).where(Holiday.on >= date(year, 1, 1), Holiday.on <= date(year, 12, 31),
                              Holiday.kind != KIND_REMOVED).order_by(Holiday.on)))


def get_holiday(session: Session, actor: User, day: date, *, writing: bool = False) -> Holiday:
    ensure_admin(actor, writing=writing)
    row = _row_on(session, day)
    if row is None or row.kind == KIND_REMOVED:
        raise NotFoundError(N_("This day is not in the holiday table"), code="holiday_not_found")
    return row


def add_holiday(session: Session, actor: User, data: HolidayInput, now: datetime) -> Holiday:
    ensure_admin(actor, writing=True)
    errors: dict[str, list[str]] = {}
    day = _checked_day(data.day, errors)
    values = _checked_values(session, data, day, errors)
    row = _row_on(session, day) if day else None
    if row is not None and row.kind != KIND_REMOVED:
        errors["day"] = [N_("This day is already in the table: change it instead")]
    _raise_if(errors)
    if row is None:
        row = Holiday(on=day)
        session.add(row)
    _store(row, values, actor, now)
    _record(session, actor, row, "added", now)
    return row


def update_holiday(session: Session, actor: User, day: date, data: HolidayInput,
                   now: datetime) -> dict[str, list]:
    row = get_holiday(session, actor, day, writing=True)
    errors: dict[str, list[str]] = {}
    values = _checked_values(session, data, day, errors)
    _raise_if(errors)
    changes = {name: [getattr(row, name), values[name]] for name in EDITED
               if getattr(row, name) != values[name]}
    if changes:
        _store(row, values, actor, now)
        _record(session, actor, row, "updated", now, changes)
    return changes


def remove_holiday(session: Session, actor: User, day: date, now: datetime) -> None:
    """Gone from the calendar; a package day stays as a `dihapus` row so a re-seed keeps
    it out."""
    row = get_holiday(session, actor, day, writing=True)
    _record(session, actor, row, "removed", now)
    if row.source == SOURCE_PACKAGE:
        row.kind, row.source, row.changed_by_id, row.changed_at = (
            KIND_REMOVED, SOURCE_MANUAL, actor.id, now)
    else:
        session.delete(row)
    session.flush()


def reseed_year(session: Session, actor: User, year: int, now: datetime) -> holidays.SeedResult:
    """The year's libur nasional and cuti bersama from the `holidays` package again; days
    edited (or removed) by hand stay as they are."""
    ensure_admin(actor, writing=True)
    year = check_year(year)
    result = holidays.seed_years(session, [year], now)
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.HOLIDAYS_RESEEDED, now, actor_id=actor.id,
                       payload={"year": year, "added": result.added, "updated": result.updated,
                                "kept_manual": result.kept_manual})
    return result


# ---- checks and writes -------------------------------------------------------------------------

def _row_on(session: Session, day: date) -> Holiday | None:
    return session.scalars(select(Holiday).where(Holiday.on == day)).first()


def _checked_day(raw: str, errors: dict) -> date | None:
    try:
        day = date.fromisoformat((raw or "").strip())
    except ValueError:
        errors["day"] = [N_("Enter a date such as 2026-01-31")]
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["day"] = [N_("Choose a year between 2000 and 2100")]
        return None
    return day


def _checked_values(session: Session, data: HolidayInput, day: date | None,
                    errors: dict) -> dict:
    name = " ".join((data.name or "").split())
    legal_basis = " ".join((data.legal_basis or "").split()) or None
    if not name or len(name) > MAX_TEXT:
        errors["name"] = [N_("A name is 1-200 characters")]
    if legal_basis and len(legal_basis) > MAX_TEXT:
        errors["legal_basis"] = [N_("The legal basis is at most 200 characters")]
    if data.kind not in KINDS:
        errors["kind"] = [N_("Choose a kind from the list")]
    elif data.kind == KIND_REPLACEMENT_WORKDAY and day is not None and (
            day.weekday() in runtime_of(session).settings.workweek):
        errors["kind"] = [N_("A replacement working day must be a day off in the work week, "
                             "such as a Saturday or Sunday")]
    return {"name": name, "kind": data.kind, "legal_basis": legal_basis}


def _store(row: Holiday, values: dict, actor: User, now: datetime) -> None:
    row.name, row.kind, row.legal_basis = values["name"], values["kind"], values["legal_basis"]
    row.source, row.changed_by_id, row.changed_at = SOURCE_MANUAL, actor.id, now


def _record(session: Session, actor: User, row: Holiday, action: str, now: datetime,
            changes: dict | None = None) -> None:
    session.flush()
    payload = {"action": action, "day": row.on.isoformat(), "name": row.name, "kind": row.kind,
               "legal_basis": row.legal_basis}
    if changes:
        payload["changes"] = changes
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.HOLIDAY_CHANGED, now, actor_id=actor.id,
                       payload=payload)


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInputError(N_("Check the fields marked below."), code="invalid_holiday",
                                details=errors)

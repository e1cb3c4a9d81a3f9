"""Due dates (Batas Waktu) in working days, from the holiday table.

A task's due date is fixed when the task is created: its row's Waktu counted in working
days from the creation day (day 0) in the deployment's time zone. Rows that share one
allowance (rows 1-5 share five days) carry a `deadline_group`: the task that opens the
group (`deadline_group_entry`) starts the clock and the others inherit its due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import add_working_days, working_days_between
from engine.models import Holiday, HumanTask, ProcessInstance
from engine.models.holidays import CLOSED_KINDS, KIND_REPLACEMENT_WORKDAY
from engine.runtime import runtime_of
from engine.services import versions

HORIZON_DAYS = 400


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date]
    workweek: tuple[int, ...]
    zone: ZoneInfo
    workdays: frozenset[date] = frozenset()  # hari kerja pengganti: worked weekend days

    @classmethod
    def load(cls, session: Session, now: datetime, since: date | None = None) -> WorkingCalendar:
        """Holidays from `since` (or a week ago) to a year ahead: enough for due dates and
        for counting how late an old task is."""
        settings = runtime_of(session).settings
        zone = settings.zone
        today = now.astimezone(zone).date()
        start = min(since or today, today) - timedelta(days=7)
        rows = session.execute(
            select(Holiday.on, Holiday.kind).where(
                Holiday.on >= start,
                Holiday.on <= today + timedelta(days=HORIZON_DAYS),
            )
        ).all()
        closed = frozenset(on for on, kind in rows if kind in CLOSED_KINDS)
        worked = frozenset(on for on, kind in rows if kind == KIND_REPLACEMENT_WORKDAY)
        return cls(closed, settings.workweek, zone, worked)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def add(self, start: date, days: int) -> date:
        return add_working_days(start, days, self.holidays, self.workweek, self.workdays)

    def between(self, start: date, end: date) -> int:
        return working_days_between(start, end, self.holidays, self.workweek, self.workdays)


def due_on_for(
    session: Session,
    instance: ProcessInstance,
    properties: dict,
    info: dict,
    calendar: WorkingCalendar,
    now: datetime,
) -> date | None:
    days = info.get("waktu_hari_kerja")
    if days is None:
        return None
    group = properties.get("deadline_group")
    if group and properties.get("deadline_group_entry") != "true":
        inherited = _group_due(session, instance, group)
        if inherited is not None:
            return inherited
    return calendar.add(calendar.local_date(now), int(days))


def _group_due(session: Session, instance: ProcessInstance, group: str) -> date | None:
    """The due date of the latest task that opened this group in this instance."""
    entries = [
        element_id
        for element_id, info in versions.content_of(session, instance.version).activities.items()
        if info.get("deadline_group") == group and info.get("deadline_group_entry")
    ]
    if not entries:
        return None
    return session.scalars(
        select(HumanTask.due_on)
        .where(HumanTask.instance_id == instance.id, HumanTask.element_id.in_(entries))
        .order_by(HumanTask.id.desc())
        .limit(1)
    ).first()


def is_overdue(due_on: date | None, now: datetime, zone: ZoneInfo) -> bool:
    return due_on is not None and now.astimezone(zone).date() > due_on


def overdue_working_days(due_on: date, now: datetime, calendar: WorkingCalendar) -> int:
    return calendar.between(due_on, calendar.local_date(now))

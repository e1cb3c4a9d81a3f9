"""The holiday table as administrators edit it, and recomputing due dates of a real run:
an edit moves nothing; the preview names what would move; recompute moves it, logged."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.errors import InvalidInputError, PermissionDeniedError
from engine.events import EventType
from engine.models import Event, Holiday
from engine.models.holidays import KIND_REMOVED, SOURCE_MANUAL
from engine.services import duerecompute, holidayedits
from engine.services.deadlines import WorkingCalendar
from engine.services.holidayedits import HolidayInput
from tests.conftest import T0
from tests.support import complete_all, open_tasks, start_sop, user


def add(session, admin, day, kind="libur_daerah", name="Hari Jadi Kota"):
    return holidayedits.add_holiday(session, admin, HolidayInput(day, name, kind, "Perda 1"), T0)


def test_a_replacement_working_day_counts_and_a_regional_holiday_does_not(session):
    admin = user(session, "admin")
    add(session, admin, "2026-01-07")
    calendar = WorkingCalendar.load(session, T0)
    assert calendar.add(date(2026, 1, 5), 5) == date(2026, 1, 13)
    add(session, admin, "2026-01-10", kind="hari_kerja_pengganti", name="Pengganti")
    calendar = WorkingCalendar.load(session, T0)
    assert calendar.add(date(2026, 1, 5), 5) == date(2026, 1, 12)


def test_bad_input_is_refused_whole(session):
    admin = user(session, "admin")
    with pytest.raises(InvalidInputError) as caught:
        holidayedits.add_holiday(session, admin, HolidayInput("2026-13-01", "", "x"), T0)
    assert set(caught.value.details) == {"day", "name", "kind"}
    with pytest.raises(InvalidInputError) as caught:  # a Wednesday is worked anyway
        add(session, admin, "2026-01-07", kind="hari_kerja_pengganti")
    with pytest.raises(InvalidInputError):  # already there: change it instead
        add(session, admin, "2026-01-01")
    with pytest.raises(PermissionDeniedError):
        add(session, user(session, "tim1"), "2026-01-07")


def test_edits_survive_a_reseed_and_removed_days_stay_removed(session):
    admin = user(session, "admin")
    holidayedits.update_holiday(session, admin, date(2026, 3, 20), HolidayInput(
        name="Cuti bersama (diubah)", kind="cuti_bersama", legal_basis="SKB"), T0)
    holidayedits.remove_holiday(session, admin, date(2026, 1, 1), T0)
    removed = session.scalars(select(Holiday).where(Holiday.on == date(2026, 1, 1))).one()
    assert (removed.kind, removed.source) == (KIND_REMOVED, SOURCE_MANUAL)
    result = holidayedits.reseed_year(session, admin, 2026, T0)
    assert (result.added, result.kept_manual) == (0, 2)
    days = {h.on: h for h in holidayedits.list_year(session, admin, 2026)}
    assert date(2026, 1, 1) not in days and days[date(2026, 3, 20)].name == "Cuti bersama (diubah)"
    assert date(2026, 1, 1) not in WorkingCalendar.load(session, T0).holidays
    kinds = [e.payload["action"] for e in session.scalars(
        select(Event).where(Event.type == EventType.HOLIDAY_CHANGED).order_by(Event.id))]
    assert kinds == ["updated", "removed"]


def test_recompute_moves_open_tasks_only_when_asked(session):
    admin = user(session, "admin")
    instance = start_sop(session, T0)
    complete_all(session, instance.id, "Task_01", T0)
    task = open_tasks(session, instance.id, "Task_02")[0]
    assert task.due_on == date(2026, 1, 12)  # inherited from row 1's five working days
    add(session, admin, "2026-01-07")
    assert task.due_on == date(2026, 1, 12)  # an edit alone moves nothing
    moves = duerecompute.preview_moves(session, admin, T0)
    assert [(m.task.id, m.before, m.after) for m in moves] == [
        (task.id, date(2026, 1, 12), date(2026, 1, 13))]
    with pytest.raises(PermissionDeniedError):
        duerecompute.recompute_due_dates(session, user(session, "auditor"), T0)
    duerecompute.recompute_due_dates(session, admin, T0)
    assert task.due_on == date(2026, 1, 13)
    assert duerecompute.preview_moves(session, admin, T0) == []
    event = session.scalars(select(Event).where(
        Event.type == EventType.DUE_DATES_RECOMPUTED)).one()
    assert event.payload == {"tasks_moved": 1, "moves": [
        {"task_id": task.id, "before": "2026-01-12", "after": "2026-01-13"}]}
    assert event.actor_id == admin.id

"""The holiday table drives due dates; hand edits survive a re-seed."""

from __future__ import annotations

from datetime import date

from engine.calendar import count_working_days
from engine.models.holidays import SOURCE_MANUAL
from engine.services import holidays
from engine.services.deadlines import WorkingCalendar


def test_seeded_table_gives_240_working_days_in_2026(session):
    rows = holidays.list_holidays(session, date(2026, 1, 1), date(2026, 12, 31))
    assert count_working_days(2026, {h.on for h in rows}) == 240
    assert {h.kind for h in rows} == {"libur_nasional", "cuti_bersama"}


def test_hand_edits_are_kept_when_seeding_again(session, now):
    holidays.set_holiday(
        session,
        1,
        date(2026, 3, 20),
        "Cuti bersama (SKB diubah)",
        "cuti_bersama",
        now,
        legal_basis="SKB 3 Menteri 2026",
    )
    holidays.seed_holidays(session, [2026], now)
    row = holidays.list_holidays(session, date(2026, 3, 20), date(2026, 3, 20))[0]
    assert (row.name, row.source) == ("Cuti bersama (SKB diubah)", SOURCE_MANUAL)


def test_calendar_skips_nyepi_and_lebaran(session, now):
    calendar = WorkingCalendar.load(session, now)
    assert calendar.add(date(2026, 3, 17), 5) == date(2026, 3, 31)

"""How long one pass of a step took, in working days, and whether it was late.

One definition for every audit view (the replay's badges, the heatmap, the PDF summary),
so they never disagree: a pass runs from the day its task was opened to the day it was
completed (or today while open), counted with engine.calendar.working_days_between (the
opening day never counts, as for due dates), and it is late when it ended after its due
date (`due_on`, fixed when the task was opened: its row's Waktu, or the shared allowance of
its deadline group). A pass that ends on its due date is on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from engine.services.deadlines import WorkingCalendar


@dataclass(frozen=True)
class PassTiming:
    days: int  # working days from opening to completion (or to `now` while open)
    late: bool  # ended (or, while open, is already) after its due date
    days_late: int  # working days past the due date; 0 when on time


def pass_timing(
    calendar: WorkingCalendar,
    opened_at: datetime,
    ended_at: datetime | None,
    due_on: date | None,
    now: datetime,
) -> PassTiming:
    """The timing of one pass; `ended_at` None means still open (measured up to `now`)."""
    start = calendar.local_date(opened_at)
    end = calendar.local_date(ended_at or now)
    days = max(calendar.between(start, end), 0)
    if due_on is None or end <= due_on:
        return PassTiming(days, False, 0)
    late_by = calendar.between(due_on, end)
    return PassTiming(days, True, max(late_by, 0))


def ratio(days: float, waktu: int | None) -> float | None:
    """A duration relative to its Waktu (1.0 = exactly the allowance); None without one."""
    if not waktu:
        return None
    return days / waktu

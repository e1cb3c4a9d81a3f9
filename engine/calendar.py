"""Working days (hari kerja, HK) for due dates, and Indonesian date wording.

Everything here is a pure function of its arguments: the holiday table lives in the database and
is passed in as a collection of dates, so the same code serves the request path, the timer worker
and the tests, and a changed calendar never alters a due date behind an admin's back.

Counting convention (domain.md): day 0 is the day a task is created; "n HK" is the end of the
n-th working day after it. Weekday numbers follow `date.weekday()`: Monday 0 ... Sunday 6.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import holidays as holidays_package
from babel.dates import format_date

from engine.errors import DomainError

MONDAY_TO_FRIDAY: tuple[int, ...] = (0, 1, 2, 3, 4)
ONE_DAY = timedelta(days=1)

HolidayKind = Literal["libur_nasional", "cuti_bersama"]

# The package's category for each kind we seed; "government" holds the cuti bersama of the SKB.
_PACKAGE_CATEGORIES: tuple[tuple[str, HolidayKind], ...] = (
    ("public", "libur_nasional"),
    ("government", "cuti_bersama"),
)
# Misspellings in the package's Indonesian labels, corrected so users see proper names.
_NAME_FIXES: dict[str, str] = {"Pegangti": "Pengganti"}


@dataclass(frozen=True)
class HolidaySeed:
    """One non-working date as proposed by the `holidays` package, before an admin edits it."""

    on: date
    name: str
    kind: HolidayKind


def add_working_days(
    start: date,
    days: int,
    holidays: Collection[date],
    workweek: Collection[int] = MONDAY_TO_FRIDAY,
    workdays: Collection[date] = (),
) -> date:
    """Return the date on which the `days`-th working day after `start` ends.

    `start` itself never counts, whatever day it is, because the task is created part-way through
    it. A negative `days` walks backwards, so reminders "2 HK before the due date" use the same
    rule; `days == 0` returns `start` unchanged. `workdays` are days outside the work week
    that are worked anyway (hari kerja pengganti).
    """
    is_working = _working_day_test(holidays, workweek, workdays)
    step = ONE_DAY if days >= 0 else -ONE_DAY
    current, remaining = start, abs(days)
    while remaining:
        current += step
        if is_working(current):
            remaining -= 1
    return current


def working_days_between(
    start: date,
    end: date,
    holidays: Collection[date],
    workweek: Collection[int] = MONDAY_TO_FRIDAY,
    workdays: Collection[date] = (),
) -> int:
    """Count working days after `start` up to and including `end`; negative when `end < start`.

    This is the inverse of add_working_days, so "Terlambat 2 HK" and a due date computed as
    "5 HK" agree: add_working_days(s, n) == e implies working_days_between(s, e) == n.
    When `end < start` the days counted are `end` up to but excluding `start`.
    """
    is_working = _working_day_test(holidays, workweek, workdays)
    if end >= start:
        first, last, sign = start + ONE_DAY, end, 1
    else:
        first, last, sign = end, start - ONE_DAY, -1
    total = 0
    current = first
    while current <= last:
        total += is_working(current)
        current += ONE_DAY
    return sign * total


def count_working_days(
    year: int,
    holidays: Collection[date],
    workweek: Collection[int] = MONDAY_TO_FRIDAY,
    workdays: Collection[date] = (),
) -> int:
    """Working days in a calendar year: the figure admins check against the SKB (2026: 240)."""
    return working_days_between(date(year - 1, 12, 31), date(year, 12, 31), holidays, workweek,
                                workdays)


def indonesian_holidays(years: Iterable[int]) -> list[HolidaySeed]:
    """Propose libur nasional and cuti bersama for `years`, one row per date, sorted by date.

    The package is asked once per category so each date's kind comes from the package itself
    rather than from guessing at its name. When a date carries two holidays (Idul Fitri and
    Kenaikan on 13 May 2021) the names are joined with "; " and libur nasional wins, because a
    national holiday cannot be worked even if a cuti bersama falls on the same day.
    """
    wanted = sorted(set(years))
    if not wanted:
        return []
    seeds: dict[date, HolidaySeed] = {}
    for category, kind in _PACKAGE_CATEGORIES:
        table = holidays_package.Indonesia(years=wanted, categories=(category,), language="id")
        for day in sorted(table):
            for name in table.get_list(day):
                seeds[day] = _merge_seed(seeds.get(day), HolidaySeed(day, _fix_name(name), kind))
    return [seeds[day] for day in sorted(seeds)]


def format_date_id(value: date) -> str:
    """'24 November 2026': the form Indonesian letters and SOP documents use."""
    return format_date(value, "d MMMM y", locale="id")


def format_date_long_id(value: date) -> str:
    """'Selasa, 24 November 2026': with the weekday, for due dates users plan around."""
    return format_date(value, "EEEE, d MMMM y", locale="id")


def _working_day_test(
    holidays: Collection[date], workweek: Collection[int], workdays: Collection[date] = ()
):
    """Build the per-day test once, refusing a work week that would make loops never end.
    A holiday wins over a replacement working day on the same date."""
    days = frozenset(workweek)
    if not days or not days <= set(range(7)):
        raise DomainError(
            "The work week must name at least one weekday between 0 (Monday) and 6 (Sunday)",
            code="invalid_workweek",
            details={"workweek": sorted(days, key=str)},
        )
    closed, extra = frozenset(holidays), frozenset(workdays)
    return lambda day: (day.weekday() in days or day in extra) and day not in closed


def _fix_name(name: str) -> str:
    """Correct known misspellings and stray spacing in a package label."""
    for wrong, right in _NAME_FIXES.items():
        name = name.replace(wrong, right)
    return " ".join(name.split())


def _merge_seed(existing: HolidaySeed | None, new: HolidaySeed) -> HolidaySeed:
    """Combine two holidays on one date into a single row (see indonesian_holidays)."""
    if existing is None:
        return new
    names = existing.name.split("; ")
    if new.name not in names:
        names.append(new.name)
    kind: HolidayKind = (
        "libur_nasional" if "libur_nasional" in (existing.kind, new.kind) else ("cuti_bersama")
    )
    return HolidaySeed(existing.on, "; ".join(names), kind)

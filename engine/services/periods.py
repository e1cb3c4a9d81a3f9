"""Reporting periods: when the next one may end, and which end date to propose.

A period's end date is chosen at row 9 (the first) and at each row 17 (the next). It opens
row 12 on that day, so it must lie after the end of the period before it (a period of no
days would report twice on the same data) and not before today in the deployment's zone
(a timer in the past fires at once, skipping the period). The form marks the field with
`properties.period_end` naming the variable of the reporting frequency; the proposal is the
end of the calendar month, quarter, half year or year that follows the previous end.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.errors import N_
from engine.forms.problems import Problem
from engine.forms.schemas import key_of, members, period_end_frequency

# Codes of the frequency field (forms laporan-sosialisasi, perencanaan-indikator).
MONTHS_PER_PERIOD = {"bulanan": 1, "triwulanan": 3, "semesteran": 6, "tahunan": 12}

AFTER_PREVIOUS = N_("Must be after the end of the previous period (%(date)s)")
NOT_BEFORE_TODAY = N_("May not be before today (%(date)s)")


@dataclass(frozen=True)
class PeriodBounds:
    """What a new period's end date is checked against: today and, per field, the end of
    the period before (none at row 9). Validation calls `problems` (see PERIOD_BOUNDS)."""

    today: date
    previous_ends: Mapping[str, date] = field(default_factory=dict)

    def problems(self, key: str, end: date) -> list[str]:
        previous = self.previous_ends.get(key)
        if previous is not None and end <= previous:
            return [Problem(AFTER_PREVIOUS, date=previous)]
        if end < self.today:
            return [Problem(NOT_BEFORE_TODAY, date=self.today)]
        return []


def bounds_for(form: Mapping, earlier: Mapping, now: datetime, zone: ZoneInfo) -> PeriodBounds:
    """The bounds of a task's period-end fields: the previous ends from `earlier` (the data
    shown beside the task, which carries the current period's end), today in `zone`."""
    previous = {}
    for comp in period_end_fields(form):
        found = parse_date(earlier.get(comp["key"]))
        if found is not None:
            previous[comp["key"]] = found
    return PeriodBounds(today=now.astimezone(zone).date(), previous_ends=previous)


def period_end_fields(form: Mapping) -> list[dict]:
    """The top-level date fields of a form that set a new period's end."""
    return [
        comp
        for comp in members(form.get("components") or [])
        if key_of(comp) and period_end_frequency(comp) is not None
    ]


def frequency_variables(form: Mapping) -> list[str]:
    """The variables holding the frequency of the form's period-end fields."""
    return [period_end_frequency(comp) for comp in period_end_fields(form)]


def proposed_ends(form: Mapping, data: Mapping) -> dict[str, str]:
    """For each period-end field, the proposed date (ISO) from the previous end and the
    frequency found in `data`; fields with either missing get nothing."""
    proposals = {}
    for comp in period_end_fields(form):
        previous = parse_date(data.get(comp["key"]))
        proposal = next_period_end(previous, data.get(period_end_frequency(comp)))
        if proposal is not None:
            proposals[comp["key"]] = proposal.isoformat()
    return proposals


def next_period_end(previous: date | None, frequency: Any) -> date | None:
    """The first end of a calendar period (of the frequency) after `previous`: triwulanan
    after 31 March is 30 June; after 15 February (a period cut short), 31 March."""
    months = MONTHS_PER_PERIOD.get(frequency) if isinstance(frequency, str) else None
    if previous is None or months is None:
        return None
    index = previous.year * 12 + previous.month - 1  # months since year 0
    last_month = (index // months + 1) * months - 1  # the last month of previous's period
    end = _month_end(last_month)
    return end if end > previous else _month_end(last_month + months)


def _month_end(index: int) -> date:
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def parse_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None

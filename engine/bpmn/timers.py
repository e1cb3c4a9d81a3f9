"""Timers that follow the clock the caller passes in, and timer values that make sense.

SpiffWorkflow compares timer dates with `datetime.now()`. The worker, the tests and the
benchmarks pass `now` explicitly, so timers here ask the workflow's script engine for
the time and for the deployment's time zone (the one setting, read once by the Runtime).
A date without a time (a period's last day, as the forms collect it) is due at 00:00 of
that day in that zone: a period that ends today opens its report (row 12) today.

SpiffWorkflow accepts a cycle of zero or negative length and any number of repetitions,
and raises a bare Exception on a value it cannot read. Cycles and durations are therefore
checked here with our own reading of ISO 8601 (`duration_problems`, `cycle_problems`):
at deploy when the value is written in the diagram, and again when a timer starts, when
it comes from the run's data; a bad value then stops the step with DiagramRunError.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)

from engine.bpmn.limits import Limits, element_details, limits_of
from engine.errors import N_, DiagramRunError

DURATION = re.compile(
    r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE,
)
CYCLE = re.compile(r"R(?P<count>\d*)/(?P<first>[^/]+)(?:/(?P<second>[^/]+))?", re.IGNORECASE)
UNIT_SECONDS = {
    "years": 365 * 86400, "months": 30 * 86400, "weeks": 7 * 86400, "days": 86400,
    "hours": 3600, "minutes": 60, "seconds": 1,
}
LONGEST_DURATION = timedelta(days=366 * 10)  # a wait past ten years is a typo, not an SOP
TIMER_INVALID = N_(
    "A timer of this process has a value that is not a valid time, duration or cycle; "
    "nothing was saved. Ask the administrator to check the process diagram or the data."
)


def parse_due(value, zone: ZoneInfo) -> datetime:
    """Turn a timer expression's value (date, datetime or ISO text) into aware UTC."""
    try:
        return _parse_due(value, zone)
    except ValueError as error:
        raise ValueError(f"{value!r} is not an ISO 8601 date or date and time") from error


def _parse_due(value, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0), zone)
    else:
        text = str(value).strip()
        moment = datetime.fromisoformat(text)
        if len(text) == 10:
            moment = datetime.combine(moment.date(), time(0), zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def duration_seconds(text: str) -> float | None:
    """The length of an ISO 8601 duration as SpiffWorkflow reads it (a month taken as 30
    days, a year as 365), or None when it is not one SpiffWorkflow would read."""
    found = DURATION.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None:
        return None
    parts = {unit: float(value.replace(",", ".")) for unit, value in found.groupdict().items()
             if value is not None}
    if "weeks" in parts and parts.keys() & {"years", "months", "days"}:
        return None  # SpiffWorkflow refuses weeks beside years, months or days
    return sum(UNIT_SECONDS[unit] * value for unit, value in parts.items())


def duration_problems(value, limits: Limits) -> list[str]:
    """What is wrong with a timeDuration's value; an empty list means it may run."""
    seconds = duration_seconds(value)
    if seconds is None:
        return [f"{value!r} is not an ISO 8601 duration such as 'P3D' or 'PT2H'"]
    if seconds > LONGEST_DURATION.total_seconds():
        return [f"the duration {value!r} is longer than {LONGEST_DURATION.days} days"]
    return []


def cycle_problems(value, limits: Limits) -> list[str]:
    """What is wrong with a timeCycle's value: the form R<n>/<interval>, optionally with a
    start before or an end after the interval; a positive interval of at least the settings'
    minimum; a number of repetitions, at most the settings' maximum."""
    found = CYCLE.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        return [f"{value!r} is not an ISO 8601 cycle such as 'R3/P1D'"]
    parts = [part for part in (found["first"], found["second"]) if part is not None]
    intervals = [part for part in parts if part.upper().startswith("P")]
    if len(intervals) != 1 or any(_is_bad_moment(p) for p in parts if p not in intervals):
        return [f"{value!r} needs one interval, with at most a start date before it "
                "or an end date after it"]
    return [*_interval_problems(intervals[0], limits), *_count_problems(found["count"], limits)]


def _is_bad_moment(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return True
    return False


def _interval_problems(interval: str, limits: Limits) -> list[str]:
    seconds = duration_seconds(interval)
    if seconds is None:
        return [f"the interval {interval!r} is not an ISO 8601 duration such as 'P1D'"]
    if seconds <= 0:
        return [f"the interval {interval!r} must be longer than zero"]
    if seconds < limits.min_timer_cycle_seconds:
        return [f"the interval {interval!r} is shorter than the minimum of "
                f"{limits.min_timer_cycle_seconds} seconds"]
    return []


def _count_problems(count: str, limits: Limits) -> list[str]:
    if not count:
        return ["a cycle must say how often it repeats (R5/..., not R/...), "
                f"at most {limits.max_timer_repetitions} times"]
    if int(count) > limits.max_timer_repetitions:
        return [f"the cycle repeats {int(count)} times; at most "
                f"{limits.max_timer_repetitions} are allowed"]
    return []


def _checked_value(my_task, definition, check):
    """A duration or cycle timer's value from the run's data, refused when it makes no sense."""
    value = my_task.workflow.script_engine.evaluate(my_task, definition.expression)
    problems = check(value, limits_of(my_task))
    if problems:
        raise DiagramRunError(
            TIMER_INVALID,
            code="timer_invalid",
            details={**element_details(my_task.task_spec), "problems": problems},
        )
    return value


class CheckedDurationTimerEventDefinition(DurationTimerEventDefinition):
    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            _checked_value(my_task, self, duration_problems)
        return super().has_fired(my_task)


class CheckedCycleTimerEventDefinition(CycleTimerEventDefinition):
    def cycle_complete(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            _checked_value(my_task, self, cycle_problems)
        return super().cycle_complete(my_task)


class ClockedTimeDateEventDefinition(TimeDateEventDefinition):
    """A timeDate timer judged against `script_engine.now` when one is set."""

    def has_fired(self, my_task):
        engine = my_task.workflow.script_engine
        value = my_task._get_internal_data("event_value")
        if value is None:
            value = _due_value(my_task, engine.evaluate(my_task, self.expression), engine.zone)
            my_task._set_internal_data(event_value=value)
        now = engine.now or datetime.now(UTC)
        if parse_due(value, engine.zone) <= now:
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


def _due_value(my_task, value, zone: ZoneInfo) -> str:
    try:
        return parse_due(value, zone).isoformat()
    except ValueError as error:
        raise DiagramRunError(
            TIMER_INVALID,
            code="timer_invalid",
            details={**element_details(my_task.task_spec), "problems": [str(error)]},
        ) from error


OUR_TIMERS = {
    TimeDateEventDefinition: ClockedTimeDateEventDefinition,
    DurationTimerEventDefinition: CheckedDurationTimerEventDefinition,
    CycleTimerEventDefinition: CheckedCycleTimerEventDefinition,
}


def install_clocked_timers(specs) -> None:
    """Swap SpiffWorkflow's timers in freshly parsed specs for the clocked, checked kinds."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if type(definition) in OUR_TIMERS:
                definition.__class__ = OUR_TIMERS[type(definition)]


def due_of(task) -> datetime | None:
    """When a waiting timer fires (stored as aware ISO text, so the zone is not needed)."""
    value = task._get_internal_data("event_value")
    return datetime.fromisoformat(value).astimezone(UTC) if value is not None else None

"""Timers that follow the clock the caller passes in, not the machine's clock.

SpiffWorkflow compares timer dates with `datetime.now()`. The worker, the tests and the
benchmarks pass `now` explicitly, so timers here ask the workflow's script engine for
the time and for the deployment's time zone (the one setting, read once by the Runtime).
A date without a time (a period's last day, as the forms collect it) is due at 00:00 of
that day in that zone: a period that ends today opens its report (row 12) today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition


def parse_due(value, zone: ZoneInfo) -> datetime:
    """Turn a timer expression's value (date, datetime or ISO text) into aware UTC."""
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


class ClockedTimeDateEventDefinition(TimeDateEventDefinition):
    """A timeDate timer judged against `script_engine.now` when one is set."""

    def has_fired(self, my_task):
        engine = my_task.workflow.script_engine
        value = my_task._get_internal_data("event_value")
        if value is None:
            value = engine.evaluate(my_task, self.expression)
            value = parse_due(value, engine.zone).isoformat()
            my_task._set_internal_data(event_value=value)
        now = engine.now or datetime.now(UTC)
        if parse_due(value, engine.zone) <= now:
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


def install_clocked_timers(specs) -> None:
    """Swap plain timeDate timers in freshly parsed specs for the clocked kind."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if type(definition) is TimeDateEventDefinition:
                definition.__class__ = ClockedTimeDateEventDefinition


def due_of(task) -> datetime | None:
    """When a waiting timer fires (stored as aware ISO text, so the zone is not needed)."""
    value = task._get_internal_data("event_value")
    return datetime.fromisoformat(value).astimezone(UTC) if value is not None else None

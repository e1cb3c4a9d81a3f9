"""The timer worker's pass: one failing instance is set aside, the others still fire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine.db import make_session_factory, read_only, unit_of_work
from engine.models import InstanceState, ProcessInstance
from engine.runtime import build_runtime
from engine.services import timers
from tests.conftest import T0, isolated_database
from tests.support import (
    make_factory,
    open_tasks,
    start_waiting_on_period_timer,
)

HEALTHY = 3


@pytest.fixture()
def factory(database_url, tmp_path):
    made = make_factory(isolated_database(database_url, "timers", tmp_path))
    yield made
    made.kw["bind"].dispose()


def break_state(factory, instance_id: int) -> str:
    """Damage the stored state the way a bug would (unreadable JSON); returns the original."""
    with unit_of_work(factory) as session:
        row = session.scalars(
            select(InstanceState).where(
                InstanceState.instance_id == instance_id, InstanceState.part_key == "top"
            )
        ).one()
        original, row.state = row.state, "{not json"
        session.commit()
        return original


def instance_row(factory, instance_id: int) -> ProcessInstance:
    with read_only(factory) as session:
        return session.get(ProcessInstance, instance_id)


def row12_count(factory, instance_id: int) -> int:
    with read_only(factory) as session:
        return len(open_tasks(session, instance_id, "Task_12"))


def test_a_failing_instance_is_set_aside_and_the_others_fire(factory):
    broken = start_waiting_on_period_timer(factory, T0)  # the oldest due: first in the pass
    healthy = [
        start_waiting_on_period_timer(factory, T0 + timedelta(minutes=i + 1))
        for i in range(HEALTHY)
    ]
    original = break_state(factory, broken)
    later = instance_row(factory, broken).next_due_at + timedelta(hours=1)
    worker = make_session_factory(factory.kw["bind"], runtime=build_runtime())  # its own process

    assert timers.fire_due_timers(worker, later) == 3 * HEALTHY
    assert all(row12_count(factory, i) == 3 for i in healthy)
    aside = instance_row(factory, broken)
    assert aside.failed_attempts == 1 and aside.last_error_at == later
    assert aside.last_error.startswith("JSONDecodeError")
    assert aside.next_due_at == later + timedelta(minutes=1)
    assert aside.status == "running" and row12_count(factory, broken) == 0

    assert timers.fire_due_timers(worker, later + timedelta(seconds=30)) == 0  # not yet
    assert timers.fire_due_timers(worker, later + timedelta(minutes=1)) == 0  # fails again
    again = instance_row(factory, broken)
    assert again.failed_attempts == 2
    assert again.next_due_at == later + timedelta(minutes=1) + timedelta(minutes=2)

    with unit_of_work(factory) as session:  # someone repairs the state
        session.execute(
            update(InstanceState)
            .where(InstanceState.instance_id == broken, InstanceState.part_key == "top")
            .values(state=original)
        )
        session.commit()
    assert timers.fire_due_timers(worker, later + timedelta(minutes=5)) == 3
    repaired = instance_row(factory, broken)
    assert repaired.failed_attempts == 0
    assert repaired.last_error is None and repaired.last_error_at is None
    assert repaired.next_due_at is None and row12_count(factory, broken) == 3


def test_retries_back_off_up_to_an_hour():
    delays = [timers.retry_delay(n) for n in range(1, 10)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delays[-1] == timedelta(hours=1) and delays == sorted(delays)

"""Replay-check: a recorded run, re-executed from its version and its events' data, makes
the same log; an edited log is caught at the event where it and the engine part.

One run is driven and committed per database (a revision at row 6, three OPDs, two
periods with their timers, claims and comments between the steps); each test edits its
events inside a transaction it rolls back, so they all share that one run.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from engine.db import read_only, unit_of_work
from engine.errors import NotFoundError
from engine.models import Event
from engine.models.instances import STATUS_COMPLETED
from engine.services import comments, replaycheck, tasks, timers
from tests.conftest import T0, isolated_database
from tests.support import (
    actor_for,
    complete_all,
    make_factory,
    open_tasks,
    run_planning,
    run_rows,
    start_sop,
)

OPDS = ("DISDIKBUD", "DINKES", "DPUPR")


def run_period(session, instance, now, **decision):
    """Rows 11-17 of one period; the worker fires row 12's timers after the period ends."""
    complete_all(session, instance.id, "Task_11", now)
    later = instance.next_due_at + timedelta(hours=2)
    assert timers.fire_instance_timers(session, instance.id, later) == len(OPDS)
    run_rows(session, instance.id, ["Task_12", "Task_13", "Task_14", "Task_15", "Task_16"], later)
    complete_all(session, instance.id, "Task_17", later, **decision)
    return later


def drive_sop(session, now) -> int:
    """The whole SOP: revision at 6, three OPDs, periods closed with (a) then (c)."""
    instance = start_sop(session, now)
    first = open_tasks(session, instance.id, "Task_01")[0]
    tasks.claim_task(session, actor_for(session, first), first.id, now)
    comments.add_comment(session, actor_for(session, first), first.id, "Mulai", now)
    run_rows(session, instance.id, [f"Task_0{row}" for row in range(1, 6)], now)
    complete_all(session, instance.id, "Task_06", now, keputusan_rencana="perbaiki",
                 catatan_perbaikan="Target efisiensi terlalu rendah")
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)
    later = run_period(session, instance, now, keputusan_periode="a",
                       akhir_periode="2026-02-27", rekomendasi_disetujui="Perkuat reviu HPS")
    complete_all(session, instance.id, "Task_17a", later)
    later = run_period(session, instance, later, keputusan_periode="c", akhir_periode=None)
    complete_all(session, instance.id, "Task_17c", later)
    assert instance.status == STATUS_COMPLETED and instance.period_no == 2
    return instance.id


@pytest.fixture(scope="module")
def recorded(database_url, tmp_path_factory):
    """A committed run on a database of its own: (factory, instance id)."""
    url = isolated_database(database_url, "replaycheck", tmp_path_factory.mktemp("replay"))
    factory = make_factory(url)
    with unit_of_work(factory) as session:
        instance_id = drive_sop(session, T0)
        session.commit()
    yield factory, instance_id
    factory.kw["bind"].dispose()


def events_of(session, instance_id, type_, element_id=None) -> list[Event]:
    query = select(Event).where(Event.instance_id == instance_id, Event.type == type_)
    if element_id:
        query = query.where(Event.element_id == element_id)
    return list(session.scalars(query.order_by(Event.seq)))


def set_payload(session, event: Event, **changes) -> None:
    session.execute(
        update(Event).where(Event.id == event.id).values(payload={**event.payload, **changes})
    )


def test_a_recorded_run_replays(recorded):
    factory, instance_id = recorded
    with read_only(factory) as session:
        result = replaycheck.check_instance(session, instance_id)
        kinds = {e.type for e in events_of(session, instance_id, "task_claimed")} | {
            e.type for e in events_of(session, instance_id, "comment_added")}
        total = session.scalar(select(Event.seq).where(Event.instance_id == instance_id)
                               .order_by(Event.seq.desc()).limit(1))
    assert result.ok, result.message
    assert kinds == {"task_claimed", "comment_added"}  # passed over, not compared
    assert result.first_mismatch_seq is None and result.expected is None
    assert 0 < result.events_compared < total
    assert result.message == f"ok ({result.events_compared} events compared)"


def test_a_changed_gateway_choice_is_named(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        approved = events_of(session, instance_id, "gateway_taken", "GW_06")[1]
        assert approved.payload["taken"] == ["Task_07"]
        seq = approved.seq
        set_payload(session, approved, taken=["Task_01"])
        result = replaycheck.check_instance(session, instance_id)
    assert not result.ok
    assert result.first_mismatch_seq == seq
    assert result.expected == {"type": "gateway_taken", "element_id": "GW_06",
                               "taken": ["Task_01"]}
    assert result.actual == {"type": "gateway_taken", "element_id": "GW_06",
                             "taken": ["Task_07"]}
    assert result.message == (f"event {seq}: log: gateway GW_06 took Task_01; "
                              "engine: gateway GW_06 took Task_07")


def test_changed_data_that_turns_a_gateway_is_named_at_the_gateway(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        second_06 = events_of(session, instance_id, "task_completed", "Task_06")[1]
        data = {**second_06.payload["data"], "keputusan_rencana": "perbaiki"}
        set_payload(session, second_06, data=data)
        gateway = events_of(session, instance_id, "gateway_taken", "GW_06")[1].seq
        assert gateway > second_06.seq
        result = replaycheck.check_instance(session, instance_id)
    assert not result.ok
    assert result.first_mismatch_seq == gateway
    assert result.expected["taken"] == ["Task_07"]
    assert result.actual["taken"] == ["Task_01"]


def test_a_changed_task_element_is_named(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        row7 = events_of(session, instance_id, "task_created", "Task_07")[0]
        seq = row7.seq
        session.execute(update(Event).where(Event.id == row7.id).values(element_id="Task_08"))
        result = replaycheck.check_instance(session, instance_id)
    assert (result.ok, result.first_mismatch_seq) == (False, seq)
    assert result.expected["element_id"] == "Task_08"
    assert result.actual == {"type": "task_created", "element_id": "Task_07", "opd": None,
                             "period_no": 0}


def test_a_changed_opd_or_period_is_named(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        row12 = events_of(session, instance_id, "task_created", "Task_12")[-1]
        seq, opd = row12.seq, row12.payload["opd"]
        set_payload(session, row12, period_no=1)
        result = replaycheck.check_instance(session, instance_id)
    assert (result.ok, result.first_mismatch_seq) == (False, seq)
    assert result.actual["period_no"] == 2 and result.actual["opd"] == opd


def test_a_timer_logged_before_it_was_due_finds_the_engine_stalled(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        timer = events_of(session, instance_id, "timer_fired")[0]
        seq, early = timer.seq, timer.occurred_at - timedelta(days=30)
        session.execute(update(Event).where(Event.id == timer.id).values(occurred_at=early))
        result = replaycheck.check_instance(session, instance_id)
    assert (result.ok, result.first_mismatch_seq, result.actual) == (False, seq, None)
    assert result.message.endswith("engine: nothing (it waits for people or time)")


def test_a_completion_of_a_task_never_opened_is_named(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        row2 = events_of(session, instance_id, "task_created", "Task_02")[0]
        done1 = events_of(session, instance_id, "task_completed", "Task_01")[0]
        seq = done1.seq
        session.execute(update(Event).where(Event.id == done1.id).values(task_id=row2.task_id))
        result = replaycheck.check_instance(session, instance_id)
    assert (result.ok, result.first_mismatch_seq) == (False, seq)
    assert result.message.endswith("engine: never opened that task")


def test_an_engine_event_missing_from_the_log_is_named(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        [ended] = events_of(session, instance_id, "instance_ended")
        seq = ended.seq
        session.execute(delete(Event).where(Event.id == ended.id))
        result = replaycheck.check_instance(session, instance_id)
    assert (result.ok, result.first_mismatch_seq) == (False, seq)
    assert result.actual == {"type": "instance_ended"} and result.expected is None
    assert result.message == f"event {seq}: log: nothing (it ends); engine: the run ended"


def test_an_event_the_engine_does_not_make_is_named(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        [row9_done] = events_of(session, instance_id, "task_completed", "Task_09")
        set_payload(session, row9_done, data={**row9_done.payload["data"],
                                               "akhir_periode": "2026-01-30"})
        seq = events_of(session, instance_id, "period_started")[0].seq
        result = replaycheck.check_instance(session, instance_id)
    assert (result.ok, result.first_mismatch_seq) == (False, seq)
    assert result.expected["akhir_periode"] == "2026-01-31"
    assert result.actual["akhir_periode"] == "2026-01-30"


def test_check_all_and_an_unknown_instance(recorded):
    factory, instance_id = recorded
    with read_only(factory) as session:
        results = list(replaycheck.check_all(session))
        assert [r.instance_id for r in results] == [instance_id] and results[0].ok
        with pytest.raises(NotFoundError):
            replaycheck.check_instance(session, instance_id + 1000)


def test_a_run_still_going_replays_in_the_callers_session(session, now):
    """Mid-run, uncommitted, in the test's own session (as assert_replays is used)."""
    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)
    complete_all(session, instance.id, "Task_11", now)
    result = replaycheck.check_instance(session, instance.id)
    assert result.ok, result.message


def test_an_engine_event_the_log_lost_is_named_at_the_next_input(recorded):
    factory, instance_id = recorded
    with unit_of_work(factory) as session:
        [row7] = events_of(session, instance_id, "task_created", "Task_07")
        [done7] = events_of(session, instance_id, "task_completed", "Task_07")
        seq = done7.seq
        session.execute(delete(Event).where(Event.id == row7.id))
        result = replaycheck.check_instance(session, instance_id)
    assert (result.ok, result.first_mismatch_seq) == (False, seq)
    assert result.expected["type"] == "task_completed"
    assert result.actual == {"type": "task_created", "element_id": "Task_07", "opd": None,
                             "period_no": 0}
    assert "which the log does not have" in result.message

"""Decisions start empty: a step that comes round again shows earlier content, never the
earlier decision (row 6 after "perbaiki", row 17 in the next period), and proposes the
next period's end instead of repeating the last one."""

from __future__ import annotations

from datetime import timedelta

from engine.forms import prefill
from engine.forms.schemas import is_decision
from engine.services import timers
from tests.support import (
    answers,
    complete_all,
    open_tasks,
    run_planning,
    run_rows,
    sop_forms,
    start_sop,
)


def test_the_sop_declares_its_decisions_in_the_forms():
    decisions = {
        (name, comp["key"])
        for name, form in sop_forms().items()
        for comp in form["components"]
        if is_decision(comp)
    }
    assert decisions == {
        ("persetujuan-rencana", "keputusan_rencana"),
        ("keputusan-periode", "keputusan_periode"),
    }


def test_prefill_skips_decisions_and_period_ends_but_keeps_content():
    form = sop_forms()["keputusan-periode"]
    earlier = {**answers("keputusan-periode", keputusan_periode="a"),
               "catatan_rapat": "Rapat I", "rekomendasi_disetujui": "Reviu HPS"}
    shown = prefill(form, earlier)
    assert shown["keputusan_periode"] is None
    assert shown["akhir_periode"] is None
    assert (shown["catatan_rapat"], shown["rekomendasi_disetujui"]) == ("Rapat I", "Reviu HPS")


def test_row_6_comes_back_empty_after_perbaiki(session, now):
    instance = start_sop(session, now)
    run_rows(session, instance.id, [f"Task_0{row}" for row in range(1, 6)], now)
    complete_all(session, instance.id, "Task_06", now, keputusan_rencana="perbaiki",
                 catatan_perbaikan="Target terlalu rendah")
    [row1] = open_tasks(session, instance.id, "Task_01")
    assert row1.prefill["tujuan_pbj"] == answers("perencanaan-tujuan")["tujuan_pbj"]
    run_rows(session, instance.id, [f"Task_0{row}" for row in range(1, 6)], now)
    [again] = open_tasks(session, instance.id, "Task_06")
    assert again.prefill["keputusan_rencana"] is None
    # the notes are content: shown again (hidden until "perbaiki" is chosen once more)
    assert again.prefill["catatan_perbaikan"] == "Target terlalu rendah"


def test_row_17_of_the_next_period_starts_empty_with_a_proposed_end(session, now):
    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)
    later = finish_period(session, instance, now)
    complete_all(session, instance.id, "Task_17", later, keputusan_periode="b",
                 akhir_periode="2026-02-28")
    later = finish_period(session, instance, later)
    [row17] = open_tasks(session, instance.id, "Task_17")
    assert row17.prefill["keputusan_periode"] is None
    # the sample frequency is monthly (row 9): the month after February
    assert row17.prefill["akhir_periode"] == "2026-03-31"


def finish_period(session, instance, now):
    """Rows 11-16 of the current period, the timer fired the day it ends."""
    complete_all(session, instance.id, "Task_11", now)
    later = instance.next_due_at + timedelta(hours=2)
    timers.fire_instance_timers(session, instance.id, later)
    for element_id in ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16"):
        complete_all(session, instance.id, element_id, later)
    return later

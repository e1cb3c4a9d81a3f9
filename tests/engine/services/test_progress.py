"""What comes next in a run (who acts, by when; a timer; the end), as each viewer may see
it, and the irreversible choices a form asks to confirm."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import ConflictError, InvalidInputError, NotFoundError
from engine.models.instances import STATUS_COMPLETED
from engine.services import progress, tasks, timers
from tests.support import (
    PLANNING,
    answers,
    complete_all,
    open_tasks,
    run_rows,
    sop_forms,
    start_sop,
    user,
)

OPD_NAMES = ("Dinas Kesehatan", "Dinas Pekerjaan Umum dan Penataan Ruang",
             "Dinas Pendidikan dan Kebudayaan")


@pytest.fixture()
def started(session, now):
    return start_sop(session, now)


def test_after_row_5_the_run_waits_on_the_kepala(session, now, started):
    run_rows(session, started.id, PLANNING[:5], now)
    found = progress.progress_of(session, user(session, "tim1"), started.id)
    row6 = open_tasks(session, started.id, "Task_06")[0]
    assert found.status == progress.WAITING and found.registration_no == started.registration_no
    [step] = found.steps
    assert (step.sop_step, step.lane, step.opds, step.count) == ("6", "Kepala UKPBJ", (), 1)
    assert step.due_on == row6.due_on is not None


def test_row_10_names_the_opds_the_viewer_may_see(session, now, started):
    run_rows(session, started.id, PLANNING, now)
    [step] = progress.progress_of(session, user(session, "kepala"), started.id).steps
    assert (step.sop_step, step.count, step.opds) == ("10", 3, OPD_NAMES)
    assert step.lane == "Penanggung Jawab Kinerja"
    [own] = progress.progress_of(session, user(session, "pj.dinkes"), started.id).steps
    assert (own.count, own.opds) == (1, ("Dinas Kesehatan",))


def test_a_run_the_viewer_may_not_see_is_not_found(session, now, started):
    with pytest.raises(NotFoundError):
        progress.progress_of(session, user(session, "pj.dinkes"), started.id)


def test_waiting_on_the_period_timer_then_finished(session, now, started):
    run_rows(session, started.id, PLANNING, now)
    complete_all(session, started.id, "Task_10", now)
    complete_all(session, started.id, "Task_11", now)
    found = progress.progress_of(session, user(session, "tim1"), started.id)
    assert (found.status, found.steps) == (progress.TIMER, ())
    assert found.opens_at == started.next_due_at is not None
    assert found.opens_step == "12"  # the timer after row 11 opens row 12
    pj = progress.progress_of(session, user(session, "pj.dinkes"), started.id)
    assert (pj.status, pj.opens_step) == (progress.TIMER, "12")
    run_period_and_end(session, started)
    assert started.status == STATUS_COMPLETED
    done = progress.progress_of(session, user(session, "tim1"), started.id)
    assert (done.status, done.steps, done.opens_at) == (progress.FINISHED, (), None)


def run_period_and_end(session, instance) -> None:
    """After rows 10-11: the timer fires, rows 12-17 with decision (c), then row 17c."""
    later = instance.next_due_at + timedelta(hours=2)
    timers.fire_instance_timers(session, instance.id, later)
    for element_id in ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16"):
        complete_all(session, instance.id, element_id, later)
    complete_all(session, instance.id, "Task_17", later, keputusan_periode="c",
                 akhir_periode=None)
    complete_all(session, instance.id, "Task_17c", later)


def test_the_forms_mark_the_irreversible_choices():
    forms = sop_forms()
    approve = progress.confirmations_needed(forms["persetujuan-rencana"],
                                            answers("persetujuan-rencana"))
    assert len(approve) == 1 and "tidak dapat dibatalkan" in approve[0]
    assert progress.confirmations_needed(
        forms["persetujuan-rencana"], {"keputusan_rencana": "perbaiki"}) == []
    end = progress.confirmations_needed(forms["keputusan-periode"],
                                        {"keputusan_periode": "c"})
    assert len(end) == 1 and "mengakhiri pelaksanaan" in end[0]
    for decision in ("a", "b"):
        assert progress.confirmations_needed(
            forms["keputusan-periode"], {"keputusan_periode": decision}) == []


def test_an_unconfirmed_approval_is_refused_and_a_confirmed_one_passes(session, now, started):
    run_rows(session, started.id, PLANNING[:5], now)
    kepala, row6 = user(session, "kepala"), open_tasks(session, started.id, "Task_06")[0]
    data = answers("persetujuan-rencana")
    with pytest.raises(ConflictError) as refused:
        progress.check_confirmed(session, kepala, row6.id, data, False)
    assert refused.value.code == "confirmation_required"
    assert "tidak dapat dibatalkan" in refused.value.details["confirm"][0]
    progress.check_confirmed(session, kepala, row6.id, data, True)
    progress.check_confirmed(session, kepala, row6.id, {"keputusan_rencana": "perbaiki"}, False)
    with pytest.raises(InvalidInputError):  # an invalid form is told first, not confirmed
        progress.check_confirmed(session, kepala, row6.id, {**data, "asing": 1}, False)
    # someone who may not act is left to complete_task, which says why
    progress.check_confirmed(session, user(session, "tim1"), row6.id, data, False)
    tasks.complete_task(session, kepala, row6.id, data, now)
    assert open_tasks(session, started.id, "Task_06") == []

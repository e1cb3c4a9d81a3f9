"""The whole SOP through the services: revision at 6, periods (a), (b), then (c) to the end."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from engine.models import Event, HumanTask, InstanceState
from engine.models.instances import STATUS_COMPLETED
from engine.models.jobs import Job
from engine.models.tasks import TASK_COMPLETED
from engine.services import history, timers
from engine.services.jobs import timer_key
from tests.support import (
    answers,
    assert_replays,
    complete_all,
    open_tasks,
    run_planning,
    start_sop,
)

OPDS = sorted(["DISDIKBUD", "DINKES", "DPUPR"])


def start(session, now):
    return start_sop(session, now)


def run_period(session, instance, now, decision, period_end_next):
    """Rows 11-17 of one period; the timer fires the day the period ends."""
    complete_all(session, instance.id, "Task_11", now)
    assert open_tasks(session, instance.id, "Task_12") == []
    due = instance.next_due_at
    assert due is not None and due > now
    later = due + timedelta(hours=2)
    assert timers.fire_instance_timers(session, instance.id, later) == len(OPDS)
    complete_all(session, instance.id, "Task_12", later)
    task13 = open_tasks(session, instance.id, "Task_13")[0]
    complete_all(session, instance.id, "Task_13", later)
    for element_id in ("Task_14", "Task_15", "Task_16"):
        complete_all(session, instance.id, element_id, later)
    overrides = {"keputusan_periode": decision, "akhir_periode": period_end_next}
    if decision == "a":
        overrides["rekomendasi_disetujui"] = "Perkuat reviu HPS"
    if decision == "c":
        overrides["akhir_periode"] = None
    complete_all(session, instance.id, "Task_17", later, **overrides)
    return later, task13


def test_full_sop_with_revision_and_three_periods(session, now):
    instance = start(session, now)
    assert instance.registration_no.startswith("AK-2026-")
    # rows 1-5, then Kepala sends the plan back for revision
    for element_id in ("Task_01", "Task_02", "Task_03", "Task_04", "Task_05"):
        complete_all(session, instance.id, element_id, now)
    complete_all(
        session,
        instance.id,
        "Task_06",
        now,
        keputusan_rencana="perbaiki",
        catatan_perbaikan="Target efisiensi terlalu rendah",
    )
    again = open_tasks(session, instance.id, "Task_01")
    assert len(again) == 1
    assert again[0].prefill["tujuan_pbj"] == answers("perencanaan-tujuan")["tujuan_pbj"]
    assert again[0].context["catatan_perbaikan"] == "Target efisiensi terlalu rendah"
    run_planning(session, instance.id, now)

    row10 = open_tasks(session, instance.id, "Task_10")
    assert sorted(t.opd.code for t in row10) == OPDS
    assert {t.role for t in row10} == {"pj_kinerja"}
    complete_all(session, instance.id, "Task_10", now)
    assert instance.period_no == 1

    later, task13 = run_period(session, instance, now, "a", "2026-02-27")
    by_code = {row["kode"]: row for row in task13.context["capaian"]}
    assert by_code["IKU-01"]["capaian"] == 95.0  # 9.5 / 10 x 100
    assert by_code["IKU-02"]["capaian"] == 120.0  # (2 - 4/5) x 100 = 120, the cap
    complete_all(session, instance.id, "Task_17a", later)
    assert instance.period_no == 2

    later, _ = run_period(session, instance, later, "b", "2026-03-31")
    assert instance.period_no == 3
    later, _ = run_period(session, instance, later, "c", None)
    complete_all(session, instance.id, "Task_17c", later)

    assert instance.status == STATUS_COMPLETED
    assert open_tasks(session, instance.id) == []
    check_log_matches_tasks(session, instance)
    parts = session.scalars(
        select(InstanceState).where(InstanceState.instance_id == instance.id)
    ).all()
    assert [p.part_key for p in parts] == ["top"]  # finished periods left the live state
    assert_replays(session, instance.id)


def check_log_matches_tasks(session, instance):
    events = history.list_events(session, instance.id)
    assert history.verify_chain(events) is None
    kinds = Counter(e.type for e in events)
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    assert kinds["task_created"] == len(rows)
    assert kinds["task_completed"] == sum(r.state == TASK_COMPLETED for r in rows) == len(rows)
    assert kinds["timer_fired"] == 3 * len(OPDS)
    assert kinds["period_started"] == 3 and kinds["period_completed"] == 3
    assert kinds["instance_started"] == 1 and kinds["instance_ended"] == 1
    gateways = [
        e.payload["taken"] for e in events if e.type == "gateway_taken" and e.element_id == "GW_17"
    ]
    assert gateways == [["Task_17a"], ["GW_merge"], ["Task_17c"]]
    completed = {e.task_id: e.payload["data"] for e in events if e.type == "task_completed"}
    assert all(completed[r.id] == r.data for r in rows)
    per_step = Counter(r.sop_step for r in rows)
    assert per_step["1"] == 2 and per_step["6"] == 2  # the revision loop ran rows 1-6 twice
    assert per_step["10"] == per_step["12"] / 3 == len(OPDS)


def test_due_dates_count_working_days(session, now):
    instance = start(session, now)
    first = open_tasks(session, instance.id, "Task_01")[0]
    assert first.due_on == date(2026, 1, 12)  # Monday + 5 HK
    complete_all(session, instance.id, "Task_01", now + timedelta(days=2))
    second = open_tasks(session, instance.id, "Task_02")[0]
    assert second.due_on == first.due_on  # rows 1-5 share one allowance
    assert_replays(session, instance.id)


def test_period_that_ends_today_opens_row_12_today(session, now):
    instance = start(session, now)
    run_planning(session, instance.id, now)
    today = datetime(2026, 1, 31, 1, 0, tzinfo=UTC)  # 08:00 WIB on the period's last day
    complete_all(session, instance.id, "Task_10", now)
    complete_all(session, instance.id, "Task_11", now)
    assert session.scalar(select(Job.run_at).where(Job.key == timer_key(instance.id))) <= today
    assert timers.fire_instance_timers(session, instance.id, today) == len(OPDS)
    assert (
        session.scalar(
            select(Event.type)
            .where(Event.instance_id == instance.id)
            .order_by(Event.seq.desc())
            .limit(1)
        )
        == "task_created"
    )
    assert_replays(session, instance.id)

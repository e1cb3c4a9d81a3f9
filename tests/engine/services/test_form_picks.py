"""Rows 10, 12 and 14 pick from real data, and the server checks the picks.

Row 10 picks the OPD's SIRUP packages of the run's budget year (stored with their name,
pagu and method); an OPD with none imported types its packages in as before. Rows 10-14
pick indicator codes from the run's row-2 plan. A refused pick writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from engine.errors import InvalidInputError
from engine.models import Event, HumanTask
from engine.models.tasks import TASK_OPEN
from engine.services import tasks as task_service
from engine.services import taskviews, timers
from tests.engine.services.pick_support import (
    OWN_PACKAGE,
    PICK_FIELD,
    PLANNED,
    add_package,
    picked,
)
from tests.support import (
    actor_for,
    answers,
    complete_all,
    open_tasks,
    run_planning,
    start_sop,
    user,
)


@pytest.fixture()
def run_at_row_10(session, now):
    """A run planned with the sample plan (IKU-01, IKU-02), rows 10 open; packages imported
    for DINKES 2026 (two), DINKES 2025, and DPUPR 2026; none for DISDIKBUD."""
    add_package(session, now, "DINKES", "50000001", nama="Rehabilitasi puskesmas",
                pagu="1500000000", metode="Tender")
    add_package(session, now, "DINKES", "50000002", nama="Alat kesehatan",
                pagu="250000000.50", metode="E-Purchasing")
    add_package(session, now, "DINKES", "40000001", year=2025, nama="Paket lama")
    add_package(session, now, "DPUPR", "60000001", nama="Jalan lingkar")
    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    return instance


def row_10_of(session, instance, opd_code) -> HumanTask:
    return next(t for t in open_tasks(session, instance.id, "Task_10") if t.opd.code == opd_code)


def events_of(session, instance_id) -> int:
    return session.scalar(select(func.count()).where(Event.instance_id == instance_id))


def refused(session, task, data, now) -> dict:
    """The problems of a refused completion, after checking that nothing was written, even
    before the caller's transaction is rolled back: no event, the task open and unclaimed."""
    before = events_of(session, task.instance_id)
    with pytest.raises(InvalidInputError) as caught:
        task_service.complete_task(session, actor_for(session, task), task.id, data, now)
    session.flush()
    assert events_of(session, task.instance_id) == before
    session.refresh(task)
    assert (task.state, task.claimed_by_id, task.data) == (TASK_OPEN, None, None)
    return caught.value.details


def test_row_10_offers_the_opds_own_packages_of_the_year_and_the_plan(session, now, run_at_row_10):
    dinkes = row_10_of(session, run_at_row_10, "DINKES")
    lists = taskviews.task_form_lists(session, dinkes)
    packages = lists.options["paket_opd"]
    assert [p["value"] for p in packages] == ["50000002", "50000001"]  # by name
    assert packages[1] == {
        "label": "50000001 · Rehabilitasi puskesmas · Rp1.500.000.000", "value": "50000001",
        "kode_rup": "50000001", "nama_paket": "Rehabilitasi puskesmas", "pagu": 1500000000,
        "metode_pemilihan": "tender"}
    assert packages[0]["label"].endswith("Rp250.000.000,50")
    assert packages[0]["metode_pemilihan"] == "e_purchasing"
    assert lists.options["indikator_rencana"] == [
        {"label": "IKU-01 · Persentase efisiensi pengadaan", "value": "IKU-01"},
        {"label": "IKU-02 · Persentase paket tender gagal", "value": "IKU-02"}]
    assert lists.facts == {"sumber_paket": "sirup"}
    none = taskviews.task_form_lists(session, row_10_of(session, run_at_row_10, "DISDIKBUD"))
    assert none.options["paket_opd"] == [] and none.facts == {"sumber_paket": "isian"}


def test_a_pj_picks_their_package_and_it_is_stored_with_its_name_and_pagu(
        session, now, run_at_row_10):
    dinkes = row_10_of(session, run_at_row_10, "DINKES")
    # what is typed beside a pick (a client's stale values) gives way to SIRUP's record
    data = picked("50000001", kode_rup="999", nama_paket="Typed", pagu=1,
                  metode_pemilihan="seleksi")
    done = task_service.complete_task(session, user(session, "pj.dinkes"), dinkes.id, data, now)
    [row] = done.data["pemetaan"]["paket"]
    assert row == {"paket_sirup": "50000001", "kode_rup": "50000001",
                   "nama_paket": "Rehabilitasi puskesmas", "pagu": 1500000000,
                   "metode_pemilihan": "tender", "area_strategis": "AS1",
                   "kode_indikator": "IKU-01"}
    stored = session.scalars(select(Event.payload).where(
        Event.instance_id == run_at_row_10.id, Event.type == "task_completed",
        Event.task_id == dinkes.id)).one()
    assert stored["data"]["pemetaan"]["paket"][0]["nama_paket"] == "Rehabilitasi puskesmas"


@pytest.mark.parametrize("kd_rup", ["60000001", "40000001", "12345678"],
                         ids=["another OPD's", "another year's", "unknown"])
def test_a_package_not_the_opds_for_the_year_is_refused(session, now, run_at_row_10, kd_rup):
    dinkes = row_10_of(session, run_at_row_10, "DINKES")
    assert refused(session, dinkes, picked(kd_rup), now) == {PICK_FIELD: [OWN_PACKAGE]}


def test_with_packages_to_pick_typing_one_in_is_not_enough(session, now, run_at_row_10):
    """Free entry is for an OPD without packages: a client saying so is not believed."""
    dinkes = row_10_of(session, run_at_row_10, "DINKES")
    data = {**answers("pemetaan-paket"), "sumber_paket": "isian"}
    assert refused(session, dinkes, data, now) == {PICK_FIELD: ["This field is required"]}


def test_an_opd_without_packages_types_them_in_as_before(session, now, run_at_row_10):
    disdikbud = row_10_of(session, run_at_row_10, "DISDIKBUD")
    data = answers("pemetaan-paket")
    done = task_service.complete_task(session, actor_for(session, disdikbud), disdikbud.id,
                                      data, now)
    [row] = done.data["pemetaan"]["paket"]
    assert row == {**data["pemetaan"]["paket"][0], "paket_sirup": None}


def test_typed_in_packages_are_checked_as_before(session, now, run_at_row_10):
    disdikbud = row_10_of(session, run_at_row_10, "DISDIKBUD")
    data = answers("pemetaan-paket")
    data["pemetaan"]["paket"][0].update(nama_paket=None, paket_sirup="50000001")
    assert refused(session, disdikbud, data, now) == {
        "pemetaan.paket[0].nama_paket": ["This field is required"]}


def test_row_10_refuses_an_indicator_not_in_the_plan(session, now, run_at_row_10):
    dinkes = row_10_of(session, run_at_row_10, "DINKES")
    details = refused(session, dinkes, picked("50000001", kode_indikator="IKU-99"), now)
    assert details == {"pemetaan.paket[0].kode_indikator": [PLANNED]}


def test_row_12_refuses_an_indicator_not_in_the_plan(session, now, run_at_row_10):
    instance = run_at_row_10
    for task in open_tasks(session, instance.id, "Task_10"):
        data = picked("50000001") if task.opd.code == "DINKES" else answers("pemetaan-paket")
        if task.opd.code == "DPUPR":
            data = picked("60000001")
        task_service.complete_task(session, actor_for(session, task), task.id, data, now)
    complete_all(session, instance.id, "Task_11", now)
    later = instance.next_due_at + timedelta(hours=2)
    assert timers.fire_instance_timers(session, instance.id, later) == 3
    task12 = open_tasks(session, instance.id, "Task_12")[0]
    data = answers("laporan-realisasi")
    data["laporan"]["realisasi"][1]["kode_indikator"] = "IKU-07"
    details = refused(session, task12, data, later)
    assert details == {"laporan.realisasi[1].kode_indikator": [PLANNED]}
    done = task_service.complete_task(session, actor_for(session, task12), task12.id,
                                      answers("laporan-realisasi"), later)
    assert [line["kode_indikator"] for line in done.data["laporan"]["realisasi"]] == [
        "IKU-01", "IKU-02"]


def test_the_lists_cost_one_query_each_and_a_form_naming_none_costs_none(
        session, now, run_at_row_10):
    dinkes = row_10_of(session, run_at_row_10, "DINKES")
    assert dinkes.instance.data["tahun_anggaran"] == 2026  # loaded, as complete_task has it
    content_form = {"components": [{"type": "textfield", "key": "judul"}]}
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        assert taskviews.form_context(session, content_form, task=dinkes, now=now) == {}
        assert statements == []
        schema = {"components": [
            {"type": "select", "key": "a", "valuesKey": "paket_opd"},
            {"type": "select", "key": "b", "valuesKey": "indikator_rencana"}]}
        context = taskviews.form_context(session, schema, task=dinkes, now=now)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert len(statements) == 2
    assert len(context["paket_opd"]) == 2 and len(context["indikator_rencana"]) == 2

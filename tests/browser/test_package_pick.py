"""Row 10 on a 360 px phone: the DINKES PJ picks one of their OPD's SIRUP packages (the
typed-in fields stay hidden, in added rows too) and an indicator of the run's plan, and
sends; the page fits the screen, passes axe-core and keeps the console and the CSP clean.
An OPD without packages sees the typed-in fields instead."""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from engine.models import HumanTask
from tests.browser.conftest import requires_chromium
from tests.browser.phone import fits, on_phone
from tests.conftest import T0
from tests.engine.services.pick_support import add_package
from tests.support import PLANNING, open_tasks, start_committed

pytestmark = [pytest.mark.browser, requires_chromium]

ROW = "pemetaan[paket][{}][{}]"


def row_10_task(server, opd_code: str) -> tuple[int, int]:
    """A run planned (rows 1-9), with DINKES's packages of its year; (run, row-10 task)."""
    with unit_of_work(server.session_factory) as session:
        if opd_code == "DINKES":
            add_package(session, T0, "DINKES", "50000001", nama="Rehabilitasi puskesmas",
                        pagu="1500000000")
            add_package(session, T0, "DINKES", "50000002", nama="Alat kesehatan",
                        pagu="250000000", metode="E-Purchasing")
            add_package(session, T0, "DPUPR", "60000001", nama="Jalan lingkar")
            session.commit()
    instance_id = start_committed(server.session_factory, T0, PLANNING)
    with unit_of_work(server.session_factory) as session:
        task = next(t for t in open_tasks(session, instance_id, "Task_10")
                    if t.opd.code == opd_code)
        return instance_id, task.id


def stored(server, task_id: int) -> tuple[str, dict | None]:
    with unit_of_work(server.session_factory) as session:
        task = session.get(HumanTask, task_id)
        return task.state, task.data


def test_a_pj_picks_a_package_on_a_phone(browser, live_server):
    _, task_id = row_10_task(live_server, "DINKES")
    context, page, watch = on_phone(browser, live_server.url, "pj.dinkes")
    try:
        page.goto(f"{live_server.url}/tasks/{task_id}")
        pick = page.locator(f"[name='{ROW.format(0, 'paket_sirup')}']")
        assert pick.is_visible()
        assert not page.locator(f"[name='{ROW.format(0, 'nama_paket')}']").is_visible()
        offered = pick.locator("option").all_inner_texts()
        assert offered[1:] == ["50000002 · Alat kesehatan · Rp250.000.000",
                               "50000001 · Rehabilitasi puskesmas · Rp1.500.000.000"]
        fits(page, watch)
        pick.select_option("50000001")
        page.select_option(f"[name='{ROW.format(0, 'kode_indikator')}']", "IKU-01")
        page.fill(f"[name='{ROW.format(0, 'area_strategis')}']", "AS1")
        page.click("[data-testid=add-row]")  # an added row picks too: the fact is on the page
        assert page.locator(f"[name='{ROW.format(1, 'paket_sirup')}']").is_visible()
        assert not page.locator(f"[name='{ROW.format(1, 'kode_rup')}']").is_visible()
        page.select_option(f"[name='{ROW.format(1, 'paket_sirup')}']", "50000002")
        page.fill("[name='pemetaan[rencana_aksi_opd]']", "Percepatan tender")
        fits(page, watch)
        with page.expect_navigation():
            page.click("[data-testid=submit]")
        state, data = stored(live_server, task_id)
        assert state == "completed"
        assert [(row["kode_rup"], row["nama_paket"], row["pagu"], row["metode_pemilihan"])
                for row in data["pemetaan"]["paket"]] == [
            ("50000001", "Rehabilitasi puskesmas", 1500000000, "tender"),
            ("50000002", "Alat kesehatan", 250000000, "e_purchasing")]
        page.goto(f"{live_server.url}/tasks/{task_id}")
        assert "Rehabilitasi puskesmas" in page.inner_text("main")
        fits(page, watch)
    finally:
        context.close()


def test_an_opd_without_packages_types_them_in_on_a_phone(browser, live_server):
    _, task_id = row_10_task(live_server, "DISDIKBUD")
    context, page, watch = on_phone(browser, live_server.url, "pj.disdikbud")
    try:
        page.goto(f"{live_server.url}/tasks/{task_id}")
        assert not page.locator(f"[name='{ROW.format(0, 'paket_sirup')}']").is_visible()
        page.fill(f"[name='{ROW.format(0, 'kode_rup')}']", "41234567")
        page.fill(f"[name='{ROW.format(0, 'nama_paket')}']", "Rehabilitasi sekolah")
        page.fill(f"[name='{ROW.format(0, 'pagu')}']", "750000000")
        page.select_option(f"[name='{ROW.format(0, 'metode_pemilihan')}']", "tender")
        assert not page.locator(f"[name='{ROW.format(0, 'paket_sirup')}']").is_visible()
        fits(page, watch)
        with page.expect_navigation():
            page.click("[data-testid=submit]")
        state, data = stored(live_server, task_id)
        assert state == "completed"
        assert data["pemetaan"]["paket"][0]["nama_paket"] == "Rehabilitasi sekolah"
        fits(page, watch)
    finally:
        context.close()

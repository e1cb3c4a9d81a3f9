"""The planning rows in a real browser: Tim starts a run and fills rows 1-5 through the forms
(adding a dynamic-list row with the button), Kepala sends the plan back, Tim sees the note
and the earlier answers, sends again, Kepala approves; after rows 7-9 a PJ Kinerja sees only
the row-10 task of their own OPD."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from engine.db import unit_of_work
from tests.browser.conftest import requires_chromium
from tests.support import ANSWERS, complete_all, open_tasks

pytestmark = [pytest.mark.browser, requires_chromium]

NOTE = "Target efisiensi terlalu rendah; naikkan menjadi 12%."
ROW_PAGES = ("perencanaan-indikator", "perencanaan-target", "perencanaan-rencana-aksi",
             "perencanaan-presentasi")


def fill(page, data: dict, prefix: str = "") -> None:
    """Fill a server-rendered form with JSON-shaped answers, adding list rows by the button."""
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else key
        if value is None:
            continue
        if isinstance(value, dict):
            fill(page, value, name)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            fill_rows(page, name, value)
        else:
            fill_value(page, name, value)


def fill_rows(page, name: str, rows: list[dict]) -> None:
    scope = page.locator(f"[data-dynlist]:has([name^='{name}['])").first
    while scope.locator("[data-rows] > [data-row]").count() < len(rows):
        scope.locator("[data-add-row]").last.click()
    for index, row in enumerate(rows):
        fill(page, row, f"{name}[{index}]")


def fill_value(page, name: str, value) -> None:
    field = page.locator(f"[name='{name}']")
    kind = field.first.evaluate("el => el.tagName === 'SELECT' ? 'select' : el.type")
    if kind == "select":
        field.select_option(str(value))
    elif kind in ("radio", "checkbox"):
        for item in value if isinstance(value, list) else [value]:
            page.locator(f"[name='{name}'][value='{item}']").check()
    else:
        field.fill(str(value))


def send(page) -> None:
    page.click("[data-testid=submit]")
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=form-errors]").count() == 0, page.inner_text("main")


def heading(page) -> str:
    return page.inner_text("[data-testid=task-name]")


@pytest.fixture()
def now():
    return datetime.now(UTC)


def test_planning_revision_approval_and_the_opd_inbox(live_server, people, snap, now):
    tim, kepala = people.page("tim1"), people.page("kepala")
    registration = plan_rows_1_to_5(tim, snap)
    send_back(kepala, live_server.url, snap)
    revise(tim, live_server.url, snap)
    instance_id = approve(kepala, live_server.url, snap)
    with unit_of_work(live_server.session_factory) as session:
        for element_id in ("Task_07", "Task_08", "Task_09"):
            ends = {"akhir_periode": f"{now.year + 1}-01-31"}  # not before today (forms)
            complete_all(session, instance_id, element_id, now,
                         **(ends if element_id == "Task_09" else {}))
        assert len(open_tasks(session, instance_id, "Task_10")) == 3
        session.commit()
    check_pj_inbox(people.page("pj.disdikbud"), live_server.url, registration, snap)
    kepala.goto(f"{live_server.url}/instances/{instance_id}")
    assert "terverifikasi" in kepala.inner_text("[data-testid=chain-status]")
    snap(kepala, "13-instance")


def plan_rows_1_to_5(tim, snap) -> str:
    """Start a run from the inbox and send rows 1-5; returns its registration number."""
    tim.click("[data-testid=start-instance]")
    fill(tim, {"tahun_anggaran": 2026, "judul": "Pengelolaan Kinerja UKPBJ"})
    snap(tim, "01-start")
    send(tim)
    assert heading(tim).startswith("1. ")
    assert "Pelaksanaan AK-" in tim.inner_text("[data-testid=flash]")
    registration = re.search(r"AK-\d{4}-\d{5}", tim.inner_text("main")).group()
    tim.fill("[name=tujuan_pbj]", ANSWERS["perencanaan-tujuan"]["tujuan_pbj"])
    tim.fill("[name='area_strategis[0][kode]']", "AS1")
    tim.fill("[name='area_strategis[0][nama]']", "Efisiensi")
    tim.click("[data-testid=add-row]")
    assert tim.locator("[data-row]").count() == 2
    assert tim.locator("[data-row-number]").nth(1).inner_text() == "2"
    tim.fill("[name='area_strategis[1][kode]']", "AS2")
    tim.fill("[name='area_strategis[1][nama]']", "Kebijakan")
    snap(tim, "02-row-1")
    send(tim)
    for number, form_key in enumerate(ROW_PAGES, start=2):
        assert heading(tim).startswith(f"{number}. "), heading(tim)
        fill(tim, ANSWERS[form_key])
        snap(tim, f"0{number + 1}-row-{number}")
        send(tim)
    assert "Kotak Masuk" in tim.inner_text("h1")  # nothing more for the team: back to the inbox
    return registration


def open_row_6(kepala, url: str) -> None:
    kepala.goto(f"{url}/?tab=group")
    kepala.click("text=6. Analisis dan persetujuan rencana kinerja")


def send_back(kepala, url: str, snap) -> None:
    open_row_6(kepala, url)
    note = kepala.locator("[name=catatan_perbaikan]")
    assert note.is_hidden()  # hide_if: shown only for "perbaiki"
    kepala.check("[name=keputusan_rencana][value=perbaiki]")
    assert note.is_visible()
    note.fill(NOTE)
    snap(kepala, "08-send-back")
    send(kepala)


def revise(tim, url: str, snap) -> None:
    """Row 1 shows the note and the earlier answers; rows 1-5 go again as they are."""
    tim.goto(f"{url}/?tab=group")
    tim.click("text=1. Mendefinisikan tujuan PBJ dan area strategis")
    assert NOTE in tim.inner_text("[data-testid=revision-note]")
    assert tim.input_value("[name=tujuan_pbj]") == ANSWERS["perencanaan-tujuan"]["tujuan_pbj"]
    assert tim.input_value("[name='area_strategis[1][nama]']") == "Kebijakan"
    snap(tim, "09-revision")
    send(tim)
    for number in range(2, 6):  # every earlier answer comes back filled in
        assert heading(tim).startswith(f"{number}. ")
        send(tim)


def approve(kepala, url: str, snap) -> int:
    open_row_6(kepala, url)
    kepala.check("[name=keputusan_rencana][value=setujui]")
    kepala.click("[data-testid=submit]")  # releasing the plan asks first
    assert "tidak dapat dibatalkan" in kepala.inner_text("[data-testid=confirm-dialog]")
    with kepala.expect_navigation():
        kepala.click("[data-testid=confirm-yes]")
    assert kepala.locator("[data-testid=form-errors]").count() == 0
    assert heading(kepala).startswith("7. ")
    snap(kepala, "10-row-7")
    link = kepala.locator("nav.crumbs a").nth(1).get_attribute("href")
    return int(link.rsplit("/", 1)[1])


def check_pj_inbox(pj, url: str, registration: str, snap) -> None:
    pj.goto(f"{url}/?tab=group")
    rows = pj.locator("[data-testid=task-row]")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "10. Memetakan paket per area strategis" in text
    assert "Dinas Pendidikan dan Kebudayaan" in text and registration in text
    snap(pj, "11-pj-inbox")
    rows.first.locator("text=Buka").click()
    assert "Dinas Pendidikan dan Kebudayaan" in pj.inner_text("main")
    snap(pj, "12-row-10")

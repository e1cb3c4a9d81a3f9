"""The run's diagram on the Pelaksanaan page: bpmn-js draws the deployed BPMN, open steps are
marked "sedang berjalan", completed ones "selesai", steps with several tasks get a badge; the
bpmn.io watermark stays visible and the strict CSP reports nothing. The diagram data route
answers only those who may see the run, and a PJ Kinerja counts only their own OPD's tasks.
In a later period the reporting period's box is highlighted, its inside is one click away,
counts are this period's (per OPD), the timer an OPD waits on is marked with its day, and on
a phone the diagram opens full screen and closes again (Esc or its button).

Needs the built bundle in webapp/static/dist (`make setup` runs npm ci and the build).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.db import unit_of_work
from engine.models import ProcessInstance
from engine.services import tasks as task_service
from engine.services import timers
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.conftest import T0
from tests.support import (
    PLANNING,
    answers,
    complete_all,
    open_tasks,
    run_rows,
    start_committed,
    user,
)
from tests.webapp.conftest import SignIn

pytestmark = pytest.mark.browser

TO_ROW_11 = (*PLANNING, "Task_10")  # rows 1-10 done: every OPD's row 11 is open
SECOND_END = date(2026, 2, 28)  # period 2's last day, chosen at row 17 of period 1
PHONE = {"width": 360, "height": 740}
BUNDLE_HINT = "webapp/static/dist is not built: run `make setup` (npm ci && npm run build)"
READY = "[data-testid=diagram][data-diagram-state=ready]"


@pytest.fixture()
def now():
    """Monday 5 January 2026: the sample period (ending 31 January) lies ahead of it."""
    return T0


def complete_one_opd(server, instance_id: int, element_id: str, opd: str, username: str, now):
    with unit_of_work(server.session_factory) as session:
        task = next(t for t in open_tasks(session, instance_id, element_id) if t.opd.code == opd)
        task_service.complete_task(session, user(session, username), task.id,
                                   answers(task.form_key), now)
        session.commit()


class DiagramWatch(Watch):
    def open_diagram(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector(READY)


def shape(page, element_id: str):
    return page.locator(f'.djs-element.djs-shape[data-element-id="{element_id}"]')


def classes(page, element_id: str) -> set[str]:
    return set((shape(page, element_id).get_attribute("class") or "").split())


def assert_watermark_visible(page) -> None:
    """The bpmn.io logo is shown, inside the canvas, and nothing of ours lies on top of it."""
    logo = page.locator("[data-testid=diagram] a.bjs-powered-by")
    logo.scroll_into_view_if_needed()
    assert logo.is_visible()
    box = logo.bounding_box()
    frame = page.locator("[data-diagram-canvas]").bounding_box()
    assert box["width"] > 20 and box["height"] > 10
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    on_top = page.evaluate(
        """([x, y]) => {
             const hit = document.elementFromPoint(x, y);
             return hit && hit.closest("a.bjs-powered-by") ? "logo" : String(hit && hit.outerHTML);
           }""",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert on_top == "logo", f"something covers the bpmn.io watermark: {on_top[:200]}"
    assert logo.get_attribute("href").startswith("http://bpmn.io")


def viewport_transform(page) -> str:
    return page.locator("[data-diagram-canvas] svg .viewport").first.get_attribute("transform")


@requires_chromium
def test_open_and_completed_steps_are_marked(live_server, people, snap, now):
    instance_id = start_committed(live_server.session_factory, now, ["Task_01"])
    kepala = people.page("kepala")
    watch = DiagramWatch(kepala)
    watch.open_diagram(f"{live_server.url}/instances/{instance_id}")

    assert shape(kepala, "Task_02").count() == 1
    assert "alur-open" in classes(kepala, "Task_02")
    assert "alur-done" in classes(kepala, "Task_01")
    assert not {"alur-open", "alur-done"} & classes(kepala, "Task_03")
    assert kepala.locator(".alur-count").count() == 1  # only the legend's sample: one task each
    legend = kepala.inner_text(".alur-legend")
    assert "Sedang berjalan" in legend and "Selesai" in legend
    assert_watermark_visible(kepala)
    snap(kepala, "diagram-planning")

    fitted = viewport_transform(kepala)
    kepala.click("[data-diagram-zoom=in]")
    zoomed = viewport_transform(kepala)
    assert zoomed != fitted
    frame = kepala.locator("[data-diagram-canvas]").bounding_box()
    kepala.mouse.move(frame["x"] + 300, frame["y"] + 200)
    kepala.mouse.down()
    kepala.mouse.move(frame["x"] + 160, frame["y"] + 120, steps=8)
    kepala.mouse.up()
    assert viewport_transform(kepala) != zoomed  # dragging pans
    panned = viewport_transform(kepala)
    kepala.mouse.wheel(0, 120)  # a plain wheel scrolls the page, not the diagram
    assert viewport_transform(kepala) == panned
    kepala.keyboard.down("Control")
    kepala.mouse.wheel(0, -240)  # Ctrl + wheel zooms
    kepala.keyboard.up("Control")
    assert viewport_transform(kepala) != panned
    kepala.click("[data-diagram-zoom=fit]")
    assert viewport_transform(kepala) == fitted
    assert_watermark_visible(kepala)
    kepala.click("a.bjs-powered-by")  # bpmn-js's notice, styled through the CSSOM
    assert kepala.locator(".bjs-powered-by-lightbox .notice").is_visible()
    kepala.mouse.click(5, 5)  # the backdrop closes it
    assert kepala.locator(".bjs-powered-by-lightbox").count() == 0
    watch.assert_clean()


@requires_chromium
def test_tasks_per_opd_get_counts_and_a_pj_sees_only_their_own(live_server, people, snap, now):
    instance_id = start_committed(live_server.session_factory, now, TO_ROW_11)
    complete_one_opd(live_server, instance_id, "Task_11", "DISDIKBUD", "pj.disdikbud", now)
    kepala = people.page("kepala")
    watch = DiagramWatch(kepala)
    watch.open_diagram(f"{live_server.url}/instances/{instance_id}")

    badge = kepala.locator('.djs-overlays[data-container-id="Task_11"] .alur-count')
    assert badge.inner_text() == "1/3"
    assert "alur-count-open" in badge.get_attribute("class")
    assert badge.get_attribute("title") == "1 dari 3 tugas langkah ini selesai"
    assert kepala.locator('.djs-overlays[data-container-id="Task_10"] .alur-count').inner_text() \
        == "3/3"
    assert "alur-open" in classes(kepala, "Task_11")
    assert "alur-done" in classes(kepala, "Task_10")
    for call in ("Call_Periode", "Call_OPD"):  # the called pools hold an open task
        assert "alur-open" in classes(kepala, call), call
    assert_watermark_visible(kepala)
    snap(kepala, "diagram-opd-counts")
    watch.assert_clean()

    dinkes = people.page("pj.dinkes")
    watch = DiagramWatch(dinkes)
    watch.open_diagram(f"{live_server.url}/instances/{instance_id}")
    assert "alur-open" in classes(dinkes, "Task_11")
    assert dinkes.locator('.djs-overlays[data-container-id="Task_11"]').count() == 0  # 1 task
    assert "alur-done" in classes(dinkes, "Task_01")  # shared steps are shown to every OPD
    snap(dinkes, "diagram-pj")
    watch.assert_clean()


def signed_in(server, username: str):
    client = server.app.test_client()
    SignIn(client)(username)
    return client


def diagram_json(client, instance_id: int):
    return client.get(f"/instances/{instance_id}/diagram", headers={"Accept": "application/json"})


def test_the_diagram_route_answers_only_those_who_may_see_the_run(live_server, now):
    instance_id = start_committed(live_server.session_factory, now, ["Task_01"])
    kepala = signed_in(live_server, "kepala")
    answer = diagram_json(kepala, instance_id)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    body = answer.get_json()
    assert "<bpmn:definitions" in body["xml"] and 'id="Participant_OPD"' in body["xml"]
    assert body["elements"] == {
        "Task_01": {"done": 1, "open": 0, "total": 1, "state": "done", "badge": None},
        "Task_02": {"done": 0, "open": 1, "total": 1, "state": "open", "badge": None}}
    assert body["position"] == ["Task_02"]
    assert body["calls"] == {"Call_Periode": "Participant_Periode",
                             "Call_OPD": "Participant_OPD"}

    for username in ("pj.dishub", "pj.disdikbud"):  # no task of their OPD in this run (yet)
        other = signed_in(live_server, username)
        refused = diagram_json(other, instance_id)
        assert refused.status_code == 404
        assert refused.get_json()["error"]["code"] == "instance_not_found"
        page = other.get(f"/instances/{instance_id}/diagram", headers={"Accept": "text/html"})
        assert page.status_code == 404 and "text/html" in page.content_type
        assert other.get(f"/instances/{instance_id}").status_code == 404
    assert diagram_json(kepala, instance_id + 10_000).status_code == 404
    anonymous = live_server.app.test_client().get(f"/instances/{instance_id}/diagram")
    assert anonymous.status_code in (302, 401) and anonymous.status_code != 200


def test_a_pj_counts_only_their_own_opds_tasks(live_server, now):
    instance_id = start_committed(live_server.session_factory, now, TO_ROW_11)
    def counts(elements, element_id):
        return {k: elements[element_id][k] for k in ("done", "open", "total")}

    kepala = diagram_json(signed_in(live_server, "kepala"), instance_id).get_json()["elements"]
    assert counts(kepala, "Task_11") == {"done": 0, "open": 3, "total": 3}
    assert counts(kepala, "Task_10") == {"done": 3, "open": 0, "total": 3}
    assert kepala["Call_OPD"]["badge"]["text"] == "0/3"  # OPDs done / all
    pj = diagram_json(signed_in(live_server, "pj.dpupr"), instance_id).get_json()["elements"]
    assert counts(pj, "Task_11") == {"done": 0, "open": 1, "total": 1}
    assert counts(pj, "Task_10") == {"done": 1, "open": 0, "total": 1}
    assert counts(pj, "Task_01") == {"done": 1, "open": 0, "total": 1}  # the run's shared steps
    assert pj["Call_OPD"]["badge"]["text"] == "0/1"  # their own OPD only


def test_the_page_points_the_bundle_at_the_route(live_server, now):
    instance_id = start_committed(live_server.session_factory, now)
    client = signed_in(live_server, "tim1")
    html = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert f'data-diagram-url="/instances/{instance_id}/diagram"' in html
    assert "<script>" not in html and " style=" not in html  # CSP: nothing inline
    for asset in ("dist/diagram.js", "dist/diagram.css"):
        assert f"/static/{asset}" in html
        served = client.get(f"/static/{asset}")
        assert served.status_code == 200, BUNDLE_HINT
        served.close()


def run_to_period_two(server, waiting_opd: str) -> int:
    """Period 1 done (its timer fired on its last day), period 2 open, and `waiting_opd`'s
    row 11 done: that OPD now waits on row 12's timer until 28 February. Returns its id."""
    instance_id = start_committed(server.session_factory, T0, TO_ROW_11)
    with unit_of_work(server.session_factory) as session:
        complete_all(session, instance_id, "Task_11", T0)
        later = session.get(ProcessInstance, instance_id).next_due_at + timedelta(hours=2)
        assert timers.fire_instance_timers(session, instance_id, later) == 3
        run_rows(session, instance_id, ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16"),
                 later)
        complete_all(session, instance_id, "Task_17", later, keputusan_periode="b",
                     akhir_periode=SECOND_END.isoformat())
        session.commit()
    complete_one_opd(server, instance_id, "Task_11", waiting_opd,
                     f"pj.{waiting_opd.lower()}", later)
    return instance_id


def overlay(page, element_id: str, css: str = ".alur-count"):
    return page.locator(f'.djs-overlays[data-container-id="{element_id}"] {css}')


def shown_in_canvas(page, element_id: str) -> bool:
    """Whether the shape's centre lies inside the canvas box (the view shows it)."""
    box = shape(page, element_id).bounding_box()
    frame = page.locator("[data-diagram-canvas]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    return frame["x"] <= x <= frame["x"] + frame["width"] and \
        frame["y"] <= y <= frame["y"] + frame["height"]


def assert_opd_rows(page) -> None:
    """Period 2's per-OPD list: DINKES waits for the period's end, the others are at row 11;
    nothing internal (element ids) is shown."""
    rows = page.locator("[data-testid=opd-rows] li")
    assert rows.count() == 3
    dinkes = rows.filter(has_text="Dinas Kesehatan")
    assert "Menunggu sampai 28 Februari 2026" in dinkes.inner_text()
    dpupr = rows.filter(has_text="Dinas Pekerjaan Umum")
    assert dpupr.get_by_role("link", name="11. Melaksanakan proses dan rencana aksi").count() == 1
    assert "Sedang berjalan" in rows.filter(has_text="Dinas Pendidikan").inner_text()
    text = page.inner_text("[data-testid=diagram]")
    for internal in ("Task_", "Call_", "Timer_", "Participant_"):
        assert internal not in text, internal


@requires_chromium
def test_period_two_highlights_its_box_counts_this_period_and_marks_the_timer(
        live_server, people, snap):
    instance_id = run_to_period_two(live_server, "DINKES")
    kepala = people.page("kepala")
    watch = DiagramWatch(kepala)
    watch.open_diagram(f"{live_server.url}/instances/{instance_id}")

    assert "alur-open" in classes(kepala, "Call_Periode")  # the run is inside period 2
    assert overlay(kepala, "Call_Periode").inner_text() == "Periode 2"
    assert overlay(kepala, "Task_11").inner_text() == "1/3"  # this period's, not 4/6
    assert overlay(kepala, "Task_12").count() == 0  # period 1's three reports are not counted
    assert not {"alur-open", "alur-done"} & classes(kepala, "Task_13")
    opds = overlay(kepala, "Call_OPD")
    assert opds.inner_text() == "0/3" and opds.get_attribute("title") == "0 dari 3 OPD selesai"
    assert "alur-waiting" in classes(kepala, "Timer_12")
    assert overlay(kepala, "Timer_12", ".alur-wait-badge").inner_text() \
        == "Menunggu sampai 28 Februari 2026"

    status = kepala.locator("[data-testid=diagram-status]")
    assert "Periode 2 sedang berjalan" in status.inner_text()
    assert "menunggu sampai 28 Februari 2026" in kepala.inner_text("[data-testid=diagram-wait]")
    assert kepala.inner_text("[data-testid=opd-count]") == "0/3 OPD selesai"
    assert_opd_rows(kepala)

    main = kepala.locator('.alur-views [data-diagram-focus="Participant_Main"]')
    assert main.get_attribute("aria-pressed") == "true"
    assert shown_in_canvas(kepala, "Task_01") and not shown_in_canvas(kepala, "Task_12")
    snap(kepala, "diagram-period-two")

    kepala.get_by_role("button", name="Lihat isi periode 2").click()
    period = kepala.locator('.alur-views [data-diagram-focus="Participant_Periode"]')
    assert period.get_attribute("aria-pressed") == "true"
    assert main.get_attribute("aria-pressed") == "false"
    assert shown_in_canvas(kepala, "Task_13") and not shown_in_canvas(kepala, "Task_01")
    shape(kepala, "Call_OPD").click()  # a call activity opens the pool it calls
    pool = kepala.locator('.alur-views [data-diagram-focus="Participant_OPD"]')
    assert pool.get_attribute("aria-pressed") == "true"
    assert shown_in_canvas(kepala, "Timer_12") and shown_in_canvas(kepala, "Task_12")
    kepala.get_by_role("button", name="Seluruh diagram").click()
    assert shown_in_canvas(kepala, "Task_01") and shown_in_canvas(kepala, "Task_12")
    assert_watermark_visible(kepala)
    snap(kepala, "diagram-opd-pool")
    watch.assert_clean()


@requires_chromium
def test_a_pj_sees_their_own_opds_row_and_count_in_period_two(live_server, people):
    instance_id = run_to_period_two(live_server, "DINKES")
    pj = people.page("pj.dpupr")  # one OPD's PJ: their own row, their own count
    watch = DiagramWatch(pj)
    watch.open_diagram(f"{live_server.url}/instances/{instance_id}")
    assert pj.inner_text("[data-testid=opd-count]") == "0/1 OPD selesai"
    assert pj.locator("[data-testid=opd-rows] li").count() == 1
    assert "Dinas Kesehatan" not in pj.inner_text("[data-testid=diagram]")
    assert pj.locator("[data-testid=diagram-wait]").count() == 0
    assert "alur-waiting" not in classes(pj, "Timer_12")
    watch.assert_clean()


def phone_page(browser, server, username: str):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", viewport=PHONE,
                                  has_touch=True, is_mobile=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    return page


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def zoom_scale(page) -> float:
    return page.evaluate("""() => document.querySelector("[data-diagram-canvas] svg .viewport")
                                   .transform.baseVal.consolidate().matrix.a""")


@requires_chromium
def test_on_a_phone_the_diagram_opens_full_screen_and_closes(live_server, browser, snap):
    instance_id = run_to_period_two(live_server, "DPUPR")
    page = phone_page(browser, live_server, "kepala")
    try:
        watch = DiagramWatch(page)
        watch.open_diagram(f"{live_server.url}/instances/{instance_id}")
        assert scroll_width(page) <= PHONE["width"]
        assert zoom_scale(page) >= 0.44  # readable: the canvas pans instead of shrinking
        assert shown_in_canvas(page, "Call_Periode")  # centred on where the run stands
        snap(page, "diagram-phone")

        opener = page.locator("[data-diagram-full]")
        opener.focus()
        page.keyboard.press("Enter")  # keyboard-accessible
        section = page.locator("[data-testid=diagram]")
        assert "alur-diagram-full" in section.get_attribute("class")
        box = section.bounding_box()
        assert box["width"] == PHONE["width"] and box["height"] == PHONE["height"]
        close = page.get_by_role("button", name="Tutup layar penuh")
        assert close.is_visible()
        assert page.evaluate("document.activeElement.hasAttribute('data-diagram-close')")
        assert opener.get_attribute("aria-expanded") == "true"
        page.locator("a[href]").first.focus()  # the covered page takes no focus
        assert page.evaluate("document.activeElement.hasAttribute('data-diagram-close')")
        assert page.locator("[data-diagram-canvas]").bounding_box()["height"] > 400
        assert scroll_width(page) <= PHONE["width"]
        assert_watermark_visible(page)
        snap(page, "diagram-phone-full")

        page.keyboard.press("Escape")
        assert "alur-diagram-full" not in section.get_attribute("class")
        assert not close.is_visible()
        assert page.evaluate("document.activeElement.hasAttribute('data-diagram-full')")
        opener.click()
        close.click()
        assert "alur-diagram-full" not in section.get_attribute("class")
        assert opener.get_attribute("aria-expanded") == "false"
        assert scroll_width(page) <= PHONE["width"]
        watch.assert_clean()
    finally:
        page.context.close()

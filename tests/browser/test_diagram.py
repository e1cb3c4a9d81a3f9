"""The run's diagram on the Pelaksanaan page: bpmn-js draws the deployed BPMN, open steps are
marked "sedang berjalan", completed ones "selesai", steps with several tasks get a badge; the
bpmn.io watermark stays visible and the strict CSP reports nothing. The diagram data route
answers only those who may see the run, and a PJ Kinerja counts only their own OPD's tasks.

Needs the built bundle in webapp/static/dist (`make setup` runs npm ci and the build).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.db import unit_of_work
from engine.services import tasks as task_service
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.support import (
    PLANNING,
    answers,
    open_tasks,
    start_committed,
    user,
)
from tests.webapp.conftest import SignIn

pytestmark = pytest.mark.browser

TO_ROW_11 = (*PLANNING, "Task_10")  # rows 1-10 done: every OPD's row 11 is open
BUNDLE_HINT = "webapp/static/dist is not built: run `make setup` (npm ci && npm run build)"
READY = "[data-testid=diagram][data-diagram-state=ready]"


@pytest.fixture()
def now():
    return datetime.now(UTC)


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
    assert body["elements"] == {"Task_01": {"open": 0, "completed": 1},
                                "Task_02": {"open": 1, "completed": 0}}

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
    kepala = diagram_json(signed_in(live_server, "kepala"), instance_id).get_json()["elements"]
    assert kepala["Task_11"] == {"open": 3, "completed": 0}
    assert kepala["Task_10"] == {"open": 0, "completed": 3}
    pj = diagram_json(signed_in(live_server, "pj.dpupr"), instance_id).get_json()["elements"]
    assert pj["Task_11"] == {"open": 1, "completed": 0}
    assert pj["Task_10"] == {"open": 0, "completed": 1}
    assert pj["Task_01"] == {"open": 0, "completed": 1}  # the run's shared steps


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

"""The dashboard on a 360 px phone, as the Kepala UKPBJ opens it from the header: both
charts drawn by Chart.js (canvas sized and painted), their tables beside them, the run
selector, no sideways scroll, axe-core clean, and nothing in the console or refused by the
CSP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.db import unit_of_work
from engine.models import ProcessInstance
from tests.browser.conftest import requires_chromium
from tests.browser.phone import fits, on_phone
from tests.conftest import T0
from tests.engine.services.achievement_support import plan, report_period
from tests.support import complete_all, run_planning, run_rows, start_sop

pytestmark = [pytest.mark.browser, requires_chromium]

PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const box = canvas.getBoundingClientRect();
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
  return {width: box.width, height: box.height, painted};
}"""


@pytest.fixture(scope="module")
def runs(live_server):
    """A run reported over two quarters by two OPDs, and one waiting on three OPDs' row 10."""
    factory = live_server.session_factory
    with unit_of_work(factory) as session:
        reported = start_sop(session, T0)
        plan(session, reported.id, T0)
        _, later = report_period(session, reported, 1, T0)
        run_rows(session, reported.id, ["Task_13", "Task_14", "Task_15", "Task_16"], later)
        complete_all(session, reported.id, "Task_17", later, keputusan_periode="b",
                     akhir_periode="2026-06-30")
        report_period(session, session.get(ProcessInstance, reported.id), 2,
                      later + timedelta(minutes=1))
        mapping = start_sop(session, T0)
        run_planning(session, mapping.id, T0)
        session.commit()
        return reported.id, mapping.id


def painted(page, canvas_id: str) -> dict:
    page.wait_for_function("(id) => document.getElementById(id).width > 0", arg=canvas_id)
    return page.evaluate(PAINTED, canvas_id)


def test_both_charts_on_a_phone(browser, live_server, runs):
    reported, mapping = runs
    context, page, watch = on_phone(browser, live_server.url, "kepala")
    try:
        page.click("[data-testid=nav-dashboard]")
        page.wait_for_selector("[data-testid=runs-in-progress]")
        assert page.locator("[data-testid=run-row]").count() == 2
        assert page.locator("[data-testid=due-row]").count() >= 3
        # the default run is the newest running one: no report yet, so no chart
        assert page.locator("[data-testid=no-achievement]").count() == 1
        fits(page, watch)
        with page.expect_navigation():
            page.select_option("[data-testid=run-select]", str(reported))
        assert f"run={reported}" in page.url
        for canvas_id in ("chart-achievement", "chart-discipline"):
            shown = painted(page, canvas_id)
            assert shown["width"] > 200 and shown["height"] > 150, shown
            assert shown["painted"] > 1000, shown
        assert page.locator("[data-testid=achievement-row]").count() == 11
        assert page.locator("[data-testid=discipline-row]").count() == 2
        fits(page, watch)
    finally:
        context.close()


def test_a_pj_kinerja_sees_no_link(browser, live_server, runs):
    context, page, watch = on_phone(browser, live_server.url, "pj.dinkes")
    try:
        assert page.locator("[data-testid=nav-dashboard]").count() == 0
        watch.assert_clean()
    finally:
        context.close()

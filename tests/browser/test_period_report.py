"""The period report on a 360 px phone, as the Kepala UKPBJ opens it from the run page: the
page fits the screen (its tables scroll inside their own boxes), passes
axe-core, keeps the console and the CSP clean, shows the trend charts, moves between
periods, and offers both downloads."""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from tests.browser.conftest import requires_chromium
from tests.browser.phone import fits, on_phone
from tests.conftest import T0
from tests.engine.services.report_support import two_period_run

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture(scope="module")
def run_id(live_server):
    with unit_of_work(live_server.session_factory) as session:
        instance_id = two_period_run(session, T0).id
        session.commit()
    return instance_id


def test_the_report_on_a_phone(browser, live_server, run_id):
    context, page, watch = on_phone(browser, live_server.url, "kepala")
    try:
        page.goto(f"{live_server.url}/instances/{run_id}")
        page.click("[data-testid=period-reports] a[href$='/periode/2']")
        page.wait_for_selector("[data-testid=report-table]")
        fits(page, watch)
        assert page.locator("svg.trend-chart").count() == 11
        assert page.locator("[data-testid=report-table] tr[data-indicator]").count() == 11
        wrap = page.locator("[data-testid=report-table]").locator("xpath=..")
        assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")  # it scrolls, not the page
        assert page.locator("[data-testid=download-pdf]").is_visible()
        assert page.locator("[data-testid=download-xlsx]").is_visible()
        with page.expect_download() as pdf:
            page.click("[data-testid=download-pdf]")
        assert pdf.value.suggested_filename.endswith("-periode-2.pdf")
        page.click("[data-testid=next-period]")
        page.wait_for_selector("[data-testid=not-reported]")
        fits(page, watch)
        page.click("[data-testid=previous-period]")
        page.wait_for_selector("[data-testid=report-table]")
        assert page.url.endswith(f"/laporan/pelaksanaan/{run_id}/periode/2")
    finally:
        context.close()

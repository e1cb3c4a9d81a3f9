"""The alert on the page of a run whose scheduled step failed, on a 360 px wide phone: it is
an alert region, readable (contrast), the page does not scroll sideways, and nothing goes
wrong in the console; the admin's technical details wrap instead of widening the page.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import requires_chromium
from tests.browser.test_diagram import READY
from tests.browser.watch import Watch
from tests.conftest import T0
from tests.job_support import fail_timer
from tests.support import PLANNING, start_committed

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
# Technical and long: one unbroken token that would push a <pre> past a phone's width.
ERROR = RuntimeError("state part Call_OPD has no task: " + "7f3a9c" * 30)
TITLE = "Langkah terjadwal pada pelaksanaan ini tidak dapat dijalankan"
CONTRAST = """(element) => {
  const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  let back = element;
  while (back && getComputedStyle(back).backgroundColor.match(/rgba\\(.*, 0\\)$/)) {
    back = back.parentElement;
  }
  const fore = lum(rgb(getComputedStyle(element).color));
  const behind = lum(rgb(getComputedStyle(back || document.body).backgroundColor));
  return (Math.max(fore, behind) + 0.05) / (Math.min(fore, behind) + 0.05);
}"""


def failing_run(server) -> int:
    """A run in the OPDs' row 10 (so a PJ may see it) whose timer pass failed once."""
    now = T0  # the sample answers' period ends in January 2026: not before 'today'
    instance_id = start_committed(server.session_factory, now, PLANNING)
    fail_timer(server.session_factory, instance_id, ERROR, now)  # as the worker records it
    return instance_id


def open_on_a_phone(people, server, username: str, instance_id: int):
    page = people.page(username)
    page.set_viewport_size(PHONE)
    watch = Watch(page)
    page.goto(f"{server.url}/instances/{instance_id}")
    page.wait_for_selector(READY)  # the page's script has run: its errors would be in
    return page, watch


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


def assert_readable(locator) -> None:
    ratio = locator.evaluate(CONTRAST)
    assert ratio >= 4.5, f"contrast {ratio:.2f}:1 is below WCAG AA"


@requires_chromium
def test_a_pj_sees_the_alert_on_a_phone_without_technical_text(live_server, people, snap):
    instance_id = failing_run(live_server)
    page, watch = open_on_a_phone(people, live_server, "pj.dinkes", instance_id)

    alert = page.get_by_role("alert").filter(has_text=TITLE)
    assert alert.is_visible() and alert.get_attribute("data-testid") == "timer-failure"
    assert page.get_by_role("heading", name=TITLE).is_visible()
    text = alert.inner_text()
    assert "Sistem telah mencoba satu kali" in text and "Percobaan berikutnya" in text
    assert "RuntimeError" not in page.content() and "7f3a9c" not in page.content()
    box = alert.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert_readable(alert.locator("p").first)
    assert_readable(alert.locator("h2"))
    assert_no_sideways_scroll(page)
    snap(page, "failure-pj-360")
    watch.assert_clean()


@requires_chromium
def test_the_admin_reads_the_technical_text_wrapped_on_a_phone(live_server, people, snap):
    instance_id = failing_run(live_server)
    page, watch = open_on_a_phone(people, live_server, "admin", instance_id)

    alert = page.locator("[data-testid=timer-failure]")
    detail = alert.locator("pre")
    assert not detail.is_visible()  # folded until asked for
    alert.get_by_text("Rincian teknis (khusus administrator)").click()
    assert detail.is_visible() and "RuntimeError: state part Call_OPD" in detail.inner_text()
    box = detail.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert_readable(detail)
    assert_no_sideways_scroll(page)
    snap(page, "failure-admin-360")
    watch.assert_clean()

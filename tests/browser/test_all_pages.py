"""Every page of the journey on a 360 px phone: nothing scrolls sideways, axe-core finds no
serious or critical WCAG 2.1 AA violation, the console and the CSP stay quiet. Also what the
shared page script does (error summaries, growing text areas) and what a print shows.

One run is driven through the services on the live server's database; each SOP row's task
page is visited while it is open, as the person who acts on it, before the row is done.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.db import unit_of_work
from engine.models import ProcessInstance
from engine.services import timers
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.support import actor_for, complete_all, open_tasks, start_sop

pytestmark = [pytest.mark.browser, requires_chromium]

PHONE = {"width": 360, "height": 740}
OPD = "DISDIKBUD"
ROWS = [f"Task_{row:02d}" for row in range(1, 18)] + ["Task_17a"]


class Phone:
    """One person's 360 px browser context, watched for console errors and CSP violations."""

    def __init__(self, browser, url: str, username: str | None):
        self.url = url
        self.context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta",
                                           viewport=PHONE, is_mobile=True, has_touch=True)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.watch = Watch(self.page)
        if username:
            self.page.goto(f"{url}/login")
            self.page.fill("input[name=username]", username)
            self.page.fill("input[name=password]", "demo12345")
            self.page.click("button[type=submit]")
            self.page.wait_for_selector("[data-testid=current-user]")

    def check(self, path: str, status: int = 200) -> None:
        """Open `path` and hold it to the bar: no sideways scroll, axe-clean, quiet console."""
        response = self.page.goto(f"{self.url}{path}")
        assert response.status == status, (path, response.status)
        self.page.wait_for_load_state("load")
        if status != 200:  # the browser logs the page's own status; nothing else may fail
            expected = f"status of {status}"
            self.watch.problems[:] = [p for p in self.watch.problems if expected not in p]
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide: {widest(self.page)}"
        try:
            self.watch.assert_clean()
        except AssertionError as error:
            raise AssertionError(f"{path}: {error}") from error


def widest(page) -> list[str]:
    """The elements that stick out past the viewport, to say what to fix."""
    return page.evaluate("""() => {
      const out = (el) => el.getBoundingClientRect().right > window.innerWidth + 1;
      const clips = (el) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX);
      const inside = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
        if (clips(p)) return true; } return false; };
      return [...document.querySelectorAll('body *')].filter((el) => out(el) && !inside(el))
        .slice(0, 5)
        .map((el) => `${el.tagName}.${el.className} ${el.getBoundingClientRect().right}`);
    }""")


@pytest.fixture(scope="module")
def phones(browser, live_server):
    opened: dict[str | None, Phone] = {}

    def get(username: str | None) -> Phone:
        if username not in opened:
            opened[username] = Phone(browser, live_server.url, username)
        return opened[username]

    yield get
    for phone in opened.values():
        phone.context.close()


def visit_and_complete(live_server, phones, instance_id: int, element_id: str, now, **overrides):
    """The row's task page as its person (one OPD's for a row of every OPD), then every task
    of the row done through the services."""
    with unit_of_work(live_server.session_factory) as session:
        rows = open_tasks(session, instance_id, element_id)
        assert rows, f"no open task {element_id}"
        task = next((t for t in rows if t.opd is None or t.opd.code == OPD), rows[0])
        username, task_id = actor_for(session, task).username, task.id
    phones(username).check(f"/tasks/{task_id}")
    with unit_of_work(live_server.session_factory) as session:
        complete_all(session, instance_id, element_id, now, **overrides)
        session.commit()


def fire_period_timer(live_server, instance_id: int) -> datetime:
    with unit_of_work(live_server.session_factory) as session:
        due = session.get(ProcessInstance, instance_id).next_due_at
        later = due + timedelta(hours=2)
        assert timers.fire_instance_timers(session, instance_id, later) > 0
        session.commit()
    return later


def test_every_page_fits_a_phone_and_passes_axe(live_server, phones):
    now = datetime.now(UTC)
    soon = (date.today() + timedelta(days=3)).isoformat()
    later_end = (date.today() + timedelta(days=40)).isoformat()
    phones(None).check("/login")
    phones(None).check("/no-such-page", status=404)
    tim = phones("tim1")
    tim.check("/")
    tim.check("/instances/new")
    with unit_of_work(live_server.session_factory) as session:
        instance_id = start_sop(session, now).id
        session.commit()
    for element_id in ROWS[:11]:
        overrides = {"akhir_periode": soon} if element_id == "Task_09" else {}
        visit_and_complete(live_server, phones, instance_id, element_id, now, **overrides)
    now = fire_period_timer(live_server, instance_id)
    for element_id in ROWS[11:16]:
        visit_and_complete(live_server, phones, instance_id, element_id, now)
    visit_and_complete(live_server, phones, instance_id, "Task_17", now, keputusan_periode="a",
                       akhir_periode=later_end, rekomendasi_disetujui="Perkuat reviu HPS")
    visit_and_complete(live_server, phones, instance_id, "Task_17a", now)
    for username in ("tim1", "kepala", "pj.disdikbud", "admin", "auditor"):
        phone = phones(username)
        phone.check("/")
        phone.check("/instances")
        phone.check(f"/instances/{instance_id}")
        phone.check("/akun")
    tim.check("/no-such-page", status=404)


def test_an_error_summary_links_to_its_fields_and_takes_the_focus(live_server, phones):
    tim = phones("tim1")
    tim.page.goto(f"{live_server.url}/instances/new")
    tim.page.fill("[name=judul]", "")
    with tim.page.expect_navigation():
        tim.page.click("[data-testid=start-form] [data-testid=submit]")
    summary = tim.page.locator("[data-error-summary]")
    assert summary.count() == 1
    assert tim.page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    link = summary.locator("[data-testid=error-links] a").first
    href = link.get_attribute("href")
    assert href.startswith("#f-")
    link.click()
    assert tim.page.evaluate("document.activeElement.id") == href[1:]
    tim.watch.problems[:] = [p for p in tim.watch.problems if "status of 400" not in p]
    tim.watch.assert_clean()


def test_a_text_area_grows_with_its_content(live_server, phones):
    with unit_of_work(live_server.session_factory) as session:
        instance_id = start_sop(session, datetime.now(UTC)).id
        task_id = open_tasks(session, instance_id, "Task_01")[0].id
        session.commit()
    page = phones("tim1").page
    page.goto(f"{live_server.url}/tasks/{task_id}")
    area = page.locator("textarea").first
    before = area.bounding_box()["height"]
    area.fill("\n".join(f"baris {n}" for n in range(20)))
    assert area.bounding_box()["height"] > before + 100
    assert area.evaluate("el => el.scrollHeight <= el.clientHeight + 2")


def test_a_printed_task_page_has_no_menu_and_no_form(live_server, phones):
    with unit_of_work(live_server.session_factory) as session:
        instance_id = start_sop(session, datetime.now(UTC)).id
        task_id = open_tasks(session, instance_id, "Task_01")[0].id
        session.commit()
    page = phones("tim1").page
    page.goto(f"{live_server.url}/tasks/{task_id}")
    assert page.locator(".topbar").is_visible() and page.locator("#task-form").is_visible()
    page.emulate_media(media="print")
    try:
        assert not page.locator(".topbar").is_visible()
        assert not page.locator(".mainnav").is_visible()
        assert not page.locator("#task-form").is_visible()
        assert page.locator("form:visible, button:visible").count() == 0
        assert page.locator("h1").first.is_visible()
        width = page.evaluate("document.querySelector('.page').getBoundingClientRect().width")
        assert width >= PHONE["width"] - 2
    finally:
        page.emulate_media(media="screen")

"""Disposisi in Chromium on a 360 px phone: the Kepala UKPBJ hands row 1 to Tim 2 with a
reason; the page fits the screen, axe-core finds nothing serious, nothing goes wrong in
the console or the CSP, and the task is in Tim 2's own inbox (Tugas Saya) afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.db import unit_of_work
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.support import open_tasks, start_committed

pytestmark = [pytest.mark.browser, requires_chromium]

PHONE = {"width": 360, "height": 740}
REASON = "Rina sedang dinas luar sampai Jumat."


def phone_page(browser, server, username: str):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    return page


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


def test_the_kepala_reassigns_a_task_on_a_phone(browser, live_server):
    instance_id = start_committed(live_server.session_factory, datetime.now(UTC))
    with unit_of_work(live_server.session_factory) as session:
        task_id = open_tasks(session, instance_id, "Task_01")[0].id
    kepala = phone_page(browser, live_server, "kepala")
    tim2 = phone_page(browser, live_server, "tim2")
    try:
        watch = Watch(kepala)
        kepala.goto(f"{live_server.url}/tasks/{task_id}")
        fits_the_phone(kepala)
        watch.assert_clean()
        kepala.select_option("#reassign-to", "tim2")
        kepala.fill("#reassign-reason", REASON)
        with kepala.expect_navigation():
            kepala.click("[data-testid=reassign-submit]")
        assert kepala.locator(".flash-success").count() == 1
        fits_the_phone(kepala)
        watch.assert_clean()
        kepala.goto(f"{live_server.url}/instances/{instance_id}")
        assert REASON in kepala.inner_text("[data-testid=events]")
        fits_the_phone(kepala)
        watch.assert_clean()
        tim2.goto(f"{live_server.url}/?tab=mine")
        assert tim2.locator(f"[data-testid=task-row][data-task-id='{task_id}']").count() == 1
        fits_the_phone(tim2)
    finally:
        kepala.context.close()
        tim2.context.close()

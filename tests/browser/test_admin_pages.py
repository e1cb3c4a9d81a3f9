"""The administrators' pages on a 360 px phone: each fits the screen, passes axe-core and
keeps the console and the CSP clean; a person is added through the form."""

from __future__ import annotations

import pytest

from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
PAGES = ("/admin/pengguna", "/admin/pengguna/baru", "/admin/opd", "/admin/lajur",
         "/admin/libur", "/admin/libur/2026-01-01")


def check(page, watch, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, (url, response.status)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width} px wide"
    watch.assert_clean()


@requires_chromium
def test_admin_pages_on_a_phone_and_adding_a_person(browser, live_server):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto(f"{live_server.url}/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "demo12345")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=current-user]")
        for path in PAGES:
            check(page, watch, f"{live_server.url}{path}")
        page.goto(f"{live_server.url}/admin/pengguna/baru")
        page.fill("#f-username", "budi")
        page.fill("#f-full_name", "Budi Santoso")
        page.fill("#f-nip", "19850315 201001 1 002")
        page.fill("#f-email", "budi@contoh.go.id")
        page.check("[data-testid=role-tim_kelembagaan]")
        page.fill("#f-password", "rahasia-budi-1")
        with page.expect_navigation():
            page.click("[data-testid=save-user]")
        assert page.locator("[data-testid=person-nip]").inner_text() == "19850315 201001 1 002"
        check(page, watch, page.url)
    finally:
        context.close()

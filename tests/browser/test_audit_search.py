"""The audit search in a real browser, as the auditor: the header's Audit link opens it,
the form filters (text, status, late steps), a column header sorts, each result links to
the run's history; a period that is no number is named beside its field with what was
typed kept and the error summary focused; admin pages for the administrator. On a 360 px
phone nothing scrolls sideways. axe-core finds nothing serious, no console error, no CSP
violation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.db import unit_of_work
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.support import PLANNING, start_committed, start_sop

pytestmark = [pytest.mark.browser, requires_chromium]

PHONE = {"width": 360, "height": 740}
RESULT = "[data-testid=run-row]"


@pytest.fixture(scope="module")
def seeded(live_server) -> dict[str, int]:
    """Three runs: one at row 3 started two months ago (its row 3 long overdue), one just
    started today, one titled to be found by words."""
    factory = live_server.session_factory
    now = datetime.now(UTC)
    ids = {"old": start_committed(factory, now - timedelta(days=60), PLANNING[:2])}
    with unit_of_work(factory) as session:
        ids["new"] = start_sop(session, now, judul="Evaluasi Paket Konstruksi").id
        ids["words"] = start_sop(session, now - timedelta(days=1),
                                 judul="Rekap Pengadaan Langsung").id
        session.commit()
    return ids


def registrations(page) -> list[str]:
    return page.locator(RESULT).evaluate_all(
        "(rows) => rows.map((row) => row.dataset.registration)")


def assert_fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide"


@requires_chromium
def test_the_auditor_finds_runs_sorts_them_and_fixes_a_bad_value(live_server, seeded,
                                                                  people, snap):
    page = people.page("auditor")
    watch = Watch(page)
    page.goto(f"{live_server.url}/")
    page.click("[data-testid=nav-audit]")
    page.wait_for_selector("[data-testid=search-form]")
    assert page.locator("[data-testid=nav-audit]").get_attribute("aria-current") == "page"
    assert len(registrations(page)) == 3
    snap(page, "audit-search")

    page.fill("#f-q", "rekap pengadaan")
    page.click("[data-testid=search]")
    page.wait_for_load_state("load")
    assert len(registrations(page)) == 1
    assert "Rekap Pengadaan Langsung" in page.locator(RESULT).inner_text()
    assert page.input_value("#f-q") == "rekap pengadaan"

    page.fill("#f-q", "")
    page.check("[data-testid=late-only]")
    page.click("[data-testid=search]")
    page.wait_for_load_state("load")
    assert len(registrations(page)) == 1
    assert page.locator("[data-testid=late-flag]").count() == 1

    page.uncheck("[data-testid=late-only]")
    page.click("[data-testid=search]")
    page.wait_for_load_state("load")
    page.click("[data-testid=sort-title]")  # first click: descending
    page.wait_for_load_state("load")
    descending = registrations(page)
    page.click("[data-testid=sort-title]")
    page.wait_for_load_state("load")
    assert registrations(page) == descending[::-1]
    header = page.locator("th[aria-sort]")
    assert header.count() == 1 and header.get_attribute("aria-sort") == "ascending"
    href = page.locator("[data-testid=run-link]").first.get_attribute("href")
    assert href.startswith(("/audit/pelaksanaan/", "/instances/"))
    snap(page, "audit-search-sorted")

    page.fill("#f-period", "dua")
    page.click("[data-testid=search]")
    page.wait_for_selector("[data-testid=form-errors]")
    assert page.locator("[data-testid=error-period]").is_visible()
    assert page.input_value("#f-period") == "dua"
    assert page.locator("#f-period").get_attribute("aria-invalid") == "true"
    # the page script (deferred) moves the focus once it runs, after the box is parsed
    page.wait_for_function("document.activeElement?.dataset.testid === 'form-errors'")
    page.click("[data-testid=error-links] a")  # the summary's link takes the focus there
    assert page.evaluate("document.activeElement.id") == "f-period"
    assert page.locator("[data-testid=run-table]").count() == 0
    snap(page, "audit-search-error")
    # the browser logs the 400 of the page itself; nothing else may have gone wrong
    watch.problems[:] = [p for p in watch.problems if "status of 400" not in p]
    watch.assert_clean()


@requires_chromium
def test_on_a_phone_the_search_and_admin_pages_fit(live_server, seeded, browser, snap):
    for username, paths in (("auditor", ["/audit/", "/audit/?late=1&sort=events&dir=asc",
                                         "/audit/?period=x&from=kemarin"]),
                            ("admin", ["/audit/", "/admin/kunci", "/admin/bacaan"])):
        context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta",
                                      viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            watch = Watch(page)
            page.goto(f"{live_server.url}/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "demo12345")
            page.click("button[type=submit]")
            page.wait_for_selector("[data-testid=current-user]")
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status in (200, 400), (path, response.status)
                page.wait_for_load_state("load")
                assert_fits(page, PHONE["width"])
                snap(page, f"phone-{username}-{path.strip('/').replace('/', '-')[:20]}")
            if username == "admin":
                assert page.locator("[data-testid=read-row]").count() >= 1
                page.goto(f"{live_server.url}/admin/kunci")
                assert "BEGIN PUBLIC KEY" in page.input_value("[data-testid=public-key]")
            watch.problems[:] = [p for p in watch.problems if "status of 400" not in p]
            watch.assert_clean()
        finally:
            context.close()

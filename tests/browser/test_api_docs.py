"""The API documentation page in a real browser: /api/v1/docs, public, shows every operation
of /api/v1/openapi.json through the bundled swagger-ui, under the site's strict CSP, with
nothing in the console, and usable on a 360 px phone.

axe-core checks the whole page at 360 px, swagger-ui's markup included, closed and with an
operation opened: frontend/src/apidocs/apidocs.css darkens swagger-ui's method badges,
buttons and badges, whose stock colours fall short of WCAG AA contrast.

Needs the built bundle in webapp/static/dist (`cd frontend && npm run build`).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import requires_chromium
from tests.browser.watch import CSP_LISTENER, assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
OPERATIONS = "#api-docs .opblock"
def _open(browser, url: str, viewport: dict):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", viewport=viewport)
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning")
            and problems.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(url)
    page.wait_for_selector(OPERATIONS)
    return page, problems


def _operation_count(live_server) -> int:
    from webapp.api.openapi import openapi_document

    document = openapi_document(live_server.app)
    return sum(len(operations) for operations in document["paths"].values())


@requires_chromium
def test_the_docs_page_shows_every_operation_under_the_strict_csp(browser, live_server):
    page, problems = _open(browser, f"{live_server.url}/api/v1/docs", {"width": 1366,
                                                                      "height": 900})
    try:
        page.wait_for_function(f"document.querySelectorAll('{OPERATIONS}').length >= "
                               f"{_operation_count(live_server)}")
        paths = page.locator(f"{OPERATIONS} .opblock-summary-path").all_inner_texts()
        assert any("/api/v1/tasks/{task_id}/complete" in p.replace("\u200b", "") for p in paths)
        assert page.locator("h1#apidocs-title").is_visible()
        assert page.get_attribute("html", "lang") == "id"
        page.locator(f"{OPERATIONS}.opblock-post").first.locator(".opblock-summary").click()
        page.wait_for_selector(".opblock.is-open .responses-wrapper")
        assert page.evaluate("window.__cspViolations") == []
        assert problems == []
    finally:
        page.context.close()


@requires_chromium
def test_the_docs_page_works_on_a_phone_and_axe_finds_nothing_serious(browser, live_server):
    page, problems = _open(browser, f"{live_server.url}/api/v1/docs", PHONE)
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 360 px"
        assert_accessible(page)
        page.locator(f"{OPERATIONS}.opblock-post .opblock-summary").first.click()
        page.wait_for_selector(".opblock.is-open .responses-wrapper")
        assert_accessible(page)
        assert page.evaluate("window.__cspViolations") == []
        assert problems == []
    finally:
        page.context.close()

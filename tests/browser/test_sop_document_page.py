"""The SOP document page in Chromium: on a 360 px phone the wide tables scroll inside their
own frames while the page never scrolls sideways; the symbols are drawn (no script, nothing
the CSP refuses); axe-core and the console stay clean; the header form saves, and a bad NIP
comes back beside its field with what was typed. Printing uses A4 landscape sheets."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import requires_chromium, screenshot_name
from tests.browser.modeler_support import signed_in, sop_version_id

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
REFUSED = ("console error: Failed to load resource: the server responded with a status of "
           "400 (BAD REQUEST)")


def fits(page, width: int) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page is {scrolled} px wide on a {width} px screen"


def keep(page, name: str) -> None:
    if os.environ.get("ALUR_SCREENSHOTS") == "1":
        page.screenshot(path=str(screenshot_name("sop-document", name)), full_page=True)


def symbol_boxes(page) -> list[dict]:
    """Where each row's drawn symbol is, and the cell holding it."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid=sop-symbol]')]
      .map((cell) => { const box = cell.getBoundingClientRect();
                       const shape = cell.querySelector('.sop-symbol .sop-shape')
                         .getBoundingClientRect();
                       return {w: shape.width, h: shape.height, inside: shape.left >= box.left
                               && shape.right <= box.right && shape.top >= box.top}; })""")


@requires_chromium
def test_the_document_on_a_phone(browser, live_server):
    vid = sop_version_id(live_server)
    context, page, watch = signed_in(browser, live_server, PHONE)
    try:
        page.goto(f"{live_server.url}/pemodel/")
        page.click("[data-testid=version-row][data-version='1'] [data-testid=sop-document]")
        page.wait_for_selector("[data-testid=sop-flow]")
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/pemodel/versi/{vid}/sop")
        fits(page, PHONE["width"])
        frame = page.locator("[data-testid=sop-page] .sop-scroll").first
        assert frame.evaluate("(el) => el.scrollWidth > el.clientWidth")  # scrolls inside
        boxes = symbol_boxes(page)
        assert len(boxes) == page.locator("[data-testid=sop-row]").count() == 19
        assert all(box["w"] >= 40 and box["h"] >= 20 and box["inside"] for box in boxes)
        frame.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
        fits(page, PHONE["width"])
        keep(page, "phone")
        watch.assert_clean()
    finally:
        context.close()


@requires_chromium
def test_the_header_form_keeps_a_refused_nip_and_saves_a_good_one(browser, live_server):
    vid = sop_version_id(live_server)
    context, page, watch = signed_in(browser, live_server, PHONE)
    try:
        page.goto(f"{live_server.url}/pemodel/versi/{vid}/sop")
        page.fill("#s-number", "602/09/SOP/PBJ-PS/III-2022")
        page.fill("#s-made_on", "2022-03-07")
        page.fill("#s-approver_name", "MAWARDI ROSKA, S.IP")
        page.fill("#s-approver_nip", "19670907 198902 3 001")
        page.fill("#s-legal_bases", "Perpres 18/2018\nPeraturan LKPP 9/2018")
        page.click("[data-testid=sop-header-save]")
        page.wait_for_selector("[data-testid=error-approver_nip]")
        assert page.input_value("#s-approver_nip") == "19670907 198902 3 001"
        assert page.input_value("#s-legal_bases") == "Perpres 18/2018\nPeraturan LKPP 9/2018"
        assert page.input_value("#s-number") == "602/09/SOP/PBJ-PS/III-2022"
        fits(page, PHONE["width"])
        keep(page, "refused")
        assert watch.problems == [REFUSED]
        watch.problems.clear()
        watch.assert_clean()
        page.fill("#s-approver_nip", "19670907 198902 1 001")
        page.click("[data-testid=sop-header-save]")
        page.wait_for_selector("[data-testid=sop-nip]")
        assert page.locator("[data-testid=sop-nip]").inner_text().endswith(
            "19670907 198902 1 001")
        assert page.locator("[data-testid=sop-number]").inner_text() \
            == "602/09/SOP/PBJ-PS/III-2022"
        fits(page, PHONE["width"])
        watch.assert_clean()
    finally:
        context.close()


@requires_chromium
def test_printed_sheets_are_a4_landscape_with_connectors(browser, live_server):
    vid = sop_version_id(live_server)
    context, page, watch = signed_in(browser, live_server, DESKTOP)
    try:
        page.goto(f"{live_server.url}/pemodel/versi/{vid}/sop")
        page.wait_for_load_state("load")
        keep(page, "desktop")
        watch.assert_clean()
        page.emulate_media(media="print")
        assert page.locator("[data-testid=sop-header-form]").is_hidden()
        assert page.locator(".sop-connector-out").count() >= 1
        sheets = page.locator("[data-testid=sop-page]").count()
        pdf = page.pdf(prefer_css_page_size=True)
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        assert pages == sheets + 1  # the header sheet, then one page per sheet
    finally:
        context.close()

"""The definitions page (/pemodel/) in Chromium: on a 360 px phone the versions and drafts
become cards (nothing scrolls sideways), on a desktop they are tables; axe-core, the console
and the CSP stay clean; a refused upload says why on the page; an upload and "Buat draf"
both open the new draft in the editor."""

from __future__ import annotations

import os
import re

import pytest

from engine.services import processdrafts
from engine.services.deployments import latest_version
from tests.browser.conftest import requires_chromium, screenshot_name
from tests.browser.modeler_support import signed_in
from tests.conftest import T0
from tests.support import SOP_BPMN, SOP_KEY, user

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
REFUSED_UPLOAD = ("console error: Failed to load resource: the server responded with a "
                  "status of 400 (BAD REQUEST)")


def a_draft(live_server) -> int:
    with live_server.session_factory() as session:
        version = latest_version(session, SOP_KEY)
        draft = processdrafts.create_from_version(session, user(session, "pemilik"),
                                                  version.id, T0)
        session.commit()
        return draft.id


def fits(page, width: int) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page is {scrolled} px wide on a {width} px screen"


@requires_chromium
def test_the_definitions_page_on_a_phone(browser, live_server):
    a_draft(live_server)
    context, page, watch = signed_in(browser, live_server, PHONE)
    try:
        page.click("[data-testid=nav-modeler]")
        page.wait_for_selector("[data-testid=version-table]")
        page.wait_for_load_state("load")  # the stylesheet too, before measuring the layout
        # Indonesian once the lead merges the pending translations, else the msgid
        assert page.locator("h1").inner_text() in ("Model proses", "Process models")
        row = page.locator("[data-testid=version-row][data-version='1']")
        assert row.locator("[data-testid=open-version]").is_visible()
        assert row.locator("[data-testid=download-bpmn]").is_visible()
        # a row is a card: its cells stack, each as wide as the card
        cells = row.locator("td")
        first, last = cells.first.bounding_box(), cells.last.bounding_box()
        assert last["y"] > first["y"] and abs(last["x"] - first["x"]) < 2
        assert page.locator("[data-testid=draft-row]").count() == 1
        fits(page, PHONE["width"])
        watch.assert_clean()
        if os.environ.get("ALUR_SCREENSHOTS") == "1":
            page.screenshot(path=str(screenshot_name("definitions", "phone")), full_page=True)
    finally:
        context.close()


@requires_chromium
def test_uploads_and_new_drafts_on_a_desktop(browser, live_server, tmp_path):
    context, page, watch = signed_in(browser, live_server, DESKTOP)
    try:
        page.goto(f"{live_server.url}/pemodel/")
        header = page.locator("[data-testid=version-table] thead")
        assert header.is_visible()
        fits(page, DESKTOP["width"])
        watch.assert_clean()
        if os.environ.get("ALUR_SCREENSHOTS") == "1":
            page.screenshot(path=str(screenshot_name("definitions", "desktop")), full_page=True)

        broken = tmp_path / "catatan.bpmn"
        broken.write_text("bukan diagram", encoding="utf-8")
        page.set_input_files("input[name=bpmn]", str(broken))
        page.click("[data-testid=upload-submit]")
        page.wait_for_selector("[data-testid=upload-error]")
        assert "catatan.bpmn" in page.locator("[data-testid=upload-error]").inner_text()
        assert watch.problems == [REFUSED_UPLOAD]
        watch.problems.clear()
        watch.assert_clean()

        page.set_input_files("input[name=bpmn]", str(SOP_BPMN))
        page.click("[data-testid=upload-submit]")
        page.wait_for_url(re.compile(r".*/pemodel/draf/\d+$"))

        page.goto(f"{live_server.url}/pemodel/")
        page.locator("[data-testid=version-row][data-version='1'] "
                     "[data-testid=start-draft]").click()
        page.wait_for_url(re.compile(r".*/pemodel/draf/\d+$"))
    finally:
        context.close()

"""The visual diff in a real browser: version 2 of the SOP (row 6's Waktu and one form
label changed, deployed with deploy_diagram into the live server's database) against
version 1. The page lists exactly those two changes, both bpmn-js viewers draw and mark
them, choosing a change selects its element in both, the two views pan and zoom together,
both bpmn.io watermarks stay visible and uncovered, and at 360 px nothing scrolls
sideways. No console errors, no CSP violations, no serious axe finding.

Needs the built bundle in webapp/static/dist (`cd frontend && npm run build`).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import requires_chromium
from tests.browser.modeler_support import assert_logo_uncovered
from tests.browser.watch import Watch
from tests.support import SOP_KEY
from tests.webapp.test_modeler_diff import deploy_version_2

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
READY = "[data-diff-root][data-diff-state=ready]"
SIDES = ("old", "new")


@pytest.fixture(scope="module")
def diff_url(live_server) -> str:
    deploy_version_2(live_server.session_factory)
    return f"{live_server.url}/pemodel/beda?definisi={SOP_KEY}&dari=1&ke=2"


def in_pane(page, side: str, element_id: str, extra: str = ""):
    return page.locator(f'[data-testid=diff-{side}] .djs-element{extra}'
                        f'[data-element-id="{element_id}"]')


def transform(page, side: str) -> tuple[float, float, float]:
    """Scale and offset of one viewer's drawing (the same in both when they are in step)."""
    matrix = page.evaluate("""(side) => {
        const viewport = document.querySelector(`[data-testid=diff-${side}] svg .viewport`);
        const m = viewport.transform.baseVal.consolidate().matrix;
        return [m.a, m.e, m.f];
    }""", side)
    return tuple(round(value, 2) for value in matrix)


def assert_watermarks_uncovered(page) -> None:
    for side in SIDES:
        assert_logo_uncovered(page, f"[data-testid=diff-{side}] a.bjs-powered-by",
                              f"[data-testid=diff-{side}]")


def sign_in(page, base_url: str, username: str = "pemilik") -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


@requires_chromium
def test_the_diff_shows_exactly_the_edit_in_both_viewers(live_server, people, diff_url, snap):
    page = people.page("pemilik")
    watch = Watch(page)
    page.goto(diff_url)
    page.wait_for_selector(READY)

    items = page.locator("[data-testid=diff-change]")
    assert [items.nth(i).get_attribute("data-element-id") for i in range(items.count())] == [
        "Task_06", "Task_09"]
    texts = page.locator("[data-testid=diff-change-text]").all_inner_texts()
    assert "2 → 3" in texts[0] and "laporan-sosialisasi" in texts[1]
    assert page.locator("[data-testid=diff-layout]").count() == 0

    for side in SIDES:  # both viewers drew the whole SOP and marked both changes
        assert in_pane(page, side, "Task_17c").count() == 1
        for element_id in ("Task_06", "Task_09"):
            assert in_pane(page, side, element_id, ".diff-changed").count() == 1
        assert in_pane(page, side, "Task_07", ".diff-changed").count() == 0
    badges = page.locator("[data-testid=diff-new] .diff-badge-changed")
    assert badges.count() == 2 and badges.first.get_attribute("aria-label")
    assert transform(page, "old") == transform(page, "new")
    snap(page, "diff-desktop")

    page.get_by_role("button", name=texts[1]).click()
    for side in SIDES:
        assert in_pane(page, side, "Task_09", ".selected").count() == 1
        assert in_pane(page, side, "Task_06", ".selected").count() == 0
    assert transform(page, "old") == transform(page, "new")
    centred = page.evaluate("""() => {
        const pane = document.querySelector("[data-testid=diff-new]").getBoundingClientRect();
        const task = document.querySelector('[data-testid=diff-new] [data-element-id="Task_09"]')
          .getBoundingClientRect();
        return [task.x + task.width / 2 - pane.x - pane.width / 2,
                task.y + task.height / 2 - pane.y - pane.height / 2];
    }""")
    assert all(abs(offset) < 5 for offset in centred), centred
    snap(page, "diff-selected")

    before = transform(page, "new")  # panning one view moves the other the same way
    canvas = page.locator("[data-testid=diff-old]").bounding_box()
    page.mouse.move(canvas["x"] + 40, canvas["y"] + 40)
    page.mouse.down()
    page.mouse.move(canvas["x"] + 140, canvas["y"] + 90, steps=5)
    page.mouse.up()
    assert transform(page, "new") != before
    assert transform(page, "old") == transform(page, "new")
    page.click("[data-diff-zoom=in]")
    assert transform(page, "old") == transform(page, "new")

    assert_watermarks_uncovered(page)
    watch.assert_clean()


@requires_chromium
def test_on_a_phone_the_viewers_stack_and_nothing_scrolls_sideways(live_server, browser,
                                                                   diff_url, snap):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", viewport=PHONE,
                                  has_touch=True, is_mobile=True)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, live_server.url)
        watch = Watch(page)
        page.goto(diff_url)
        page.wait_for_selector(READY)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        old = page.locator("[data-testid=diff-old]").bounding_box()
        new = page.locator("[data-testid=diff-new]").bounding_box()
        assert old["y"] + old["height"] <= new["y"]  # stacked, each the full width
        assert old["width"] > 280 and new["width"] > 280
        page.locator("[data-testid=diff-change-text]").first.click()
        for side in SIDES:
            assert in_pane(page, side, "Task_06", ".selected").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        snap(page, "diff-phone")
        assert_watermarks_uncovered(page)
        watch.assert_clean()
    finally:
        context.close()

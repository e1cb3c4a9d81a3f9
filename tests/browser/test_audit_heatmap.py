"""The heatmap in a real browser: an auditor opens version 1's heatmap over the runs of
tests/engine/services/test_heatmap.py (build_runs), sees every step coloured by its median
against its Waktu with the band's word and figures under it and the legend beside it,
filters by an OPD, and on a 360 px phone nothing scrolls sideways. No console errors, no
CSP violations, no serious axe finding.

Needs the built bundle in webapp/static/dist (`cd frontend && npm run build`).
"""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.engine.services.test_heatmap import build_runs

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
READY = "[data-heatmap-root][data-heatmap-state=ready]"


@pytest.fixture(scope="module")
def heatmap_url(live_server) -> str:
    with unit_of_work(live_server.session_factory) as session:
        version_id = build_runs(session)
        session.commit()
    return f"{live_server.url}/audit/peta-panas/{version_id}"


def shape(page, element_id: str, marker: str = ""):
    return page.locator(f'.djs-element{marker}[data-element-id="{element_id}"]')


def label_of(page, element_id: str) -> str:
    """The overlay's text under one step."""
    return page.locator(f'.djs-overlays[data-container-id="{element_id}"] .hm-label').inner_text()


@requires_chromium
def test_the_auditor_reads_the_heatmap_and_filters_by_opd(people, heatmap_url, snap):
    page = people.page("auditor")
    watch = Watch(page)
    page.goto(heatmap_url)
    page.wait_for_selector(READY)

    assert shape(page, "Task_01", ".hm-fast").count() == 1
    assert shape(page, "Task_02", ".hm-over").count() == 1
    assert shape(page, "Task_10", ".hm-late").count() == 1
    assert shape(page, "Task_17c", ".hm-no_data").count() == 1
    page.locator('[data-heatmap-focus="Participant_Main"]').click()
    assert "n=3" in label_of(page, "Task_01") and "HK" in label_of(page, "Task_01")
    overlay = page.locator('.djs-overlays[data-container-id="Task_10"] .hm-label')
    assert overlay.is_visible()
    legend = page.locator("[data-testid=heatmap-legend] li")
    assert legend.count() == 6 and legend.first.is_visible()
    fill = page.evaluate("""() => getComputedStyle(document.querySelector(
        '.djs-element.hm-late[data-element-id="Task_10"] .djs-visual > :first-child')).fill""")
    assert "hm-hatch" in fill  # hatched, not only red
    snap(page, "heatmap")

    page.select_option("[data-testid=filter-opd]", "DINKES")
    page.click("[data-testid=filter-submit]")
    page.wait_for_url("**opd=DINKES**")
    page.wait_for_selector(READY)
    assert shape(page, "Task_01", ".hm-no_data").count() == 1
    assert shape(page, "Task_10", ".hm-late").count() == 1
    assert page.locator("[data-testid=opd-note]").is_visible()
    assert page.locator("[data-testid=late-opds] tbody tr").count() == 1
    snap(page, "heatmap-dinkes")
    watch.assert_clean()


@requires_chromium
def test_the_heatmap_on_a_phone(people, heatmap_url, snap):
    page = people.page("kepala")
    page.set_viewport_size(PHONE)
    watch = Watch(page)
    page.goto(heatmap_url)
    page.wait_for_selector(READY)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("[data-testid=heatmap-canvas]").is_visible()
    page.locator('[data-heatmap-zoom="in"]').click()
    page.locator('[data-heatmap-focus="all"]').click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    snap(page, "heatmap-phone")
    watch.assert_clean()

"""Importing SIRUP packages on a 360 px phone, as the Tim Kelembagaan does: choose a file,
watch the progress bar to the end, read the preview, import, land on the list with the
packages and their Σ pagu; then a refused file shows its lines. Every page fits the
screen, passes axe-core and keeps the console and the CSP clean."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import Package
from tests.browser.conftest import requires_chromium
from tests.browser.phone import fits, on_phone
from tests.sirup_support import csv_bytes, package, packages, xlsx_bytes

pytestmark = [pytest.mark.browser, requires_chromium]

ROWS = 2000  # enough bytes for the upload's progress to be seen moving


def stored(live_server) -> int:
    with live_server.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Package))


def test_import_with_progress_preview_and_confirm(browser, live_server, tmp_path):
    file = tmp_path / "rup-2026.xlsx"
    file.write_bytes(xlsx_bytes(packages(ROWS)))
    context, page, watch = on_phone(browser, live_server.url, "tim1")
    try:
        page.goto(f"{live_server.url}/laporan/paket")
        fits(page, watch)
        page.click("[data-testid=import-packages]")
        fits(page, watch)
        page.evaluate("""() => {  // every value the bar takes, to see it move to the end
            window.seen = [];
            const bar = document.querySelector('#upload-bar');
            new MutationObserver(() => window.seen.push(bar.value))
              .observe(bar, {attributes: true});
        }""")
        page.set_input_files("[data-testid=import-file]", str(file))
        page.click("[data-testid=preview]")
        page.wait_for_selector("[data-testid=import-preview]")
        assert page.evaluate("Math.max(...window.seen)") == 100
        assert page.locator("[data-testid=count-added]").inner_text() == str(ROWS)
        assert page.url.endswith("/laporan/paket/impor")  # the preview came into this page
        assert stored(live_server) == 0
        fits(page, watch)
        assert not page.locator("[data-refile]").is_visible()  # the chosen file is kept
        with page.expect_navigation(url="**/laporan/paket?tahun=2026"):
            page.click("[data-testid=confirm-import]")
        assert "rup-2026.xlsx telah diimpor" in page.locator("[data-testid=flash]").inner_text()
        assert page.locator("[data-testid=total-pagu]").inner_text() == "Rp2.500.000.000.000"
        assert stored(live_server) == ROWS
        fits(page, watch)
    finally:
        context.close()


def test_a_refused_file_shows_its_lines_and_imports_nothing(browser, live_server, tmp_path):
    before = stored(live_server)
    file = tmp_path / "salah.csv"
    file.write_bytes(csv_bytes([package("53000001"), package("53000002", pagu="banyak")]))
    context, page, watch = on_phone(browser, live_server.url, "tim1")
    try:
        page.goto(f"{live_server.url}/laporan/paket/impor")
        page.set_input_files("[data-testid=import-file]", str(file))
        page.click("[data-testid=preview]")
        page.wait_for_selector("[data-testid=refused-table]")
        assert page.locator("[data-testid=refused-row]").count() == 1
        assert page.locator("[data-testid=confirm-form]").count() == 0
        fits(page, watch)
        assert stored(live_server) == before
    finally:
        context.close()

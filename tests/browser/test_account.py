"""From the sign-in page to Akun saya on a 360 px phone: both pages fit the screen, pass
axe-core and keep the console and the CSP clean; a token is revoked with its button, the
mail settings are saved, and a wrong current password is answered on the page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


@requires_chromium
def test_sign_in_then_my_account_on_a_phone(browser, live_server):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", viewport=PHONE)
    context.set_default_timeout(15_000)
    try:
        issued = context.request.post(f"{live_server.url}/api/v1/auth/token",
                                      data={"username": "tim2", "password": "demo12345",
                                            "label": "skrip laporan"})
        assert issued.status == 201
        page = context.new_page()
        watch = Watch(page)
        page.goto(f"{live_server.url}/login")
        fits_the_phone(page)
        watch.assert_clean()
        page.fill("input[name=username]", "tim2")
        page.fill("input[name=password]", "demo12345")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=current-user]")

        page.goto(f"{live_server.url}/akun")
        assert page.get_by_role("heading", name="Akun saya").is_visible()
        assert page.locator("[data-testid=this-session]").count() == 1
        assert page.locator("[data-testid=token-row]").inner_text().startswith("skrip laporan")
        fits_the_phone(page)
        watch.assert_clean()

        page.click("[data-testid=revoke-token]")
        page.wait_for_selector("[data-testid=no-tokens]")
        assert "Token API telah dicabut" in page.locator("[data-testid=flash]").inner_text()
        fits_the_phone(page)
        watch.assert_clean()

        # mail settings: one notice off, mail in English (saved, then shown as saved)
        assert page.locator("[data-testid=no-email]").is_visible()
        page.uncheck("[data-testid=notify-due_soon]")
        page.select_option("[data-testid=mail-locale]", "en")
        page.click("[data-testid=save-mail]")
        page.wait_for_selector("[data-testid=flash]")
        assert not page.is_checked("[data-testid=notify-due_soon]")
        assert page.is_checked("[data-testid=notify-assigned]")
        assert page.input_value("[data-testid=mail-locale]") == "en"
        fits_the_phone(page)
        watch.assert_clean()

        page.fill("input[name=current_password]", "salah-sekali")
        page.fill("input[name=new_password]", "kata-sandi-baru-1")
        page.fill("input[name=confirm_password]", "kata-sandi-baru-1")
        page.get_by_role("button", name="Ganti kata sandi").click()
        page.wait_for_selector("[data-testid=password-error]")
        error = page.locator("[data-testid=password-error]").inner_text()
        assert "Kata sandi saat ini salah" in error
        fits_the_phone(page)
        # the refused form answers 400 on purpose; the browser logs that, and nothing else
        assert watch.problems == ["console error: Failed to load resource: the server "
                                  "responded with a status of 400 (BAD REQUEST)"]
        watch.problems.clear()
        watch.assert_clean()
    finally:
        context.close()

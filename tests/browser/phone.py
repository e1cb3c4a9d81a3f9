"""A person signed in on a 360 px phone, and the bar every page there is held to: no
sideways scroll, axe-core clean, nothing in the console or refused by the CSP."""

from __future__ import annotations

from tests.browser.watch import Watch, assert_accessible

PHONE = {"width": 360, "height": 740}


def on_phone(browser, url: str, username: str):
    """(context, page, watch) of `username` signed in, in Indonesian, on a phone."""
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    watch = Watch(page)
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    return context, page, watch


def fits(page, watch) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"
    assert_accessible(page)
    watch.assert_clean()

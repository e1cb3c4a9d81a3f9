"""The form editor in headless Chromium, as the process owner (`pemilik`) uses it on a draft
of the SOP: a label changed in form-js-editor's properties panel is autosaved (the draft in
the database has it), the live preview shows it, and it is still there after a reload; a
schema the server cannot enforce is refused with the component named and selected, and
nothing is stored; a PUT with an unknown component type is refused naming it; another
owner's save in between is a conflict that can be saved as a new draft; a form the draft
lacks can be created. At 360 px nothing scrolls sideways, and both bpmn.io watermarks (under
the editor's canvas and under the preview) stay visible and uncovered. No console errors, no
CSP violations, no serious axe finding.

Needs the built bundle in webapp/static/dist (`cd frontend && npm run build`).
"""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from engine.models import ProcessDraft
from engine.services import processdrafts
from tests.browser.conftest import requires_chromium
from tests.browser.modeler_support import assert_logo_uncovered, new_draft, signed_in
from tests.browser.watch import Watch
from tests.conftest import T0
from tests.support import user

pytestmark = pytest.mark.browser

FORM = "mulai-pelaksanaan"
FIELD = "Field_judul"  # "Judul pelaksanaan", a text field the preview shows
NEW_LABEL = "Judul kegiatan pengelolaan kinerja"
PHONE = {"width": 360, "height": 740}
STATUS = "[data-testid=save-status]"
REFUSED_400 = "console error: Failed to load resource: the server responded with a status " \
              "of 400 (BAD REQUEST)"
CONFLICT_409 = "console error: Failed to load resource: the server responded with a status " \
               "of 409 (CONFLICT)"


def stored(live_server, draft_id: int) -> ProcessDraft:
    with unit_of_work(live_server.session_factory) as session:
        draft = session.get(ProcessDraft, draft_id)
        session.expunge(draft)
        return draft


def field_of(draft: ProcessDraft, field_id: str, form: str = FORM) -> dict:
    return next(c for c in draft.forms[form]["components"] if c.get("id") == field_id)


def open_form(page, base_url: str, draft_id: int, key: str = FORM) -> None:
    page.goto(f"{base_url}/pemodel/draf/{draft_id}/formulir/{key}")
    page.wait_for_selector(f".fjs-form-container [data-id={FIELD}]")
    wait_for_state(page, "saved")


def wait_for_state(page, state: str) -> None:
    page.wait_for_function(
        "(state) => document.querySelector('[data-testid=save-status]').dataset.state === state",
        arg=state)


def wait_for_autosave(page) -> None:
    """The editor noticed the change (form-js applies typed text after a short pause), then
    saved it by itself."""
    page.wait_for_function(
        "() => ['dirty', 'saving'].includes("
        "document.querySelector('[data-testid=save-status]').dataset.state)")
    wait_for_state(page, "saved")


def select_field(page, group: str) -> None:
    """Select the text field in the editor's canvas and open a group of its properties."""
    page.click(f".fjs-form-container [data-id={FIELD}]")
    header = page.locator(".bio-properties-panel-group-header", has_text=group)
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def change_label(page, label: str) -> None:
    select_field(page, "General")
    page.click("#bio-properties-panel-label")  # a CodeMirror line, as form-js draws it
    page.keyboard.press("Control+A")
    page.keyboard.type(label)


def assert_watermarks_uncovered(page) -> None:
    """Under the editor's canvas and under the preview."""
    for area in ("form-editor", "form-preview"):
        assert_logo_uncovered(page, f"[data-testid={area}] .fjs-powered-by a")


@requires_chromium
def test_a_changed_label_is_autosaved_previewed_and_kept_after_reload(live_server, people,
                                                                      snap):
    draft_id = new_draft(live_server)
    page = people.page("pemilik")
    watch = Watch(page)
    open_form(page, live_server.url, draft_id)
    assert page.locator("[data-testid=form-preview]").get_by_text("Judul pelaksanaan").count()
    snap(page, "form-editor-open")

    change_label(page, NEW_LABEL)
    wait_for_autosave(page)  # a few seconds after the last keystroke
    draft = stored(live_server, draft_id)
    assert draft.revision == 2
    assert field_of(draft, FIELD)["label"] == NEW_LABEL
    assert field_of(draft, FIELD)["key"] == "judul"  # the rest of the field as it was
    preview = page.locator("[data-testid=form-preview]")
    preview.get_by_text(NEW_LABEL).wait_for()
    assert preview.get_by_text("Judul pelaksanaan").count() == 0
    assert_watermarks_uncovered(page)
    watch.assert_clean()

    page.reload()
    page.wait_for_selector(f".fjs-form-container [data-id={FIELD}]")
    wait_for_state(page, "saved")
    assert NEW_LABEL in page.locator(f".fjs-form-container [data-id={FIELD}]").inner_text()
    page.locator("[data-testid=form-preview]").get_by_text(NEW_LABEL).wait_for()
    assert stored(live_server, draft_id).revision == 2  # opening saves nothing
    watch.assert_clean()


@requires_chromium
def test_a_schema_the_server_cannot_enforce_is_refused_naming_the_component(live_server,
                                                                            people):
    draft_id = new_draft(live_server)
    page = people.page("pemilik")
    watch = Watch(page)
    open_form(page, live_server.url, draft_id)

    select_field(page, "Validation")
    page.fill("#bio-properties-panel-pattern", "([a-z")  # not a regular expression
    page.wait_for_selector("[data-testid=form-problem]:not([hidden])")
    message = page.locator("[data-testid=form-problem-text]").inner_text()
    assert "'judul'" in message and "invalid pattern" in message
    assert page.locator(STATUS).get_attribute("data-state") == "refused"
    assert "([a-z" in page.locator("[data-testid=preview-problem]").inner_text()
    selected = page.locator(".fjs-form-container .fjs-editor-selected")
    assert selected.get_attribute("data-id") == FIELD
    draft = stored(live_server, draft_id)
    assert draft.revision == 1 and "pattern" not in field_of(draft, FIELD).get("validate", {})

    # The same endpoint, asked directly for a component type the server does not know.
    answer = page.evaluate("""async (key) => {
        const config = JSON.parse(document.getElementById("form-editor-config").textContent);
        const schema = {type: "default", id: "Form_x", components: [
            {type: "button", id: "Button_1", key: "kirim", label: "Kirim"}]};
        const response = await fetch(config.urls.save, {
            method: "PUT", body: JSON.stringify({revision: 1, schema}),
            headers: {"Content-Type": "application/json", "X-CSRFToken": config.csrfToken}});
        return {status: response.status, body: await response.json()};
    }""", FORM)
    assert answer["status"] == 400
    assert answer["body"]["error"]["code"] == "invalid_form"
    assert "'kirim'" in answer["body"]["error"]["message"]
    assert "unsupported type 'button'" in answer["body"]["error"]["message"]
    assert stored(live_server, draft_id).revision == 1
    assert watch.problems == [REFUSED_400, REFUSED_400]  # both refusals, on purpose
    watch.problems.clear()
    watch.assert_clean()


@requires_chromium
def test_another_owners_save_is_a_conflict_and_mine_becomes_a_new_draft(live_server, people):
    draft_id = new_draft(live_server)
    page = people.page("pemilik")
    watch = Watch(page)
    open_form(page, live_server.url, draft_id)
    with unit_of_work(live_server.session_factory) as session:  # admin saves first
        schema = session.get(ProcessDraft, draft_id).forms["keputusan-periode"]
        processdrafts.save_form(session, user(session, "admin"), draft_id, "keputusan-periode",
                                schema, revision=1, now=T0)
        session.commit()

    change_label(page, NEW_LABEL)
    conflict = page.locator("[data-testid=form-conflict]")
    conflict.wait_for()
    assert "Administrator Sistem" in conflict.inner_text()
    assert page.locator("[data-testid=save-form]").is_disabled()
    assert field_of(stored(live_server, draft_id), FIELD)["label"] == "Judul pelaksanaan"

    page.click("[data-testid=conflict-copy]")
    page.wait_for_url(lambda url: f"/draf/{draft_id}/" not in url)
    assert page.url.endswith(f"/formulir/{FORM}")  # the same form, in the new draft
    copy_id = int(page.url.split("/draf/")[1].split("/")[0])
    page.wait_for_selector(f".fjs-form-container [data-id={FIELD}]")
    copy = stored(live_server, copy_id)
    assert field_of(copy, FIELD)["label"] == NEW_LABEL and copy.revision == 1
    assert watch.problems == [CONFLICT_409]
    watch.problems.clear()
    watch.assert_clean()


@requires_chromium
def test_a_form_the_draft_lacks_is_created_empty(live_server, people):
    draft_id = new_draft(live_server)
    page = people.page("pemilik")
    watch = Watch(page)
    page.goto(f"{live_server.url}/pemodel/draf/{draft_id}/formulir/formulir-baru")
    page.click("[data-testid=create-form]:not([disabled])")
    page.wait_for_selector("[data-testid=form-editor] .fjs-palette")
    wait_for_state(page, "saved")
    draft = stored(live_server, draft_id)
    assert draft.forms["formulir-baru"]["components"] == [] and draft.revision == 2
    assert page.locator("[data-testid=form-switcher] a[aria-current=page]").text_content() \
        == "formulir-baru"
    watch.assert_clean()


@requires_chromium
def test_a_deployed_draft_shows_its_form_in_the_preview_only(live_server, people):
    draft_id = new_draft(live_server)
    with unit_of_work(live_server.session_factory) as session:  # identical: no new version
        processdrafts.deploy_draft(session, user(session, "pemilik"), draft_id, revision=1,
                                   now=T0)
        session.commit()
    page = people.page("pemilik")
    watch = Watch(page)
    page.goto(f"{live_server.url}/pemodel/draf/{draft_id}/formulir/{FORM}")
    page.locator("[data-testid=form-preview]").get_by_text("Judul pelaksanaan").wait_for()
    assert page.locator("[data-testid=form-read-only]").is_visible()
    assert page.locator("[data-testid=form-editor], [data-testid=save-form]").count() == 0
    watch.assert_clean()


@requires_chromium
def test_on_a_phone_nothing_scrolls_sideways(browser, live_server, snap):
    draft_id = new_draft(live_server)
    context, page, watch = signed_in(browser, live_server, PHONE)
    try:
        open_form(page, live_server.url, draft_id)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide on a 360 px screen"
        assert page.locator(".fjs-palette").is_visible()
        assert_watermarks_uncovered(page)
        snap(page, "form-editor-phone")
        watch.assert_clean()
    finally:
        context.close()

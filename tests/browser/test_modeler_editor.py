"""The diagram editor (/pemodel/draf/<id>, /pemodel/versi/<id>) in headless Chromium, as the
process owner `pemilik`: the SOP is drawn with the bpmn.io watermark in plain sight, row 6's
Waktu changed in our "SOP" group is autosaved and survives a reload (with every other
spiffworkflow property of the diagram untouched), removing a form key is a lint error that
disables Deploy until the key is back, a second editor of the same draft gets the conflict
dialog and can save its work as a new draft, the server's own check marks what it refuses,
SVG and PNG export download files, a deployed version opens read-only, and at 360 px the
page does not scroll sideways. Every page: no console error, no CSP violation, no serious
or critical axe finding.

Needs the built bundle in webapp/static/dist (`npm run build` in frontend/).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from engine.db import unit_of_work
from engine.models import ProcessDraft
from tests.browser.conftest import requires_chromium
from tests.browser.modeler_support import assert_logo_uncovered, new_draft, sop_version_id
from tests.browser.watch import Watch

pytestmark = [pytest.mark.browser, requires_chromium]

ROOT = Path(__file__).resolve().parents[2]
SOP = ROOT / "bpmn" / "sop-pengelolaan-kinerja.bpmn"
READY = "[data-testid=modeler].is-ready"
STATUS = "[data-testid=save-status]"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
PHONE = {"width": 360, "height": 740}
# Chromium logs every 4xx answer of a fetch; the conflict and refusal tests expect one.
EXPECTED_409 = "status of 409"
EXPECTED_400 = "status of 400"


# ---- set-up ------------------------------------------------------------------------------

def stored_draft(server, draft_id: int) -> ProcessDraft:
    with unit_of_work(server.session_factory) as session:
        draft = session.get(ProcessDraft, draft_id)
        session.expunge(draft)
        return draft


def properties_of(xml: str) -> list[tuple[str, str, str]]:
    """Every spiffworkflow:property as (owner id, name, value), in document order."""
    root = etree.fromstring(xml.encode())
    found = []
    for prop in root.iter(f"{SPIFF}property"):
        owner = prop.getparent().getparent().getparent()
        found.append((owner.get("id"), prop.get("name"), prop.get("value")))
    return found


class EditorWatch(Watch):
    """A Watch that may be told which failed request the test itself provokes."""

    def assert_clean(self, *, expected: tuple[str, ...] = ()) -> None:
        self.problems = [p for p in self.problems
                         if not any(e in p and "Failed to load resource" in p for e in expected)]
        super().assert_clean()


def open_editor(people, server, path: str, username: str = "pemilik", viewport=None):
    page = people.page(username)
    if viewport:
        page.set_viewport_size(viewport)
    watch = EditorWatch(page)
    page.goto(f"{server.url}{path}")
    page.wait_for_selector(READY)
    return page, watch


def select_element(page, element_id: str) -> None:
    """Click the element on the canvas; the properties panel then shows its id."""
    page.click(f'.djs-element[data-element-id="{element_id}"]')
    page.wait_for_function(
        "id => (document.querySelector('#bio-properties-panel-id') || {}).value === id",
        arg=element_id)


def saved_revision(page) -> int:
    return int(page.get_attribute(STATUS, "data-revision") or 0)


def wait_saved_after(page, revision: int) -> int:
    """Wait until autosave stored a revision newer than `revision`; return it."""
    page.wait_for_function(
        """([selector, before]) => {
             const node = document.querySelector(selector);
             return node.dataset.state === "saved" && Number(node.dataset.revision) > before;
           }""", arg=[STATUS, revision], timeout=15_000)
    return saved_revision(page)


def assert_watermark_clear(page) -> None:
    assert_logo_uncovered(page, "a.bjs-powered-by", "[data-testid=modeler-canvas]",
                          corners=True)


# ---- tests -------------------------------------------------------------------------------

def test_editor_draws_the_sop_with_the_watermark_uncovered(people, live_server, record_property):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    ready_ms = int(page.evaluate("document.documentElement.dataset.modelerReadyMs"))
    record_property("modeler_ready_ms", ready_ms)
    print(f"time to first drawn diagram: {ready_ms} ms")
    assert ready_ms > 0
    for element_id in ("Task_01", "Task_06", "Call_Periode", "Task_11", "Lane_Main_Kepala"):
        assert page.locator(f'.djs-element[data-element-id="{element_id}"]').count() == 1
    assert page.locator(".djs-palette .entry").count() > 5  # the editor, not a viewer
    assert_watermark_clear(page)
    select_element(page, "Task_06")
    assert page.input_value("[data-testid=waktu-field]") == "2"
    assert page.input_value("[data-testid=form-key-select]") == "persetujuan-rencana"
    assert page.input_value("[data-testid=sop-step-field]") == "6"
    assert_watermark_clear(page)
    assert page.get_attribute(STATUS, "data-state") == "saved"
    watch.assert_clean()


def test_waktu_change_is_autosaved_and_nothing_else_changes(people, live_server):
    draft_id = new_draft(live_server)
    original = stored_draft(live_server, draft_id).bpmn_xml
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    before = saved_revision(page)
    select_element(page, "Task_06")
    page.fill("[data-testid=waktu-field]", "3")
    wait_saved_after(page, before)

    page.reload()
    page.wait_for_selector(READY)
    select_element(page, "Task_06")
    assert page.input_value("[data-testid=waktu-field]") == "3"
    stored = stored_draft(live_server, draft_id).bpmn_xml
    expected = [(owner, name, "3" if (owner, name) == ("Task_06", "waktu_hari_kerja") else value)
                for owner, name, value in properties_of(original)]
    assert properties_of(stored) == expected
    assert len(expected) > 100
    watch.assert_clean()


def test_a_waktu_that_is_not_a_whole_number_is_not_stored(people, live_server):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    select_element(page, "Task_07")
    page.fill("[data-testid=waktu-field]", "1,5")
    entry = page.locator("[data-entry-id=alur-waktu_hari_kerja]")
    entry.locator(".bio-properties-panel-error").wait_for()
    page.wait_for_timeout(3500)  # longer than autosave waits
    assert 'name="waktu_hari_kerja" value="1"' in stored_draft(live_server, draft_id).bpmn_xml
    assert page.locator("button[data-action=undo]").is_disabled()  # nothing was changed
    watch.assert_clean()


def test_removing_a_form_key_is_a_lint_error_that_blocks_deploy(people, live_server, snap):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    problems = page.locator("[data-testid=problems-list] li")
    deploy = page.locator("[data-testid=deploy]")
    page.wait_for_function("() => !document.querySelector('[data-testid=deploy]').disabled")
    assert page.locator("[data-testid=problems-list] li.alur-problem-error").count() == 0

    select_element(page, "Task_06")
    page.select_option("[data-testid=form-key-select]", "")
    error = page.locator("[data-testid=problems-list] li[data-rule='alur/user-task-form']")
    error.wait_for()
    assert error.get_attribute("data-element-id") == "Task_06"
    assert "Langkah 6" in error.inner_text() or "Step 6" in error.inner_text()
    assert deploy.is_disabled()
    assert page.locator("[data-testid=deploy-reason]").inner_text().strip()
    assert page.locator('.djs-overlay-linting').count() > 0  # marked on the element too
    snap(page, "form-key-removed")

    select_element(page, "Task_01")  # a click on the problem selects its element again
    error.locator("button").click()
    page.wait_for_selector("[data-testid=form-key-select]")
    assert page.locator('.djs-element.selected[data-element-id="Task_06"]').count() == 1

    page.select_option("[data-testid=form-key-select]", "persetujuan-rencana")
    error.wait_for(state="detached")
    page.wait_for_function("() => !document.querySelector('[data-testid=deploy]').disabled")
    assert problems.filter(has=page.locator(".alur-problem-kind")).count() == problems.count()
    watch.assert_clean()


def test_a_second_editor_gets_the_conflict_dialog_and_saves_a_copy(people, live_server, snap):
    draft_id = new_draft(live_server)
    path = f"/pemodel/draf/{draft_id}"
    first, first_watch = open_editor(people, live_server, path, "pemilik")
    second, second_watch = open_editor(people, live_server, path, "admin")

    before = saved_revision(first)
    select_element(first, "Task_07")
    first.fill("[data-testid=waktu-field]", "4")
    wait_saved_after(first, before)

    select_element(second, "Task_08")
    second.fill("[data-testid=waktu-field]", "6")
    dialog = second.locator("[data-testid=conflict-dialog]")
    dialog.wait_for(state="visible", timeout=15_000)
    assert "Siti Nurhaliza" in dialog.inner_text()  # who saved first (demo user pemilik)
    assert second.evaluate("document.activeElement.dataset.testid") == "conflict-reload"
    snap(second, "conflict-dialog")
    assert second.get_attribute(STATUS, "data-state") == "conflict"
    second.keyboard.press("Escape")  # a choice is needed: the dialog stays
    assert dialog.is_visible()
    assert 'name="waktu_hari_kerja" value="4"' in stored_draft(live_server, draft_id).bpmn_xml

    second.click("[data-testid=conflict-copy]")
    second.wait_for_url(re.compile(rf"/pemodel/draf/(?!{draft_id}$)\d+$"))
    second.wait_for_selector(READY)
    copy_id = int(second.url.rsplit("/", 1)[1])
    copy = stored_draft(live_server, copy_id)
    assert ("Task_08", "waktu_hari_kerja", "6") in properties_of(copy.bpmn_xml)
    assert ("Task_07", "waktu_hari_kerja", "1") in properties_of(copy.bpmn_xml)
    original = stored_draft(live_server, draft_id)
    assert ("Task_07", "waktu_hari_kerja", "4") in properties_of(original.bpmn_xml)
    assert ("Task_08", "waktu_hari_kerja", "1") in properties_of(original.bpmn_xml)
    first_watch.assert_clean()
    second_watch.assert_clean(expected=(EXPECTED_409,))


def test_the_server_check_and_a_refused_deploy_mark_the_element(people, live_server):
    xml = SOP.read_text(encoding="utf-8")
    lane_setting = re.search(r'(<bpmn:lane id="Lane_Main_PJ" [^>]*>)\s*'
                             r"<bpmn:extensionElements>.*?</bpmn:extensionElements>", xml, re.S)
    without_opd = xml.replace(lane_setting.group(0), lane_setting.group(1))
    draft_id = new_draft(live_server, bpmn_xml=without_opd)  # an OPD lane without opd_variable
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    server_problem = page.locator("[data-testid=problems-list] li[data-source=server]")

    page.click("[data-testid=check-server]")
    server_problem.first.wait_for()
    assert server_problem.first.get_attribute("data-element-id") == "Lane_Main_PJ"
    marked = '.djs-element.alur-server-problem[data-element-id="Lane_Main_PJ"]'
    assert page.locator(marked).count() == 1

    page.wait_for_function("() => !document.querySelector('[data-testid=deploy]').disabled")
    page.click("[data-testid=deploy]")
    page.locator("[data-testid=deploy-result].alur-result-error").wait_for()
    assert server_problem.count() == 1
    with unit_of_work(live_server.session_factory) as session:
        assert session.get(ProcessDraft, draft_id).deployed_version_id is None

    server_problem.first.locator("button").click()
    page.fill("#bio-properties-panel-alur-opd_variable", "opd")
    server_problem.first.wait_for(state="detached")  # the element changed: its mark goes
    assert page.locator(".alur-server-problem").count() == 0
    watch.assert_clean(expected=(EXPECTED_400,))


def test_a_new_form_is_created_chosen_and_offered_for_editing(people, live_server, snap):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    before = saved_revision(page)
    select_element(page, "Task_07")
    page.select_option("[data-testid=form-key-select]", "__alur_new_form__")
    dialog = page.locator("[data-testid=new-form-dialog]")
    dialog.wait_for(state="visible")
    assert page.evaluate("document.activeElement.dataset.testid") == "new-form-key"
    page.fill("[data-testid=new-form-key]", "surat edaran!")  # not a key
    page.click("[data-testid=new-form-create]")
    assert page.get_attribute("[data-testid=new-form-key]", "aria-invalid") == "true"
    page.fill("[data-testid=new-form-key]", "laporan-sosialisasi")  # the draft has it
    page.click("[data-testid=new-form-create]")
    assert "laporan-sosialisasi" in dialog.locator("[data-new-form-error]").inner_text()
    snap(page, "new-form-dialog")

    page.fill("[data-testid=new-form-key]", "surat-edaran-2")
    page.click("[data-testid=new-form-create]")
    page.locator("[data-testid=new-form-done]").wait_for()
    link = page.locator("[data-testid=new-form-open]")
    assert link.get_attribute("href") == f"/pemodel/draf/{draft_id}/formulir/surat-edaran-2"
    page.locator("[data-new-form-done] [data-dialog-close]").click()
    assert dialog.is_hidden()
    assert page.input_value("[data-testid=form-key-select]") == "surat-edaran-2"
    wait_saved_after(page, before + 1)  # the form's own save, then the diagram's
    stored = stored_draft(live_server, draft_id)
    assert stored.forms["surat-edaran-2"]["components"] == []
    assert ("Task_07", "form_key", "surat-edaran-2") in properties_of(stored.bpmn_xml)
    assert page.locator("[data-testid=problems-list] li.alur-problem-error").count() == 0
    watch.assert_clean()


def test_deploy_makes_a_version_and_links_the_diff(people, live_server):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    before = saved_revision(page)
    select_element(page, "Task_10")
    page.fill("[data-testid=waktu-field]", "2")
    wait_saved_after(page, before)
    page.wait_for_function("() => !document.querySelector('[data-testid=deploy]').disabled")
    page.click("[data-testid=deploy]")
    result = page.locator("[data-testid=deploy-result].alur-result-ok")
    result.wait_for(timeout=30_000)
    with unit_of_work(live_server.session_factory) as session:
        draft = session.get(ProcessDraft, draft_id)
        number = draft.deployed_version.version
    assert number >= 2 and str(number) in result.inner_text()
    diff = page.locator("[data-testid=deploy-diff-link]").get_attribute("href")
    assert diff == f"/pemodel/beda?definisi=sop_pengelolaan_kinerja&dari={number - 1}&ke={number}"
    assert page.locator("[data-testid=deploy]").is_disabled()
    assert page.locator(".djs-palette").is_hidden()  # the deployed draft is read-only now
    watch.assert_clean()

    page.reload()
    page.wait_for_selector(READY)
    assert page.locator("[data-testid=deploy]").count() == 0
    assert "/pemodel/versi/" in page.locator(".alur-modeler-actions a").first.get_attribute("href")


def test_export_svg_and_png(people, live_server):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    with page.expect_download() as svg_download:
        page.click("[data-testid=export-svg]")
    svg = Path(svg_download.value.path()).read_text(encoding="utf-8")
    assert svg_download.value.suggested_filename.endswith(".svg")
    assert "<svg" in svg and "Analisis dan" in svg
    with page.expect_download() as png_download:
        page.click("[data-testid=export-png]")
    png = Path(png_download.value.path()).read_bytes()
    assert png_download.value.suggested_filename.endswith(".png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    watch.assert_clean()


def test_undo_redo_and_token_simulation_toggle(people, live_server):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    select_element(page, "Task_09")
    page.fill("[data-testid=waktu-field]", "7")
    undo = page.locator("[data-testid=undo]")
    page.wait_for_function("() => !document.querySelector('[data-testid=undo]').disabled")
    undo.click()
    assert page.input_value("[data-testid=waktu-field]") == "3"
    page.click("[data-testid=redo]")
    assert page.input_value("[data-testid=waktu-field]") == "7"

    toggle = page.locator("[data-testid=simulation-toggle]")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    page.locator(".bjs-container.simulation").wait_for()
    page.locator(".bts-palette:not(.hidden)").wait_for()  # the simulation's own controls
    assert page.locator(".djs-palette").is_hidden()  # no modelling while simulating
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    page.locator(".djs-palette").wait_for()
    watch.assert_clean()


def test_a_version_opens_read_only_and_starts_a_draft(people, live_server, snap):
    version_id = sop_version_id(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/versi/{version_id}")
    assert page.locator("[data-testid=deploy]").count() == 0
    assert page.locator(".djs-palette").is_hidden()
    select_element(page, "Task_06")
    waktu = page.locator("[data-testid=waktu-field]")
    assert waktu.get_attribute("readonly") is not None
    assert_watermark_clear(page)
    snap(page, "version-read-only")
    watch.assert_clean()

    page.click("[data-testid=start-draft]")
    page.wait_for_url(re.compile(r"/pemodel/draf/\d+$"))
    page.wait_for_selector(READY)
    assert page.locator("[data-testid=deploy]").count() == 1


def test_phone_width_has_no_sideways_scroll(people, live_server, snap):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}", viewport=PHONE)
    sideways = "document.documentElement.scrollWidth - window.innerWidth"
    assert page.evaluate(sideways) <= 0
    assert page.locator("[data-testid=properties-panel]").is_hidden()
    page.click("[data-testid=panel-toggle]")
    assert page.get_attribute("[data-testid=panel-toggle]", "aria-expanded") == "true"
    page.locator("[data-testid=properties-panel]").wait_for(state="visible")
    select_element(page, "Task_06")
    assert page.evaluate(sideways) <= 0
    assert_watermark_clear(page)
    snap(page, "phone")
    watch.assert_clean()


def test_other_roles_may_not_open_the_editor(people, live_server):
    draft_id = new_draft(live_server)
    version_id = sop_version_id(live_server)
    for username in ("kepala", "tim1", "pj.disdikbud", "auditor"):
        page = people.page(username)
        assert page.goto(f"{live_server.url}/pemodel/draf/{draft_id}").status == 403
        assert page.goto(f"{live_server.url}/pemodel/versi/{version_id}").status == 403
        answer = page.request.get(f"{live_server.url}/pemodel/versi/{version_id}/isi")
        assert answer.status == 403
        assert answer.json()["error"]["code"] == "modeler_only"
    owner = people.page("pemilik")
    answer = owner.request.get(f"{live_server.url}/pemodel/versi/{version_id}/isi")
    assert answer.status == 200
    content = answer.json()
    assert content["version"] == 1 and "persetujuan-rencana" in content["forms"]
    assert content["bpmn_xml"].startswith("<?xml")
    missing = owner.request.get(f"{live_server.url}/pemodel/versi/999999/isi")
    assert missing.status == 404 and missing.json()["error"]["code"] == "version_not_found"

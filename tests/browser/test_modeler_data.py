"""The editor's data-wiring groups (frontend/src/modeler/panel/loops.js, io.js, calls.js) in
headless Chromium, as the process owner `pemilik`, on a draft of the SOP:

- Task_10 runs once per OPD: its group "Banyak instans (koleksi)" shows the collection
  opd_peserta and the element variable opd; renaming the variable is autosaved with the
  rest of the loop characteristics unchanged (ids too), and Undo puts it back, after which
  the server's check finds nothing;
- on the pool of `laporan_opd`, a new process input is saved in the ioSpecification and
  listed in its inputSet, the server accepts the draft, and Call_OPD shows it going in;
  an input still used as a collection cannot be removed; a bad name is refused in place;
- at 360 px the groups fit without sideways scroll; a deployed version shows them read-only.

Every page: no console error, no CSP violation, no serious or critical axe finding.
Needs the built bundle in webapp/static/dist (`npm run build` in frontend/).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations
from lxml import etree
from playwright.sync_api import expect

from engine.db import unit_of_work
from engine.services import processdrafts
from tests.browser.conftest import requires_chromium
from tests.browser.modeler_support import new_draft, sop_version_id
from tests.browser.test_modeler_editor import (
    PHONE,
    STATUS,
    open_editor,
    saved_revision,
    select_element,
    stored_draft,
    wait_saved_after,
)
from tests.support import user

pytestmark = [pytest.mark.browser, requires_chromium]

ROOT = Path(__file__).resolve().parents[2]
SOP = (ROOT / "bpmn" / "sop-pengelolaan-kinerja.bpmn").read_text(encoding="utf-8")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
PANEL = "[data-testid=properties-panel]"
# The words as the page shows them in Indonesian: from the app's catalogue, so the tests
# hold both before and after new msgids are merged into it (English until then).
CATALOGUE = Translations.load(str(ROOT / "webapp" / "translations"), ["id"])


def words(msgid: str, **values: str) -> str:
    text = CATALOGUE.gettext(msgid)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


# ---- helpers -----------------------------------------------------------------------------

def tree(xml: str):
    return etree.fromstring(xml.encode())


def by_id(root, element_id: str):
    return root.find(f".//*[@id='{element_id}']")


def shape(node) -> list[tuple[str, dict, str]]:
    """An element and everything inside it as (tag, attributes, text), in document order:
    what a save must keep when only one name changes."""
    return [(etree.QName(n).localname, dict(n.attrib), (n.text or "").strip())
            for n in node.iter(etree.Element)]


def loop_of(xml: str, activity_id: str):
    return by_id(tree(xml), activity_id).find(f"{BPMN}multiInstanceLoopCharacteristics")


def io_spec(xml: str, process_id: str):
    return by_id(tree(xml), process_id).find(f"{BPMN}ioSpecification")


def server_problems(server, draft_id: int) -> list[dict]:
    with unit_of_work(server.session_factory) as session:
        return processdrafts.check_draft(session, user(session, "pemilik"), draft_id)


def select_pool(page, participant_id: str, process_id: str) -> None:
    """Click the middle of the pool's name band (its left 30 units, drawn at the canvas's
    zoom); the panel then shows the pool's process."""
    pool = page.locator(f'.djs-element[data-element-id="{participant_id}"]')
    visual = pool.locator(".djs-visual > rect").first
    box = visual.bounding_box()
    scale = box["width"] / float(visual.get_attribute("width"))
    pool.click(position={"x": box["x"] - pool.bounding_box()["x"] + 15 * scale,
                         "y": box["y"] - pool.bounding_box()["y"] + box["height"] / 2})
    page.wait_for_function(
        "id => (document.querySelector('#bio-properties-panel-processId') || {}).value === id",
        arg=process_id)


def field_values(page, testid: str) -> list[str]:
    return page.locator(f"{PANEL} [data-testid={testid}]").evaluate_all(
        "nodes => nodes.map((node) => node.value)")


def selected_label(page, testid: str) -> str:
    return page.locator(f"[data-testid={testid}]").evaluate(
        "select => select.options[select.selectedIndex].textContent")


# ---- tests -------------------------------------------------------------------------------

def test_task_10_element_variable_is_saved_alone_and_undone(people, live_server, snap):
    draft_id = new_draft(live_server)
    original = stored_draft(live_server, draft_id).bpmn_xml
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    before = saved_revision(page)
    select_element(page, "Task_10")
    group = page.locator(f"{PANEL} [data-group-id='group-alur-collection']")
    assert words("Multiple instances (collection)") in group.inner_text()
    assert page.input_value("[data-testid=mi-input-collection]") == "DataObject_opd_peserta"
    assert selected_label(page, "mi-input-collection") == words("{name} (data object)",
                                                               name="opd_peserta")
    assert page.input_value("[data-testid=mi-input-item]") == "opd"
    assert page.input_value("[data-testid=mi-output-collection]") == "DataObject_pemetaan_opd"
    assert page.input_value("[data-testid=mi-output-item]") == "pemetaan"
    group.scroll_into_view_if_needed()
    snap(page, "task-10-collection")

    page.fill("[data-testid=mi-input-item]", "opd_item")
    revision = wait_saved_after(page, before)
    stored = stored_draft(live_server, draft_id).bpmn_xml
    expected = [(tag, {**attrs, "name": "opd_item"} if tag == "inputDataItem" else attrs, text)
                for tag, attrs, text in shape(loop_of(original, "Task_10"))]
    assert shape(loop_of(stored, "Task_10")) == expected
    assert ("inputDataItem", {"id": "InputItem_Task_10_opd", "name": "opd_item"}, "") in expected
    assert shape(loop_of(stored, "Call_OPD")) == shape(loop_of(original, "Call_OPD"))

    page.click("[data-testid=undo]")
    assert page.input_value("[data-testid=mi-input-item]") == "opd"
    wait_saved_after(page, revision)
    stored = stored_draft(live_server, draft_id).bpmn_xml
    assert shape(loop_of(stored, "Task_10")) == shape(loop_of(original, "Task_10"))
    assert server_problems(live_server, draft_id) == []
    watch.assert_clean()


def test_a_bad_element_variable_is_not_stored(people, live_server):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    select_element(page, "Call_OPD")
    page.fill("[data-testid=mi-input-item]", "opd baru")
    entry = page.locator("[data-entry-id=alur-mi-input-item]")
    error = entry.locator(".bio-properties-panel-error")
    expect(error).to_have_text(words("Use letters, digits and _ only, not starting with a digit."))
    page.fill("[data-testid=mi-input-item]", "lambda")
    expect(error).to_have_text(words("{name} is a reserved word: choose another name.",
                                     name="lambda"))
    page.wait_for_timeout(3500)  # longer than autosave waits
    assert page.locator("button[data-action=undo]").is_disabled()  # nothing was changed
    assert page.get_attribute(STATUS, "data-state") == "saved"
    watch.assert_clean()


def test_an_input_added_on_the_pool_of_laporan_opd(people, live_server, snap):
    draft_id = new_draft(live_server)
    original = stored_draft(live_server, draft_id).bpmn_xml
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    before = saved_revision(page)

    select_pool(page, "Participant_Periode", "periode_pelaporan")
    assert field_values(page, "process-input-name") == ["opd_peserta", "akhir_periode"]
    used = page.locator("[data-testid=process-input-remove][data-name=opd_peserta]")
    assert used.is_disabled()  # Call_OPD's collection
    assert "Laporan per OPD" in page.locator("[data-entry-id=alur-io-inputs]").inner_text()

    select_pool(page, "Participant_OPD", "laporan_opd")
    group = page.locator(f"{PANEL} [data-group-id='group-alur-io']")
    assert words("Process inputs and outputs") in group.inner_text()
    assert field_values(page, "process-input-name") == ["opd", "akhir_periode"]
    assert field_values(page, "process-output-name") == ["laporan"]

    page.fill("[data-testid=process-input-new]", "2tahun")
    page.click("[data-testid=process-input-add]")
    assert page.locator("#alur-io-new-input-error").is_visible()
    assert page.get_attribute("[data-testid=process-input-new]", "aria-invalid") == "true"
    page.fill("[data-testid=process-input-new]", "akhir_periode")
    page.click("[data-testid=process-input-add]")
    assert page.inner_text("#alur-io-new-input-error") == words(
        "{name} is already in this list.", name="akhir_periode")
    page.fill("[data-testid=process-input-new]", "tahun_anggaran")
    page.click("[data-testid=process-input-add]")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=process-input-name]').length === 3")
    assert field_values(page, "process-input-name") == ["opd", "akhir_periode", "tahun_anggaran"]
    assert page.input_value("[data-testid=process-input-new]") == ""
    snap(page, "laporan-opd-inputs")
    wait_saved_after(page, before)

    stored = stored_draft(live_server, draft_id).bpmn_xml
    spec = io_spec(stored, "laporan_opd")
    inputs = {item.get("name"): item.get("id") for item in spec.findall(f"{BPMN}dataInput")}
    assert list(inputs) == ["opd", "akhir_periode", "tahun_anggaran"]
    refs = [ref.text for ref in spec.find(f"{BPMN}inputSet").findall(f"{BPMN}dataInputRefs")]
    assert refs == list(inputs.values())
    assert inputs["opd"] == "DataInput_laporan_opd_opd"  # ids kept
    assert shape(io_spec(stored, "periode_pelaporan")) == \
        shape(io_spec(original, "periode_pelaporan"))
    assert server_problems(live_server, draft_id) == []

    select_element(page, "Call_OPD")
    mapping = page.locator("[data-testid=call-data]").inner_text()
    assert "tahun_anggaran" in mapping
    assert words("one item of {collection} per instance", collection="opd_peserta") in mapping
    assert words("collected into {collection}", collection="laporan_periode") in mapping
    page.click("[data-testid=call-open-process]")
    page.wait_for_function(
        "() => (document.querySelector('#bio-properties-panel-processId') || {}).value"
        " === 'laporan_opd'")
    watch.assert_clean()


def test_removing_an_output_and_undo(people, live_server):
    draft_id = new_draft(live_server)
    original = stored_draft(live_server, draft_id).bpmn_xml
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}")
    before = saved_revision(page)
    select_pool(page, "Participant_OPD", "laporan_opd")
    page.click("[data-testid=process-output-remove][data-name=laporan]")
    page.locator("[data-entry-id=alur-io-outputs] .alur-io-empty").wait_for()
    revision = wait_saved_after(page, before)
    spec = io_spec(stored_draft(live_server, draft_id).bpmn_xml, "laporan_opd")
    assert spec.findall(f"{BPMN}dataOutput") == []
    assert spec.find(f"{BPMN}outputSet").findall(f"{BPMN}dataOutputRefs") == []

    page.click("[data-testid=undo]")  # one step: the output and its outputSet ref
    assert field_values(page, "process-output-name") == ["laporan"]
    wait_saved_after(page, revision)
    stored = stored_draft(live_server, draft_id).bpmn_xml
    assert shape(io_spec(stored, "laporan_opd")) == shape(io_spec(original, "laporan_opd"))
    watch.assert_clean()


def test_phone_width_and_read_only_version(people, live_server, snap):
    draft_id = new_draft(live_server)
    page, watch = open_editor(people, live_server, f"/pemodel/draf/{draft_id}", viewport=PHONE)
    sideways = "document.documentElement.scrollWidth - window.innerWidth"
    page.click("[data-testid=panel-toggle]")
    page.locator(PANEL).wait_for(state="visible")
    select_element(page, "Task_10")
    page.locator("[data-testid=mi-input-item]").scroll_into_view_if_needed()
    assert page.evaluate(sideways) <= 0
    select_pool(page, "Participant_OPD", "laporan_opd")
    page.locator("[data-testid=process-input-add]").scroll_into_view_if_needed()
    assert page.evaluate(sideways) <= 0
    snap(page, "phone-process-inputs")
    watch.assert_clean()

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/pemodel/versi/{sop_version_id(live_server)}")
    page.wait_for_selector("[data-testid=modeler].is-ready")
    select_element(page, "Task_10")
    assert page.locator("[data-testid=mi-input-collection]").is_disabled()
    assert page.get_attribute("[data-testid=mi-input-item]", "readonly") is not None
    select_pool(page, "Participant_OPD", "laporan_opd")
    assert page.locator("[data-testid=process-input-new]").count() == 0
    assert page.locator("[data-testid=process-input-remove]").count() == 0
    watch.assert_clean()

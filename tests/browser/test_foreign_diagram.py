"""A diagram drawn in Camunda Modeler, without any of Alur Kinerja's properties, uploaded
from the definitions page the way a process owner does it: it becomes a draft that opens
in the editor, and the lint says, on each element, what to add (a form, the SOP step, the
Waktu, a role for the unknown lane) and that its JUEL condition is not our language;
Deploy stays disabled. Completing and deploying it is tested on the services
(tests/engine/services/test_foreign_diagrams.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import requires_chromium
from tests.browser.test_modeler_editor import READY, EditorWatch

pytestmark = [pytest.mark.browser, requires_chromium]

CAMUNDA = Path(__file__).resolve().parents[1] / "fixtures" / "foreign" / "camunda-modeler.bpmn"
EXPECTED = {
    ("alur/expression-grammar", "Flow_Ya"),
    ("alur/lane-role", "Lane_Staf"),
    ("alur/user-task-form", "Task_Periksa"),
    ("alur/sop-step-present", "Task_Periksa"),
    ("alur/waktu-positive", "Task_Periksa"),
    ("alur/user-task-form", "Task_Setujui"),
}


def test_a_camunda_diagram_uploads_opens_and_says_what_to_add(people, live_server, snap):
    page = people.page("pemilik")
    watch = EditorWatch(page)
    page.goto(f"{live_server.url}/pemodel/")
    page.set_input_files("[data-testid=upload-form] input[name=bpmn]", str(CAMUNDA))
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector(READY)
    assert "/pemodel/draf/" in page.url
    page.wait_for_selector("[data-testid=problems-list] [data-rule]")

    found = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=problems-list] [data-rule]')].map(
        (item) => [item.dataset.rule, item.dataset.elementId, item.textContent.trim()])""")
    pairs = {(rule, element) for rule, element, _ in found}
    assert EXPECTED <= pairs, sorted(pairs)
    juel = next(text for rule, element, text in found if element == "Flow_Ya")
    assert "JUEL" in juel or "${" in juel, juel
    assert all(text for _, _, text in found)
    assert page.locator("[data-testid=deploy]").is_disabled()
    # each problem is also shown on its element on the canvas
    for element in ("Flow_Ya", "Task_Periksa", "Lane_Staf"):
        assert page.locator(f'.djs-overlays[data-container-id="{element}"] .bjsl-overlay'
                            ).count() == 1, element
    snap(page, "foreign-lint")
    watch.assert_clean()

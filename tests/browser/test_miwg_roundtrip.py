"""The OMG BPMN interchange models (../shared/conformance/miwg-reference) in the real editor:
each opens in the browser modeler, a move of every shape (layout only) is saved back to
the draft, and the saved diagram holds the same semantic elements, the same ids with the
same types, as the file that was uploaded. No console errors, no CSP violations.

Whether the engine can run them is another question, answered at deploy
(tests/engine/bpmn/test_miwg_deploy.py): most are not executable and are refused there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.db import unit_of_work
from engine.services import processdrafts
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.support import user

pytestmark = pytest.mark.browser

MIWG = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "miwg-reference"
MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
MODELS = sorted(path.name for path in MIWG.glob("*.bpmn")) if MIWG.is_dir() else []
NOW_ISO = "2026-11-26T08:00:00+00:00"


def semantic_elements(xml: bytes) -> set[tuple[str, str]]:
    """(type, id) of every BPMN model element with an id: the diagram's meaning, without
    its drawing (bpmndi) or anything a tool may reorder."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml, parser=parser)
    return {(etree.QName(node).localname, node.get("id"))
            for node in root.iter(f"{{{MODEL_NS}}}*") if node.get("id")}


def flow_nodes(xml: bytes) -> list[str]:
    """Tasks, events and gateways that have a shape: moving one is always allowed."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    kinds = ("Task", "task", "Event", "Gateway")
    by_id = {node.get("id"): node for node in root.iter(f"{{{MODEL_NS}}}*") if node.get("id")}
    found = []
    for shape in root.iter(f"{{{DI_NS}}}BPMNShape"):
        element = by_id.get(shape.get("bpmnElement"))
        if element is not None and etree.QName(element).localname.endswith(kinds):
            found.append(element.get("id"))
    return found


def new_draft(live_server, name: str) -> int:
    from datetime import datetime

    with unit_of_work(live_server.session_factory) as session:
        draft = processdrafts.create_from_upload(
            session, user(session, "pemilik"), filename=name,
            data=(MIWG / name).read_bytes(), forms={}, now=datetime.fromisoformat(NOW_ISO))
        session.commit()
        return draft.id


def saved_xml(live_server, draft_id: int) -> tuple[int, bytes]:
    with unit_of_work(live_server.session_factory) as session:
        draft = processdrafts.get_draft(session, user(session, "pemilik"), draft_id)
        return draft.revision, draft.bpmn_xml.encode("utf-8")


@pytest.mark.skipif(not MODELS, reason=f"{MIWG} is absent: the MIWG models come with ../shared")
@requires_chromium
@pytest.mark.parametrize("name", MODELS)
def test_miwg_model_opens_and_saves_back_with_the_same_elements(live_server, people, name):
    draft_id = new_draft(live_server, name)
    page = people.page("pemilik")
    watch = Watch(page)
    page.goto(f"{live_server.url}/pemodel/draf/{draft_id}")
    page.wait_for_selector("[data-testid=modeler-canvas] .djs-element.djs-shape")
    page.wait_for_selector("[data-testid=save-status]:not([data-state=loading])")

    # one flow node moved a little: a change of layout only, which the editor must save
    node = page.evaluate(  # the first of them drawn on the diagram shown
        """(ids) => ids.find((id) => document.querySelector(
             `.djs-element[data-element-id="${CSS.escape(id)}"] .djs-hit`))""",
        flow_nodes((MIWG / name).read_bytes()))
    assert node, "no task, event or gateway is drawn"
    page.locator(f'.djs-element[data-element-id="{node}"] .djs-hit').first.dispatch_event("click")
    page.locator("[data-testid=modeler-canvas] .djs-container > svg").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+s")
    page.wait_for_selector("[data-testid=save-status][data-state=saved][data-revision='2']",
                           timeout=15_000)

    revision, after = saved_xml(live_server, draft_id)
    assert revision == 2
    before = (MIWG / name).read_bytes()
    assert after != before, "the move was not saved"
    lost = semantic_elements(before) - semantic_elements(after)
    added = semantic_elements(after) - semantic_elements(before)
    assert (lost, added) == (set(), set())
    watch.assert_clean()

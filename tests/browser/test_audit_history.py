"""The auditor's history page in Chromium: the run of tests/webapp/test_audit_history_page.py
(a revision at row 6, row 7 late, three OPDs at rows 10-11, one of them late) opened as
`auditor`.

Rows 1-5 carry badge "2×" on the diagram; the late row 7 is red with ⚠; the slider moved
to the revision event shows the revision notes in the data panel and, on the diagram,
exactly the tokens engine.services.replay.history_until reports for that event; at every
event the data panel shows as many changes and filled fields as history_until. ←/→ step
from anywhere but a form control, Home and End from inside the replay; choosing a step on
the diagram opens its passes; the timeline filters by OPD. At 360 px nothing scrolls
sideways. A run of 1,000 events jumps to event 500 in under 100 ms. No console errors,
no CSP violations, nothing axe-core calls serious.

Needs the built bundle in webapp/static/dist (`cd frontend && npm run build`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import Opd
from engine.services import comments, replay
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.conftest import T0
from tests.support import PLANNING, complete_all, open_tasks, run_rows, start_sop, user
from tests.webapp.test_audit_history_page import REVISION_NOTE, drive_audited_run

pytestmark = [pytest.mark.browser, requires_chromium]

READY = "[data-audit-diagram][data-diagram-state=ready]"
PHONE = {"width": 360, "height": 780}
BIG_RUN = 1000
JUMP_TO = 500
JUMP_BUDGET_MS = 100
JUMP = """(k) => {
  const slider = document.querySelector("[data-step-slider]");
  const started = performance.now();
  slider.value = String(k);
  slider.dispatchEvent(new Event("input", { bubbles: true }));
  void document.body.offsetHeight;  // layout included
  return performance.now() - started;
}"""


@pytest.fixture(scope="module")
def audited(live_server) -> int:
    uploads = Path(live_server.app.config["UPLOAD_DIR"])
    return drive_audited_run(live_server.session_factory, T0, upload_dir=uploads)


@pytest.fixture(scope="module")
def big_run(live_server) -> int:
    """A run of exactly BIG_RUN events: ten revisions of rows 1-6, then comments."""
    with unit_of_work(live_server.session_factory) as session:
        instance = start_sop(session, T0)
        for round_no in range(10):
            run_rows(session, instance.id, PLANNING[:5], T0)
            complete_all(session, instance.id, "Task_06", T0, keputusan_rencana="perbaiki",
                         catatan_perbaikan=f"Perbaikan ke-{round_no + 1}")
        task = open_tasks(session, instance.id)[0]
        tim = user(session, "tim1")
        for number in range(BIG_RUN - instance.event_count):
            comments.add_comment(session, tim, task.id, f"Catatan {number + 1}", T0)
        session.commit()
        assert instance.event_count == BIG_RUN
        return instance.id


def open_history(page, server, instance_id: int) -> dict:
    page.goto(f"{server.url}/audit/pelaksanaan/{instance_id}")
    page.wait_for_selector(READY)
    return json.loads(page.text_content("#history-data"))


def badge(page, element_id: str):
    return page.locator(f'[data-testid=diagram-badge][data-element-id="{element_id}"]')


def slider_step(page) -> int:
    return int(page.input_value("[data-step-slider]"))


def revision_seq(data: dict) -> int:
    return next(event["seq"] for event in data["events"]
                if event["type"] == "task_completed" and event["element_id"] == "Task_06"
                and any(change["key"] == "catatan_perbaikan" and change["after"] == REVISION_NOTE
                        for change in event["changes"]))


def active_elements(page) -> set[str]:
    return set(page.eval_on_selector_all(
        "[data-diagram-canvas] .djs-element.audit-active",
        "nodes => nodes.map((node) => node.getAttribute('data-element-id'))"))


def state_until(server, instance_id: int, k: int) -> dict:
    with unit_of_work(server.session_factory) as session:
        return replay.history_until(session, user(session, "auditor"), instance_id, k,
                                    datetime.now(UTC))


def tokens_until(server, instance_id: int, k: int) -> set[str]:
    return {token["element_id"] for token in state_until(server, instance_id, k)["tokens"]}


def filled(values: dict) -> int:
    return sum(1 for value in values.values() if value not in (None, "", []))


PANEL_COUNTS = """() => {
  const sections = document.querySelectorAll("[data-testid=data-now] details");
  const shown = (section) => section.querySelectorAll(":scope > dl > .audit-value").length;
  return {
    changes: document.querySelectorAll("[data-testid=data-change]").length,
    process: shown(sections[0]),
    opds: Array.from(sections).slice(1).map(shown),
  };
}"""


def test_badges_and_the_late_step(live_server, people, audited, snap):
    page = people.page("auditor")
    watch = Watch(page)
    data = open_history(page, live_server, audited)
    for row in range(1, 6):
        assert badge(page, f"Task_0{row}").locator(".audit-badge-count").inner_text() == "2×"
    late = badge(page, "Task_07")
    assert "audit-badge-late" in late.get_attribute("class") and "⚠" in late.inner_text()
    assert "audit-badge-late" not in badge(page, "Task_08").get_attribute("class")
    red = page.eval_on_selector("[data-testid=diagram-badge].audit-badge-late",
                                "node => getComputedStyle(node).backgroundColor")
    assert red == "rgb(180, 35, 24)"  # --c-danger
    assert "audit-badge-late" in badge(page, "Task_11").get_attribute("class")  # one OPD
    red_lines = page.locator("[data-testid=timeline-line].audit-late")
    late_seqs = [int(seq) for seq in red_lines.evaluate_all("ns => ns.map((n) => n.dataset.seq)")]
    assert late_seqs == [event["seq"] for event in data["events"] if event["late"]]
    texts = red_lines.all_inner_texts()
    assert "7. " in texts[0]  # row 7's late completion
    assert "11. " in texts[1] and "Dinas Kesehatan" in texts[1]
    snap(page, "history")
    watch.assert_clean()


def test_the_slider_replays_the_revision(live_server, people, audited, snap):
    page = people.page("auditor")
    watch = Watch(page)
    data = open_history(page, live_server, audited)
    n, seq = data["event_count"], revision_seq(data)
    assert slider_step(page) == n
    page.click(f'[data-goto="{seq}"]')
    assert slider_step(page) == seq
    words = page.get_attribute("[data-step-slider]", "aria-valuetext")
    assert re.search(rf"\b{seq}\b.*\b{n}\b", words) and "Tugas diselesaikan" in words
    assert REVISION_NOTE in page.inner_text("[data-testid=data-changes]")
    assert "Kembalikan untuk perbaikan" in page.inner_text("[data-testid=data-changes]")
    line = page.locator(f"#peristiwa-{seq}")
    assert "audit-current" in line.get_attribute("class")
    assert line.get_attribute("aria-current") == "step"
    assert active_elements(page) == tokens_until(live_server, audited, seq)
    page.wait_for_function("(seq) => document.querySelector('[data-step-live]')"
                           ".textContent.includes(String(seq))", arg=seq)
    snap(page, "revision")

    page.locator("#stepper-title").click()  # focus outside any form control
    page.keyboard.press("ArrowLeft")
    assert slider_step(page) == seq - 1
    assert active_elements(page) == tokens_until(live_server, audited, seq - 1)
    page.keyboard.press("ArrowRight")
    assert slider_step(page) == seq
    page.keyboard.press("Home")  # outside the replay, Home scrolls the page
    assert slider_step(page) == seq
    page.focus("[data-testid=step-prev]")
    page.keyboard.press("Home")
    assert slider_step(page) == 1
    page.keyboard.press("End")
    assert slider_step(page) == n
    page.focus("[data-step-slider]")  # the slider's own keys
    page.keyboard.press("ArrowLeft")
    assert slider_step(page) == n - 1
    page.click("[data-testid=step-next]")
    assert slider_step(page) == n
    watch.assert_clean()


def test_every_step_shows_the_data_the_service_reports(live_server, people, audited):
    """At each event: as many changes as history_until lists, and as many filled fields
    of the run's and of each OPD's data (computed in the page, not asked for)."""
    page = people.page("auditor")
    data = open_history(page, live_server, audited)
    with unit_of_work(live_server.session_factory) as session:
        names = dict(session.execute(select(Opd.code, Opd.name)).all())
    for k in range(1, data["event_count"] + 1):
        page.evaluate(JUMP, k)
        state = state_until(live_server, audited, k)
        opds = state["data"]["opd"]
        assert page.evaluate(PANEL_COUNTS) == {
            "changes": len(state["changes"]),
            "process": filled(state["data"]["process"]),
            "opds": [filled(opds[code]) for code in sorted(opds, key=names.get)],
        }, k


def test_a_step_on_the_diagram_opens_its_passes(live_server, people, audited):
    page = people.page("auditor")
    watch = Watch(page)
    open_history(page, live_server, audited)
    page.dispatch_event('[data-diagram-canvas] .djs-element[data-element-id="Task_07"]', "click")
    panel = page.locator("[data-testid=passes-panel]")
    assert panel.is_visible()
    assert "7." in panel.locator("h3").inner_text()
    assert "Terlambat" in panel.inner_text()
    panel.locator("[data-passes-close]").click()
    assert panel.is_hidden()
    watch.assert_clean()


def test_the_timeline_filters_by_opd(live_server, people, audited):
    page = people.page("auditor")
    watch = Watch(page)
    open_history(page, live_server, audited)
    page.select_option("[data-filter=opd]", "DINKES")
    shown = page.locator("[data-testid=timeline-line]:visible")
    assert shown.count() > 0
    assert set(shown.evaluate_all("nodes => nodes.map((n) => n.dataset.opd)")) == {"DINKES"}
    assert str(shown.count()) in page.inner_text("[data-filter-count]")
    page.select_option("[data-filter=opd]", "")
    watch.assert_clean()


def test_the_page_fits_360_px(live_server, people, audited, snap):
    page = people.page("auditor")
    page.set_viewport_size(PHONE)
    watch = Watch(page)
    open_history(page, live_server, audited)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.focus("[data-testid=step-prev]")
    page.keyboard.press("Home")
    assert slider_step(page) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    snap(page, "history-360")
    watch.assert_clean()


def test_jumping_in_a_long_run_is_instant(live_server, people, big_run):
    page = people.page("auditor")
    watch = Watch(page)
    data = open_history(page, live_server, big_run)
    assert data["event_count"] == BIG_RUN
    timings = []
    for start in (1, BIG_RUN, JUMP_TO // 2):
        page.evaluate(JUMP, start)
        timings.append(page.evaluate(JUMP, JUMP_TO))
    assert sorted(timings)[1] < JUMP_BUDGET_MS, timings
    assert slider_step(page) == JUMP_TO
    assert "audit-current" in page.get_attribute(f"#peristiwa-{JUMP_TO}", "class")
    watch.assert_clean()


def test_the_big_run_steps_back_to_every_revision(live_server, people, big_run):
    """The state at an event inside the revisions, after jumping from the far end (the
    snapshot the model starts from is not the one before)."""
    page = people.page("auditor")
    open_history(page, live_server, big_run)
    seen = []
    for k in (40, 95, 161, 178):
        page.evaluate(JUMP, BIG_RUN)
        page.evaluate(JUMP, k)
        expected = tokens_until(live_server, big_run, k)
        assert active_elements(page) == expected, k
        seen.extend(expected)
    assert seen, "no open task at any of the steps checked"


def test_from_the_history_to_the_heatmap_and_a_verified_bundle(live_server, people, audited,
                                                               tmp_path):
    """The issue's journey: the history page leads to its version's heatmap, and its button
    downloads the audit bundle, which the bundle's own verifier passes offline."""
    page = people.page("auditor")
    watch = Watch(page)
    open_history(page, live_server, audited)
    assert "Terverifikasi" in page.inner_text("[data-testid=verdict]")

    with page.expect_download() as download:
        page.click("[data-testid=bundle-link]")
    bundle = tmp_path / download.value.suggested_filename
    download.value.save_as(bundle)
    assert bundle.name.startswith("audit-") and bundle.suffix == ".zip"
    with zipfile.ZipFile(bundle) as archive:
        (tmp_path / "verify_bundle.py").write_bytes(archive.read("verify_bundle.py"))
    checked = subprocess.run([sys.executable, "-I", "verify_bundle.py", bundle.name],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300,
                             check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    page.click("[data-testid=heatmap-link]")
    page.wait_for_selector("[data-heatmap-root][data-heatmap-state=ready]")
    assert page.locator("[data-testid=heatmap-legend] li").count() == 6
    coloured = page.locator("[data-heatmap-root] .djs-element[class*='hm-']")
    assert coloured.count() > 10  # every user task of the version, coloured by its band
    watch.assert_clean()

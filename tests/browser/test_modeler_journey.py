"""A process owner's whole journey, in headless Chromium, as `pemilik`: from the definitions
page, a draft of version 1 of the SOP; row 6's Waktu 2 -> 3 in the editor; a lint error that
appears when row 6 loses its form and disappears when it gets it back (Deploy disabled
meanwhile); the draft survives a reload; a label of row 6's form changed in the form editor;
Deploy makes version 2, whose diff against version 1 lists exactly those two changes. A run
started before keeps version 1 and goes on to its end; a run started now is on version 2 and
its row 6 takes the new Waktu. No console errors, no CSP violations, no serious axe finding.

Needs the built bundle in webapp/static/dist (`npm run build` in frontend/).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import HumanTask, ProcessDraft, ProcessInstance
from engine.models.instances import STATUS_COMPLETED
from tests.browser.conftest import requires_chromium
from tests.browser.test_modeler_editor import (
    READY,
    EditorWatch,
    saved_revision,
    select_element,
    wait_saved_after,
)
from tests.browser.watch import assert_accessible
from tests.conftest import T0
from tests.job_support import run_jobs
from tests.support import PLANNING, complete_all, open_tasks, run_rows, start_sop

pytestmark = [pytest.mark.browser, requires_chromium]

WAKTU = "[data-testid=waktu-field]"
FORM_KEY = "[data-testid=form-key-select]"
DEPLOY = "[data-testid=deploy]"
ROW6_FORM = "persetujuan-rencana"
FIELD = "Field_catatan_perbaikan"
NEW_LABEL = "Catatan perbaikan dari Kepala UKPBJ"
LATER = T0 + timedelta(days=40)  # past the sample period's end (31 January 2026)
LAST_DECISION = {"keputusan_periode": "c", "akhir_periode": None}


def lint_problem(element_id: str, rule: str) -> str:
    return (f'[data-testid=problems-list] [data-rule="{rule}"]'
            f'[data-element-id="{element_id}"]')


def deploy_enabled(page) -> bool:
    return page.evaluate(f"() => !document.querySelector('{DEPLOY}').disabled")


def change_field_label(page, base_url: str, draft_id: int) -> None:
    """In the form editor: the field selected, its label typed over, autosaved."""
    page.goto(f"{base_url}/pemodel/draf/{draft_id}/formulir/{ROW6_FORM}")
    page.wait_for_selector(f".fjs-form-container [data-id={FIELD}]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=save-status]').dataset.state === 'saved'")
    page.click(f".fjs-form-container [data-id={FIELD}]")
    header = page.locator(".bio-properties-panel-group-header", has_text="General")
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    page.click("#bio-properties-panel-label")
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_LABEL)
    page.wait_for_function(
        "() => ['dirty', 'saving'].includes("
        "document.querySelector('[data-testid=save-status]').dataset.state)")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=save-status]').dataset.state === 'saved'")


def run_version_1_to_its_end(factory, instance_id: int) -> None:
    """Rows 6-9, each OPD's rows 10-11, the period's end (row 12's timer), rows 12-17 with
    decision (c) and the final report: the run's own version all the way."""
    with unit_of_work(factory) as session:
        run_rows(session, instance_id, PLANNING[5:], T0)
        complete_all(session, instance_id, "Task_10", T0)
        complete_all(session, instance_id, "Task_11", T0)
        session.commit()
    assert run_jobs(factory, LATER) >= 1  # the run's timer job: row 12 opens for each OPD
    with unit_of_work(factory) as session:
        for element_id in ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16"):
            complete_all(session, instance_id, element_id, LATER)
        complete_all(session, instance_id, "Task_17", LATER, **LAST_DECISION)
        complete_all(session, instance_id, "Task_17c", LATER)
        session.commit()


def edit_row_6(page) -> None:
    """Waktu 2 -> 3; the form taken away (a lint error, no Deploy) and given back."""
    select_element(page, "Task_06")
    assert page.input_value(WAKTU) == "2"
    revision = saved_revision(page)
    page.fill(WAKTU, "3")
    revision = wait_saved_after(page, revision)

    page.select_option(FORM_KEY, "")
    page.wait_for_selector(lint_problem("Task_06", "alur/user-task-form"))
    assert not deploy_enabled(page)
    page.select_option(FORM_KEY, ROW6_FORM)
    page.wait_for_selector(lint_problem("Task_06", "alur/user-task-form"), state="detached")
    page.wait_for_function(f"() => !document.querySelector('{DEPLOY}').disabled")
    wait_saved_after(page, revision)

    page.reload()  # what was typed is on the server
    page.wait_for_selector(READY)
    select_element(page, "Task_06")
    assert page.input_value(WAKTU) == "3"
    assert page.input_value(FORM_KEY) == ROW6_FORM


def deploy_and_compare(page, base_url: str, draft_id: int) -> list[str]:
    """Deploy from the editor, follow the link to the diff; the changes it lists."""
    page.goto(f"{base_url}/pemodel/draf/{draft_id}")
    page.wait_for_selector(READY)
    page.wait_for_function(f"() => !document.querySelector('{DEPLOY}').disabled")
    page.click(DEPLOY)
    page.locator("[data-testid=deploy-result].alur-result-ok").wait_for(timeout=30_000)
    page.click("[data-testid=deploy-diff-link]")
    page.wait_for_selector("[data-diff-root][data-diff-state=ready]")
    assert_accessible(page)
    return page.locator("[data-testid=diff-change-text]").all_inner_texts()


def start_on_version_2(factory) -> None:
    with unit_of_work(factory) as session:
        second = start_sop(session, T0)
        run_rows(session, second.id, PLANNING[:6], T0)
        session.commit()
        assert second.version.version == 2
        assert row6_due(session, second.id) == date(2026, 1, 8)  # Monday 5 + 3 working days


def row6_due(session, instance_id: int) -> date:
    return session.scalars(select(HumanTask.due_on).where(
        HumanTask.instance_id == instance_id, HumanTask.element_id == "Task_06")).one()


def test_owner_changes_the_sop_deploys_and_both_versions_run(people, live_server, snap):
    factory = live_server.session_factory
    with unit_of_work(factory) as session:  # a run on version 1, waiting at row 6
        first = start_sop(session, T0).id
        run_rows(session, first, PLANNING[:5], T0)
        session.commit()

    page = people.page("pemilik")
    watch = EditorWatch(page)
    page.goto(f"{live_server.url}/pemodel/")
    assert_accessible(page)
    page.click("[data-testid=version-row][data-version='1'] [data-testid=start-draft]")
    page.wait_for_selector(READY)
    draft_id = int(re.search(r"/pemodel/draf/(\d+)", page.url).group(1))
    edit_row_6(page)
    change_field_label(page, live_server.url, draft_id)
    texts = deploy_and_compare(page, live_server.url, draft_id)
    snap(page, "diff")
    assert len(texts) == 2, texts
    assert any("Langkah 6" in text and "2 → 3" in text for text in texts), texts
    assert any(NEW_LABEL in text and ROW6_FORM in text for text in texts), texts
    watch.assert_clean()
    with unit_of_work(factory) as session:
        assert session.get(ProcessDraft, draft_id).deployed_version.version == 2

    start_on_version_2(factory)  # a run started now is on version 2
    run_version_1_to_its_end(factory, first)  # the one started before keeps version 1
    with unit_of_work(factory) as session:
        run = session.get(ProcessInstance, first)
        assert (run.version.version, run.status) == (1, STATUS_COMPLETED)
        assert open_tasks(session, first) == []
        assert row6_due(session, first) == date(2026, 1, 7)  # version 1's 2 working days

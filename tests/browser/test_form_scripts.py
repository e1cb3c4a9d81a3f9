"""The form scripts (frontend/src/forms/, frontend/src/filters/) in a real browser.

Row 6 (persetujuan-rencana) hides "Catatan perbaikan" unless the plan is sent back, and its
input is disabled while hidden; row 1 (perencanaan-tujuan) adds, removes and renumbers rows of
its dynamic list, and the server closes the gap a removed row leaves (a half-filled row comes
back with its message beside the field, linked from above the form); the inbox's filters send
themselves on change. Each page loads only its own bundle, with no console error and nothing
the Content-Security-Policy refuses.

Needs the built bundles in webapp/static/dist (`make setup` runs npm ci and the build).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.db import read_only, unit_of_work
from engine.models import HumanTask
from tests.browser.conftest import requires_chromium
from tests.browser.watch import Watch
from tests.support import PLANNING, SOP_KEY, open_tasks, start_committed

pytestmark = [pytest.mark.browser, requires_chromium]

# Every page also loads the shared dist/page.js (base.html); these are the page's own bundles.
SCRIPTS = ("Array.from(document.scripts, (s) => new URL(s.src, location.href).pathname)"
           ".filter((path) => path !== '/static/dist/page.js')")


class BundleWatch(Watch):
    def open(self, url: str, *bundles: str) -> None:
        """Open a page and check it loads exactly the bundles it needs."""
        self.page.goto(url)
        assert sorted(self.page.evaluate(SCRIPTS)) == [f"/static/dist/{b}" for b in bundles]


@pytest.fixture()
def now():
    return datetime.now(UTC)


def open_task_at(server, now, *completed: str) -> int:
    """Start a run as Tim, complete the given steps; the id of the one task open next."""
    instance_id = start_committed(server.session_factory, now, completed)
    with read_only(server.session_factory) as session:
        (task,) = open_tasks(session, instance_id)
        return task.id


def row_numbers(dynlist) -> list[str]:
    return dynlist.locator("[data-rows] > [data-row] [data-row-number]").all_inner_texts()


def kode_names(dynlist) -> list[str]:
    return [field.get_attribute("name")
            for field in dynlist.locator("[data-rows] input[name$='[kode]']").all()]


def test_a_hidden_field_is_shown_and_its_input_enabled_by_the_answer(live_server, people, now):
    task_id = open_task_at(live_server, now, *PLANNING[:5])
    kepala = people.page("kepala")
    watch = BundleWatch(kepala)
    watch.open(f"{live_server.url}/tasks/{task_id}", "forms.js", "task.js")
    field = kepala.locator("[data-field=catatan_perbaikan]")
    note = kepala.locator("[name=catatan_perbaikan]")

    assert field.is_hidden() and note.is_disabled()
    kepala.check("[name=keputusan_rencana][value=perbaiki]")
    assert field.is_visible() and note.is_enabled()
    note.fill("Perbaiki target.")
    kepala.check("[name=keputusan_rencana][value=setujui]")
    assert field.is_hidden() and note.is_disabled()  # a disabled input is not sent
    kepala.check("[name=keputusan_rencana][value=perbaiki]")
    assert note.is_enabled() and note.input_value() == "Perbaiki target."
    watch.assert_clean()


def test_list_rows_are_added_removed_and_renumbered(live_server, people, now):
    task_id = open_task_at(live_server, now)
    tim = people.page("tim1")
    watch = BundleWatch(tim)
    watch.open(f"{live_server.url}/tasks/{task_id}", "forms.js", "task.js")
    dynlist = tim.locator("[data-dynlist][data-field=area_strategis]")
    add = dynlist.locator("[data-add-row]")

    assert row_numbers(dynlist) == ["1"]
    add.click()
    add.click()
    assert row_numbers(dynlist) == ["1", "2", "3"]
    assert kode_names(dynlist) == [f"area_strategis[{n}][kode]" for n in range(3)]
    assert tim.evaluate("document.activeElement.name") == "area_strategis[2][kode]"
    assert "__ROW" not in dynlist.locator("[data-rows]").inner_html()

    dynlist.locator("[data-rows] > [data-row]").nth(1).locator("[data-remove-row]").click()
    assert row_numbers(dynlist) == ["1", "2"]
    assert kode_names(dynlist) == ["area_strategis[0][kode]", "area_strategis[2][kode]"]
    assert tim.evaluate("document.activeElement.hasAttribute('data-add-row')")
    add.click()
    assert row_numbers(dynlist) == ["1", "2", "3"]
    assert kode_names(dynlist)[-1] == "area_strategis[3][kode]"  # numbers are never reused

    send_rows(tim, ("AS1", "AS3", "AS4"))
    with unit_of_work(live_server.session_factory) as session:
        rows = session.get(HumanTask, task_id).data["area_strategis"]
    assert [row["kode"] for row in rows] == ["AS1", "AS3", "AS4"]
    watch.assert_clean()


def test_a_half_filled_row_comes_back_with_its_message_and_what_was_typed(
        live_server, people, now):
    task_id = open_task_at(live_server, now)
    tim = people.page("tim1")
    watch = BundleWatch(tim)
    watch.open(f"{live_server.url}/tasks/{task_id}", "forms.js", "task.js")
    dynlist = tim.locator("[data-dynlist][data-field=area_strategis]")
    tim.fill("[name=tujuan_pbj]", "Pengadaan yang efisien")
    tim.fill("[name='area_strategis[0][kode]']", "AS1")
    tim.fill("[name='area_strategis[0][nama]']", "Efisiensi")
    dynlist.locator("[data-add-row]").click()
    tim.fill("[name='area_strategis[1][kode]']", "AS2")  # its name left empty
    dynlist.locator("[data-add-row]").click()  # a third row left wholly empty: dropped
    tim.click("[data-testid=submit]")
    tim.wait_for_load_state("load")
    assert tim.inner_text("[data-testid=task-name]").startswith("1. ")
    assert row_numbers(dynlist) == ["1", "2"]
    assert tim.input_value("[name='area_strategis[1][kode]']") == "AS2"
    second = dynlist.locator("[data-rows] > [data-row]").nth(1)
    assert second.locator("#f-area_strategis-1-nama-error").count() == 1
    assert tim.get_attribute("#f-area_strategis-1-nama", "aria-invalid") == "true"
    link = tim.locator("[data-testid=row-errors] a[href='#f-area_strategis-1-nama']")
    assert link.count() == 1
    # the page script links the other fields' problems, never the row's a second time
    summary = tim.locator("[data-error-summary] a[href='#f-area_strategis-1-nama']")
    assert summary.count() == 1
    with unit_of_work(live_server.session_factory) as session:
        assert session.get(HumanTask, task_id).state == "open"
    # the refused form is a 400 page, which Chromium reports in the console: nothing else
    assert watch.problems == ["console error: Failed to load resource: the server "
                              "responded with a status of 400 (BAD REQUEST)"]
    watch.problems.clear()
    watch.assert_clean()


def send_rows(page, codes: tuple[str, ...]) -> None:
    page.fill("[name=tujuan_pbj]", "Pengadaan yang efisien")
    for field, code in zip(page.locator("[data-rows] input[name$='[kode]']").all(), codes,
                           strict=True):
        field.fill(code)
    for field in page.locator("[data-rows] input[name$='[nama]']").all():
        field.fill("Area")
    page.click("[data-testid=submit]")
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=form-errors]").count() == 0, page.inner_text("main")
    assert page.inner_text("[data-testid=task-name]").startswith("2. ")


def test_an_inbox_filter_sends_itself_on_change(live_server, people, now):
    open_task_at(live_server, now)
    tim = people.page("tim1")
    watch = BundleWatch(tim)
    watch.open(f"{live_server.url}/?tab=group", "filters.js")
    with tim.expect_navigation():
        tim.select_option("select[name=step]", "1")
    assert "step=1" in tim.url and "tab=group" in tim.url
    assert tim.input_value("select[name=step]") == "1"
    with tim.expect_navigation():
        tim.select_option("select[name=sort]", "-created_at")
    assert "step=1" in tim.url and "sort=-created_at" in tim.url
    watch.assert_clean()


def test_the_start_page_loads_the_form_bundle(live_server, people):
    tim = people.page("tim1")
    watch = BundleWatch(tim)
    watch.open(f"{live_server.url}/instances/new?definition={SOP_KEY}", "forms.js")
    assert tim.locator("[data-testid=start-form] [data-scope]").count() == 1
    watch.assert_clean()

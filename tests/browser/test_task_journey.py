"""A new user's journey in Chromium: what is typed into row 2's form survives an upload, a
comment and a reload (a draft on the server, for that person only) and is gone once the
task is sent; Kirim says what happens next; row 6's approval asks in a dialog first; the
inbox and the task page fit 360 px without sideways scrolling, axe-core clean."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.models.drafts import TaskDraft
from tests.browser.conftest import requires_chromium
from tests.browser.test_inbox_flow import fill
from tests.browser.watch import Watch
from tests.support import ANSWERS, open_tasks, start_committed

pytestmark = [pytest.mark.browser, requires_chromium]

KODE, NAMA = "IKU-77", "Indikator yang sedang diketik"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture()
def now():
    return datetime.now(UTC)


def task_id_of(server, instance_id: int, element_id: str) -> int:
    with unit_of_work(server.session_factory) as session:
        return open_tasks(session, instance_id, element_id)[0].id


def draft_count(server) -> int:
    with unit_of_work(server.session_factory) as session:
        return session.scalar(select(func.count()).select_from(TaskDraft))


def typed_values(page) -> tuple[str, str]:
    return (page.input_value("[name='indikator[0][kode]']"),
            page.input_value("[name='indikator[0][nama]']"))


def test_typed_values_survive_upload_comment_and_reload(live_server, people, snap, now,
                                                        tmp_path):
    instance_id = start_committed(live_server.session_factory, now, ["Task_01"])
    row2 = task_id_of(live_server, instance_id, "Task_02")
    url = f"{live_server.url}/tasks/{row2}"
    tim = people.page("tim1")
    watch = Watch(tim)
    tim.goto(url)
    tim.fill("[name='indikator[0][kode]']", KODE)
    tim.fill("[name='indikator[0][nama]']", NAMA)
    document = tmp_path / "notulen.pdf"
    document.write_bytes(PDF)
    tim.set_input_files("#upload-file", str(document))
    with tim.expect_navigation():
        tim.click("[data-testid=upload]")
    assert "notulen.pdf" in tim.inner_text("#bukti-dukung")
    assert typed_values(tim) == (KODE, NAMA)
    tim.fill("#comment-body", "Apakah IKU-77 perlu?")
    with tim.expect_navigation():
        tim.click("[data-testid=add-comment]")
    assert "Apakah IKU-77 perlu?" in tim.inner_text("[data-testid=comments]")
    assert typed_values(tim) == (KODE, NAMA)
    tim.reload()
    assert typed_values(tim) == (KODE, NAMA)
    assert tim.locator("[data-testid=draft-restored]").is_visible()
    snap(tim, "draft-restored")
    watch.assert_clean()

    colleague = people.page("tim2")
    colleague.goto(url)
    assert typed_values(colleague) != (KODE, NAMA)
    assert colleague.locator("[data-testid=draft-restored]").count() == 0

    tim.goto(url)
    rows = tim.locator("[data-dynlist] [data-rows] > [data-row]")
    while rows.count() > 1:
        rows.last.locator("[data-remove-row]").click()
    fill(tim, ANSWERS["perencanaan-indikator"])
    with tim.expect_navigation():
        tim.click("[data-testid=submit]")
    flash = tim.inner_text("[data-testid=flash]")
    assert "Tim Pengelolaan Kelembagaan UKPBJ" in flash and "3" in flash  # who acts next
    assert draft_count(live_server) == 0


def test_approval_asks_in_a_dialog_first(live_server, people, snap, now):
    instance_id = start_committed(live_server.session_factory, now,
                                  [f"Task_0{n}" for n in range(1, 6)])
    row6 = task_id_of(live_server, instance_id, "Task_06")
    kepala = people.page("kepala")
    watch = Watch(kepala)
    kepala.goto(f"{live_server.url}/tasks/{row6}")
    kepala.check("[name=keputusan_rencana][value=setujui]")
    kepala.click("[data-testid=submit]")
    dialog = kepala.locator("[data-testid=confirm-dialog]")
    assert dialog.is_visible()
    assert "tidak dapat dibatalkan" in dialog.inner_text()
    snap(kepala, "confirm-dialog")
    dialog.locator("[data-confirm-no]").click()
    assert dialog.is_hidden() and kepala.url.endswith(f"/tasks/{row6}")
    assert task_id_of(live_server, instance_id, "Task_06") == row6  # not sent
    kepala.click("[data-testid=submit]")
    with kepala.expect_navigation():
        kepala.click("[data-testid=confirm-yes]")
    assert "Kepala UKPBJ" in kepala.inner_text("[data-testid=flash]")
    assert kepala.inner_text("[data-testid=task-name]").startswith("7. ")
    watch.assert_clean()


def test_inbox_and_task_page_fit_360_px(live_server, people, snap, now):
    instance_id = start_committed(live_server.session_factory, now, ["Task_01"])
    row2 = task_id_of(live_server, instance_id, "Task_02")
    tim = people.page("tim2")
    tim.set_viewport_size({"width": 360, "height": 780})
    watch = Watch(tim)
    for path in ("/?tab=group", f"/tasks/{row2}", "/?tab=mine"):
        tim.goto(f"{live_server.url}{path}")
        width = tim.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
        snap(tim, f"360-{path.strip('/?=') or 'task'}".replace("/", "-"))
    tim.goto(f"{live_server.url}/?tab=group")
    card = tim.locator("[data-testid=task-row]").first
    for part in ("[data-testid=task-due]", "[data-testid=claim]"):
        box = card.locator(part).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, part
    watch.assert_clean()

"""The auditor's history page (audit.history, GET /audit/pelaksanaan/<id>) over HTTP.

One run, driven once per database through the services and committed: row 6 sends the
plan back (rows 1-5 and 6 then run twice), row 7 is done late with a supporting document
and a comment, the three OPDs do rows 10 and 11. Every test reads it as a person signed in
through the real form: who may open the page (auditors, administrators, the Kepala UKPBJ)
and who gets the friendly 403 page, the 404 for a run that does not exist, the header,
the badge numbers in the page data, the timeline's labelled data and links, the per-OPD
table, and that no internal id or raw JSON is shown as text. A run whose log was edited
in the database shows where its chain breaks.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from engine.db import unit_of_work
from engine.models import Event
from engine.services import comments, documents, tasks
from tests.conftest import T0, isolated_database
from tests.support import (
    PLANNING,
    actor_for,
    answers,
    complete_all,
    make_factory,
    open_tasks,
    run_rows,
    start_sop,
    user,
)
from tests.webapp.conftest import SignIn
from webapp import create_app

REVISION_NOTE = "Target IKU-02 terlalu rendah; naikkan ke 5."
COMMENT = "Surat edaran menunggu tanda tangan Sekda."
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LATE_BY = timedelta(days=14)
LATE_OPD = "DINKES"
READERS = ("auditor", "admin", "kepala")
OTHERS = ("tim1", "pj.dinkes", "pemilik")
DATA_BLOCK = re.compile(r'<script type="application/json" id="history-data">(.*?)</script>', re.S)
SCRIPTS = re.compile(r"<script\b.*?</script>", re.S)


def drive_audited_run(factory, start: datetime, *, upload_dir=None) -> int:
    """A run with a revision at row 6, row 7 late (with a document and a comment), rows
    10-11 done by every OPD (LATE_OPD late at row 11); committed. Returns its id."""
    with unit_of_work(factory) as session:
        instance_id = start_sop(session, start).id
        run_rows(session, instance_id, PLANNING[:5], start)
        complete_all(session, instance_id, "Task_06", start + timedelta(hours=2),
                     keputusan_rencana="perbaiki", catatan_perbaikan=REVISION_NOTE)
        again = start + timedelta(days=1)
        run_rows(session, instance_id, PLANNING[:6], again)
        late = start + LATE_BY
        row7 = open_tasks(session, instance_id, "Task_07")[0]
        kepala = user(session, "kepala")
        if upload_dir is not None:
            documents.add_document(session, kepala, row7.id, "surat-edaran.pdf", io.BytesIO(PDF),
                                   late, storage_dir=upload_dir, max_bytes=1 << 20)
        comments.add_comment(session, kepala, row7.id, COMMENT, late)
        run_rows(session, instance_id, ["Task_07", "Task_08", "Task_09", "Task_10"], late)
        reports = sorted(open_tasks(session, instance_id, "Task_11"),
                         key=lambda task: task.opd.code == LATE_OPD)
        for task in reports:  # the late OPD last, so the log stays in time order
            when = late + (LATE_BY if task.opd.code == LATE_OPD else timedelta(0))
            tasks.complete_task(session, actor_for(session, task), task.id,
                                answers(task.form_key), when)
        session.commit()
    return instance_id


def tamper(factory, instance_id: int, seq: int) -> None:
    with unit_of_work(factory) as session:
        session.execute(update(Event).where(Event.instance_id == instance_id, Event.seq == seq)
                        .values(payload={"data": {"judul": "Diubah"}, "definition": "x",
                                         "version": 1}))
        session.commit()


@pytest.fixture(scope="module")
def site(database_url, tmp_path_factory):
    """The app on a database of its own with the audited run and a second run to tamper
    with: (app, audited run id, tampered run id)."""
    folder = tmp_path_factory.mktemp("audit-page")
    url = isolated_database(database_url, "audit_page", folder)
    factory = make_factory(url)
    uploads = folder / "uploads"
    audited = drive_audited_run(factory, T0, upload_dir=uploads)
    edited = drive_audited_run(factory, T0)
    tamper(factory, edited, 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALUR_SECRET_KEY", "audit-page-tests-only")
        app = create_app({"DATABASE_URL": url, "TESTING": True, "UPLOAD_DIR": str(uploads),
                          "NOW": T0 + LATE_BY + timedelta(days=1)})
    yield app, audited, edited
    app.extensions["alur"].engine.dispose()
    factory.kw["bind"].dispose()


def get_as(site, username: str | None, instance_id: int):
    app, _, _ = site
    client = app.test_client()
    if username:
        SignIn(client)(username)
    return client.get(f"/audit/pelaksanaan/{instance_id}")


def page_data(body: str) -> dict:
    match = DATA_BLOCK.search(body)
    assert match, "the page carries no history-data block"
    return json.loads(match.group(1))


def visible_text(body: str) -> str:
    """What a person reads: no scripts or JSON blocks, no tags, entities decoded."""
    text = re.sub(r"<[^>]+>", " ", SCRIPTS.sub(" ", body))
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.mark.parametrize("username", READERS)
def test_audit_readers_open_the_history(site, username):
    _, audited, _ = site
    response = get_as(site, username, audited)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    data = page_data(response.get_data(as_text=True))
    assert data["instance"]["id"] == audited
    assert data["event_count"] == len(data["events"]) > 0


@pytest.mark.parametrize("username", OTHERS)
def test_everyone_else_gets_the_403_page(site, username):
    _, audited, _ = site
    response = get_as(site, username, audited)
    body = response.get_data(as_text=True)
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "history-data" not in body and REVISION_NOTE not in body


def test_an_unknown_run_is_the_404_page(site):
    response = get_as(site, "auditor", 999_999)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "history-data" not in response.get_data(as_text=True)


def test_signing_in_comes_first(site):
    _, audited, _ = site
    response = get_as(site, None, audited)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_header_names_the_run_and_its_exact_version(site):
    _, audited, _ = site
    body = get_as(site, "auditor", audited).get_data(as_text=True)
    data = page_data(body)
    text = visible_text(body)
    run = data["instance"]
    assert run["registration_no"] in text and run["title"] in text
    assert f"{run['version']['definition_name']} · versi {run['version']['number']}" in text
    assert "Berjalan" in text  # the run's status, in Indonesian


def test_badges_count_every_pass(site):
    """Rows 1-6 ran twice (the revision), row 7 once and late, rows 10-11 once per OPD."""
    _, audited, _ = site
    body = get_as(site, "auditor", audited).get_data(as_text=True)
    activities = page_data(body)["activities"]
    assert [activities[f"Task_0{row}"]["passes"] for row in range(1, 7)] == [2] * 6
    assert activities["Task_07"]["passes"] == 1 and activities["Task_07"]["late_passes"] == 1
    assert activities["Task_10"]["passes"] == 3 and activities["Task_11"]["passes"] == 3
    assert activities["Task_11"]["late_passes"] == 1
    steps = re.findall(r'data-activity="([^"]+)"', body)
    assert steps[:7] == [f"Task_0{row}" for row in range(1, 8)]  # in SOP order
    late_step = re.search(r'<details class="audit-step audit-late" data-activity="Task_07"', body)
    assert late_step, "row 7's passes are not marked late"
    assert "Terlambat" in visible_text(body)


def test_the_timeline_reads_as_people_write(site):
    _, audited, _ = site
    body = get_as(site, "auditor", audited).get_data(as_text=True)
    data = page_data(body)
    text = visible_text(body)
    lines = re.findall(r'<li class="audit-line-item[^"]*" id="peristiwa-(\d+)"', body)
    assert [int(seq) for seq in lines] == list(range(1, data["event_count"] + 1))
    assert "Catatan perbaikan" in text and REVISION_NOTE in text  # the form's label
    assert "Kembalikan untuk perbaikan" in text  # the option's label, not "perbaiki"
    assert COMMENT in text
    document = next(doc for event in data["events"] for doc in event["documents"])
    assert f'href="/documents/{document["id"]}"' in body and "surat-edaran.pdf" in text
    assert "WIB" in text  # times in the deployment's zone
    for label in ("Lajur", "OPD", "Periode"):
        assert f'<label class="filter">{label}' in body


def test_the_opd_work_is_shown_per_period_and_opd(site):
    _, audited, _ = site
    body = get_as(site, "auditor", audited).get_data(as_text=True)
    section = body.split('data-testid="opd-work"', 1)[1].split("</section>", 1)[0]
    text = visible_text(section)
    for name in ("Dinas Kesehatan", "Dinas Pendidikan dan Kebudayaan",
                 "Dinas Pekerjaan Umum dan Penataan Ruang"):
        assert name in text
    assert "Perencanaan" in text and "Periode 1" in text
    assert "Langkah 10" in text and "Langkah 11" in text
    late_cells = re.findall(r'<div class="audit-opd-cell audit-late"[^>]*>(.*?)</div>', section,
                            re.S)
    assert len(late_cells) == 1 and "Terlambat" in visible_text(late_cells[0])
    period_1 = section.split(">Periode 1</h3>", 1)[1]
    late_row = period_1.split("Dinas Kesehatan", 1)[1].split("</tr>", 1)[0]
    assert "audit-opd-cell audit-late" in late_row


def test_no_internal_id_or_raw_json_is_shown(site):
    _, audited, _ = site
    body = get_as(site, "auditor", audited).get_data(as_text=True)
    text = visible_text(body)
    for leak in ("Task_0", "GW_", "StartEvent", "Call_", "task:", '"seq"', "{'", '{"',
                 "None", "null", "perbaiki"):
        assert leak not in text, leak
    assert "perbaiki" not in text.replace("perbaikan", "")  # the stored choice, never shown


def test_the_bundle_and_heatmap_are_linked_once_they_exist(site):
    app, audited, _ = site
    body = get_as(site, "auditor", audited).get_data(as_text=True)
    version_id = page_data(body)["instance"]["version"]["id"]
    rules = app.view_functions
    if "audit.bundle" in rules:
        assert f'href="/audit/pelaksanaan/{audited}/bundel"' in body
    if "audit.heatmap" in rules:
        assert f'href="/audit/peta-panas/{version_id}"' in body


def test_a_verified_run_says_what_was_checked(site):
    _, audited, _ = site
    body = get_as(site, "auditor", audited).get_data(as_text=True)
    verdict = body.split('data-testid="verdict"', 1)[1].split("</section>", 1)[0]
    assert "audit-verdict-ok" in body.split('data-testid="verdict"', 1)[0][-200:]
    assert str(page_data(body)["event_count"]) in visible_text(verdict)


def test_an_edited_log_shows_where_the_chain_breaks(site):
    _, _, edited = site
    body = get_as(site, "auditor", edited).get_data(as_text=True)
    assert "audit-verdict-broken" in body
    problem = body.split('data-testid="verdict-problem">', 1)[1].split("</p>", 1)[0]
    assert re.search(r"\b1\b", html.unescape(problem)), problem  # event 1 was edited

"""Task pages: forms rendered from form-js, sent, refused, sent back, and shown when done."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.models import HumanTask
from engine.services import timers
from tests.support import PLANNING, complete_all
from tests.webapp.inbox_support import (
    app_session,
    open_task_id,
    post_form,
    run_rows_through_services,
    snapshot,
    squash,
    start_run,
    task_state,
    text_of,
)

ROW_1 = {"tujuan_pbj": "Pengadaan yang efisien dan tepat waktu",
         "area_strategis[0][kode]": "AS1", "area_strategis[0][nama]": "Efisiensi",
         "area_strategis[3][kode]": "AS2", "area_strategis[3][nama]": "Kebijakan",
         "area_strategis[7][kode]": "", "area_strategis[7][nama]": ""}  # a blank row is dropped


def test_the_task_page_shows_form_sop_row_and_context(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    response = client.get(f"/tasks/{task_id}")
    html = text_of(response)
    text = squash(html)
    assert response.status_code == 200
    assert 'name="tujuan_pbj"' in html and 'name="area_strategis[0][kode]"' in html
    assert 'name="area_strategis[__ROW0__][kode]"' in html  # the row template for forms.js
    assert "Tambah butir" in text and "Hapus butir" in text
    assert "Langkah SOP 1" in text and "5 hari kerja" in text and "Kelengkapan" in text
    assert "RPJM" in text and "Batas Waktu" in text and "12 Januari 2026" in text
    assert "Ambil Tugas" in text and "Kirim" in text


def test_sending_a_form_completes_the_task_and_opens_the_next(web_app, client, login):
    instance_id = start_run(web_app)
    task_id = open_task_id(web_app, instance_id, "Task_01")
    login("tim1")
    response = post_form(client, f"/tasks/{task_id}", ROW_1)
    next_id = open_task_id(web_app, instance_id, "Task_02")
    assert (response.status_code, response.headers["Location"]) == (302, f"/tasks/{next_id}")
    state, claimed_by, completed_at, data, *_ = task_state(web_app, task_id)
    assert state == "completed" and claimed_by is not None and completed_at is not None
    assert data["area_strategis"] == [{"kode": "AS1", "nama": "Efisiensi"},
                                      {"kode": "AS2", "nama": "Kebijakan"}]
    done = squash(text_of(client.get(f"/tasks/{task_id}")))
    assert "Jawaban yang dikirim" in done and "Rina Marlina, S.E." in done
    assert "Efisiensi" in done and "Kebijakan" in done


def test_an_invalid_form_comes_back_400_with_messages_and_nothing_changes(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    before, state = snapshot(web_app), task_state(web_app, task_id)
    response = post_form(client, f"/tasks/{task_id}", {
        "tujuan_pbj": "", "area_strategis[0][kode]": "AS1", "area_strategis[0][nama]": "",
    })
    html = text_of(response)
    assert response.status_code == 400
    assert "Formulir belum terkirim" in squash(html)
    assert html.count('data-testid="field-error"') == 2 and "Wajib diisi" in html
    assert 'id="f-area_strategis-0-nama-error"' in html
    assert 'value="AS1"' in html  # what was typed is kept
    assert (snapshot(web_app), task_state(web_app, task_id)) == (before, state)


def test_sending_twice_gets_409_and_changes_nothing(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    assert post_form(client, f"/tasks/{task_id}", ROW_1).status_code == 302
    before, state = snapshot(web_app), task_state(web_app, task_id)
    again = post_form(client, f"/tasks/{task_id}", ROW_1, page="/")
    assert again.status_code == 409
    assert "Tugas ini sudah diselesaikan" in squash(text_of(again))
    assert (snapshot(web_app), task_state(web_app, task_id)) == (before, state)


def test_sent_back_plan_shows_the_note_and_earlier_answers_on_row_1(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    decision = open_task_id(web_app, instance_id, "Task_06")
    login("kepala")
    page = text_of(client.get(f"/tasks/{decision}"))
    assert 'data-hide-if="=keputusan_rencana != &#34;perbaiki&#34;"' in page
    sent = post_form(client, f"/tasks/{decision}", {
        "keputusan_rencana": "perbaiki", "catatan_perbaikan": "Target efisiensi terlalu rendah"})
    assert sent.status_code == 302
    login.logout()
    login("tim1")
    again = open_task_id(web_app, instance_id, "Task_01")
    html = text_of(client.get(f"/tasks/{again}"))
    assert 'data-testid="revision-note"' in html
    assert "Target efisiensi terlalu rendah" in html
    assert "Pengadaan yang efisien, transparan dan tepat waktu" in html  # prefilled
    assert 'value="AS2"' in html


def test_a_hidden_field_is_not_required(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    decision = open_task_id(web_app, instance_id, "Task_06")
    login("kepala")
    html = text_of(client.get(f"/tasks/{decision}"))
    assert ' hidden data-field="catatan_perbaikan"' in html
    approved = post_form(client, f"/tasks/{decision}", {"keputusan_rencana": "setujui",
                                                        "confirmed": "1"})
    assert approved.status_code == 302


def test_row_13_shows_the_achievement_of_each_indicator(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING, "Task_10", "Task_11")
    with app_session(web_app) as session:
        from engine.models import ProcessInstance

        due = session.get(ProcessInstance, instance_id).next_due_at
        later = due + timedelta(hours=2)
        timers.fire_instance_timers(session, instance_id, later)
    with app_session(web_app) as session:
        complete_all(session, instance_id, "Task_12", later)
    task_id = open_task_id(web_app, instance_id, "Task_13")
    login("tim1")
    text = squash(text_of(client.get(f"/tasks/{task_id}")))
    assert "Capaian per indikator" in text
    assert "IKU-01" in text and "95,00%" in text and "120,00%" in text
    assert "Periode 1" in text


def test_diagram_and_user_text_is_escaped(web_app, client, login):
    instance_id = start_run(web_app, judul="<script>alert('judul')</script>")
    task_id = open_task_id(web_app, instance_id, "Task_01")
    with app_session(web_app) as session:
        task = session.get(HumanTask, task_id)
        task.name = "<script>alert('nama')</script>"
        version = task.instance.version
        forms = dict(version.forms)
        schema = dict(forms["perencanaan-tujuan"])
        schema["components"] = [dict(c) for c in schema["components"]]
        schema["components"][1]["label"] = "<img src=x onerror=alert(1)>"
        forms["perencanaan-tujuan"] = schema
        version.forms = forms
        # A deployed version never changes, so the runtime caches its content by hash: the
        # test rewrites it behind the cache's back and must make the app read it again.
        web_app.extensions["alur"].runtime.versions.pop(version.content_hash)
    login("tim1")
    bad = {**ROW_1, "tujuan_pbj": "<script>alert('isi')</script>", "area_strategis[0][nama]": ""}
    response = post_form(client, f"/tasks/{task_id}", bad)
    html = text_of(response)
    assert response.status_code == 400
    for raw in ("<script>alert('nama')", "<script>alert('judul')", "<script>alert('isi')",
                "<img src=x"):
        assert raw not in html
    assert "&lt;script&gt;alert(&#39;isi&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    inbox = text_of(client.get("/"))
    assert "<script>alert" not in inbox and "&lt;script&gt;alert(&#39;nama&#39;)" in inbox


def test_starting_a_run_through_the_form(web_app, client, login):
    login("tim1")
    refused = post_form(client, "/instances/new", {"tahun_anggaran": "dua ribu", "judul": ""})
    assert refused.status_code == 400
    assert "Harus berupa angka" in text_of(refused) and "Wajib diisi" in text_of(refused)
    too_long = post_form(client, "/instances/new", {"tahun_anggaran": "1999", "judul": "J" * 201})
    assert "Paling banyak 200 karakter" in text_of(too_long)  # translated with its number
    assert "Paling kecil 2020" in text_of(too_long)
    before = snapshot(web_app)
    assert before["process_instances"] == 0
    started = post_form(client, "/instances/new", {"tahun_anggaran": "2026",
                                                   "judul": "Pengelolaan Kinerja UKPBJ"})
    assert started.status_code == 302
    with app_session(web_app) as session:
        task = session.scalars(select(HumanTask)).one()
    assert started.headers["Location"] == f"/tasks/{task.id}"
    assert "Pelaksanaan AK-2026-00001 telah dimulai" in squash(text_of(client.get("/")))


def test_the_instance_page_tells_the_whole_story(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, "Task_01")
    login("kepala")
    response = client.get(f"/instances/{instance_id}")
    text = squash(text_of(response))
    assert response.status_code == 200
    assert "AK-2026-00001" in text and "Berjalan" in text and "versi 1" in text
    assert "Posisi saat ini" in text and "2. Menetapkan indikator per area strategis" in text
    assert "Tim Pengelolaan Kelembagaan UKPBJ" in text
    assert "Pelaksanaan dimulai" in text and "Tugas diselesaikan" in text
    assert "09.00 WIB" in text and "5 Januari 2026" in text
    assert "Rantai hash" in text and "terverifikasi" in text
    listing = squash(text_of(client.get("/instances")))
    assert "AK-2026-00001" in listing and "Pengelolaan Kinerja UKPBJ (2026)" in listing


def test_instances_are_hidden_from_a_pj_until_their_opd_is_involved(web_app, client, login):
    instance_id = start_run(web_app)
    login("pj.dishub")
    assert client.get(f"/instances/{instance_id}").status_code == 404
    assert "AK-2026-00001" not in text_of(client.get("/instances"))


def test_a_pj_sees_the_run_without_other_opds_tasks_or_events(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING)
    login("pj.disdikbud")
    html = text_of(client.get(f"/instances/{instance_id}"))
    assert "Dinas Pendidikan dan Kebudayaan" in html and "DINKES" not in html
    # the log is filtered, not hidden: the shared steps show (row 7 names its recipients),
    # no other OPD's task does (tests/webapp/test_visibility_matrix.py checks every route)
    assert 'data-testid="events"' in html
    assert html.count("Dinas Kesehatan") == 1
    assert "Dinas Pendidikan dan Kebudayaan, Dinas Kesehatan" in html


def test_a_task_taken_by_a_colleague_shows_who_has_it_and_no_form(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim2")
    post_form(client, f"/tasks/{task_id}/claim", {}, page="/")
    login.logout()
    login("tim1")
    html = text_of(client.get(f"/tasks/{task_id}"))
    assert 'data-testid="held-by-other"' in html and "Fajar Ramadhan, S.Kom." in html
    assert 'data-testid="task-form"' not in html and 'data-testid="claim"' not in html


def test_row_7_sends_a_date_and_a_checklist_of_opds(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:6])
    task_id = open_task_id(web_app, instance_id, "Task_07")
    login("kepala")
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert 'type="date"' in page and page.count('name="opd_peserta"') == 8
    assert "Tanggal surat edaran" in page  # form-js calls it dateLabel
    sent = post_form(client, f"/tasks/{task_id}", [
        ("nomor_surat_edaran", "027/01/UKPBJ/2026"), ("tanggal_surat_edaran", "2026-01-12"),
        ("opd_peserta", "DISDIKBUD"), ("opd_peserta", "DPUPR")])
    assert sent.status_code == 302
    data = task_state(web_app, task_id)[3]
    assert data == {"nomor_surat_edaran": "027/01/UKPBJ/2026",
                    "tanggal_surat_edaran": "2026-01-12", "opd_peserta": ["DISDIKBUD", "DPUPR"]}
    done = squash(text_of(client.get(f"/tasks/{task_id}")))
    assert "12 Januari 2026" in done
    assert "Dinas Pendidikan dan Kebudayaan, Dinas Pekerjaan Umum dan Penataan Ruang" in done


def test_row_10_sends_a_group_with_a_list_inside(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING)
    task_id = open_task_id(web_app, instance_id, "Task_10", opd="DISDIKBUD")
    login("pj.disdikbud")
    assert 'name="pemetaan[paket][0][kode_rup]"' in text_of(client.get(f"/tasks/{task_id}"))
    sent = post_form(client, f"/tasks/{task_id}", {
        "pemetaan[paket][0][kode_rup]": "41234567", "pemetaan[paket][0][nama_paket]": "Rehab",
        "pemetaan[paket][0][pagu]": "1500000000", "pemetaan[paket][0][metode_pemilihan]": "tender",
        "pemetaan[rencana_aksi_opd]": "Percepatan tender"})
    assert sent.status_code == 302, text_of(sent)
    data = task_state(web_app, task_id)[3]
    assert data["pemetaan"]["paket"][0]["pagu"] == 1500000000
    assert data["pemetaan"]["rencana_aksi_opd"] == "Percepatan tender"
    assert "1.500.000.000" in squash(text_of(client.get(f"/tasks/{task_id}")))



def test_comments_on_a_task(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("kepala")  # an overseer may read the task, so may comment on it
    before = snapshot(web_app)
    empty = post_form(client, f"/tasks/{task_id}/comments", {"body": "   "},
                      page=f"/tasks/{task_id}")
    assert empty.status_code == 400 and "Catatan tidak boleh kosong" in text_of(empty)
    assert snapshot(web_app) == before
    sent = post_form(client, f"/tasks/{task_id}/comments",
                     {"body": "Mohon lampirkan <b>RPJM</b>"}, page=f"/tasks/{task_id}")
    assert sent.status_code == 302
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert "Mohon lampirkan &lt;b&gt;RPJM&lt;/b&gt;" in page and "Hendri Saputra" in page

"""Bukti dukung on the pages: upload with CSRF, refusals by size and content, downloads."""

from __future__ import annotations

import io
from pathlib import Path

from tests.support import PLANNING
from tests.webapp.inbox_support import (
    open_task_id,
    post_form,
    run_rows_through_services,
    snapshot,
    squash,
    start_run,
    text_of,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


def upload(client, task_id: int, filename: str, body: bytes, page: str | None = None):
    return post_form(client, f"/tasks/{task_id}/documents",
                     {"file": (io.BytesIO(body), filename)}, page=page or f"/tasks/{task_id}",
                     content_type="multipart/form-data")


def test_an_upload_is_listed_and_downloads_as_an_attachment(web_app, client, login):
    instance_id = start_run(web_app)
    task_id = open_task_id(web_app, instance_id, "Task_01")
    login("tim1")
    sent = upload(client, task_id, "Notulen <lokakarya>.pdf", PDF)
    assert sent.status_code == 302
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert "Notulen _lokakarya_.pdf" in page and "“Notulen _lokakarya_.pdf” telah diunggah" in page
    link = page.split('href="/documents/')[1].split('"')[0]
    download = client.get(f"/documents/{link}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Notulen" in download.headers["Content-Disposition"]
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    listing = text_of(client.get(f"/instances/{instance_id}"))
    assert f'/documents/{link}"' in listing and "Bukti dukung diunggah" in squash(listing)


def test_a_file_past_the_limit_gets_413_and_nothing_is_kept(web_app, client, login):
    web_app.config["MAX_UPLOAD_BYTES"] = 1024
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    before = snapshot(web_app)
    response = upload(client, task_id, "besar.pdf", PDF + b"0" * 4096)
    assert response.status_code == 413
    assert "Berkas melebihi batas unggahan" in squash(text_of(response))
    assert snapshot(web_app) == before
    assert not [p for p in Path(web_app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]


def test_a_program_renamed_pdf_gets_400_and_nothing_is_kept(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    before = snapshot(web_app)
    response = upload(client, task_id, "laporan.pdf", EXE)
    assert response.status_code == 400
    assert "Jenis berkas ini tidak diizinkan" in squash(text_of(response))
    assert 'data-testid="upload-error"' in text_of(response)
    assert snapshot(web_app) == before


def test_an_upload_without_a_file_is_refused(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    before = snapshot(web_app)
    response = post_form(client, f"/tasks/{task_id}/documents", {},
                         content_type="multipart/form-data", page=f"/tasks/{task_id}")
    assert response.status_code == 400 and snapshot(web_app) == before


def test_documents_of_other_opds_are_not_found(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING)
    theirs = open_task_id(web_app, instance_id, "Task_10", opd="DINKES")
    login("pj.dinkes")
    assert upload(client, theirs, "pemetaan.pdf", PDF).status_code == 302
    page = text_of(client.get(f"/tasks/{theirs}"))
    document = page.split('href="/documents/')[1].split('"')[0]
    login.logout()
    login("pj.dishub")  # DISHUB takes no part in this run
    assert client.get(f"/documents/{document}").status_code == 404
    login.logout()
    login("pj.disdikbud")  # in the same run, for another OPD
    assert client.get(f"/documents/{document}").status_code == 404
    assert "pemetaan.pdf" not in text_of(client.get(f"/instances/{instance_id}"))
    assert client.get("/documents/999999").status_code == 404
    login.logout()
    login("auditor")
    assert client.get(f"/documents/{document}").status_code == 200

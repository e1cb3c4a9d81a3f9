"""Bukti dukung: types judged by content, size limit, storage by hash, revisions, visibility."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from sqlalchemy import func, select

from engine.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
)
from engine.models import Document, Event
from engine.services import documents
from tests.support import complete_all, open_tasks, start_sop, user

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
LIMIT = 64 * 1024


def office_zip(main_part: str | None, content_type: str, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         f'<Types><Override PartName="/{main_part}" '
                         f'ContentType="{content_type}"/></Types>')
        if main_part:
            archive.writestr(main_part, "<root/>")
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return buffer.getvalue()


def opendocument(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


DOCX = office_zip("word/document.xml",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = office_zip("xl/workbook.xml",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
PPTX = office_zip("ppt/presentation.xml",
                  "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")
DOCM = office_zip("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")


@pytest.fixture()
def started(session, now):
    instance = start_sop(session, now)
    return instance, open_tasks(session, instance.id, "Task_01")[0]


def add(session, now, task, filename, body, tmp_path, username="tim1", limit=LIMIT):
    return documents.add_document(session, user(session, username), task.id, filename,
                                  io.BytesIO(body), now, storage_dir=tmp_path, max_bytes=limit)


def stored_files(tmp_path) -> list:
    return sorted(p.name for p in tmp_path.rglob("*") if p.is_file())


def document_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Document))


def test_a_pdf_is_stored_under_its_hash_and_logged(session, now, started, tmp_path):
    instance, task = started
    document = add(session, now, task, "Notulen lokakarya.pdf", PDF_BYTES, tmp_path)
    digest = hashlib.sha256(PDF_BYTES).hexdigest()
    assert (document.content_type, document.size, document.sha256) == ("application/pdf",
                                                                       len(PDF_BYTES), digest)
    assert document.storage_key == f"{digest[:2]}/{digest}"
    assert (tmp_path / digest[:2] / digest).read_bytes() == PDF_BYTES
    assert stored_files(tmp_path) == [digest]  # no temporary file left behind
    assert (document.filename, document.revision, document.task_id) == (
        "Notulen lokakarya.pdf", 1, task.id)
    event = session.scalars(select(Event).where(Event.instance_id == instance.id)
                            .order_by(Event.seq.desc())).first()
    assert event.type == "document_added"
    assert event.payload["sha256"] == digest and event.payload["document_id"] == document.id


@pytest.mark.parametrize(("name", "body", "content_type"), [
    ("foto.png", PNG_BYTES, "image/png"),
    ("foto.jpg", JPEG_BYTES, "image/jpeg"),
    ("rencana.docx", DOCX,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("data.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("paparan.pptx", PPTX,
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("rencana.odt", opendocument("application/vnd.oasis.opendocument.text"),
     "application/vnd.oasis.opendocument.text"),
    ("data.ods", opendocument("application/vnd.oasis.opendocument.spreadsheet"),
     "application/vnd.oasis.opendocument.spreadsheet"),
    ("paket.csv", b"kode_rup;nama_paket\n41234567;Rehabilitasi gedung\n", "text/csv"),
    ("catatan.txt", "Catatan rapat — Kepala UKPBJ\n".encode(), "text/plain"),
])
def test_allowed_types_are_recognised_by_content(session, now, started, tmp_path, name, body,
                                                 content_type):
    assert add(session, now, started[1], name, body, tmp_path).content_type == content_type


@pytest.mark.parametrize(("name", "body"), [
    ("laporan.pdf", EXE_BYTES),                          # a program renamed .pdf
    ("rencana.docx", DOCM),                              # macro-enabled Word document
    ("arsip.zip", office_zip(None, "text/xml")),         # a zip that is no office document
    ("rencana.odt", opendocument("application/x-evil")),
    ("data.csv", b"kode;nilai\n\x00\x01\x02"),           # binary with NUL bytes
    ("data.csv", "kode;nama\n1;Dinas Pendidikan\n".encode("utf-16")),
    ("catatan.txt", b"caf\xe9 au lait"),                 # latin-1, not UTF-8
    ("gambar.gif", b"GIF89a" + b"\x00" * 10),
])
def test_other_content_is_refused_and_nothing_is_kept(session, now, started, tmp_path, name, body):
    before = document_count(session)
    with pytest.raises(InvalidInputError) as refused:
        add(session, now, started[1], name, body, tmp_path)
    assert refused.value.code == "file_type_not_allowed"
    assert document_count(session) == before
    assert stored_files(tmp_path) == []


def test_a_file_past_the_limit_is_refused_while_streaming(session, now, started, tmp_path):
    with pytest.raises(PayloadTooLargeError) as refused:
        add(session, now, started[1], "besar.pdf", PDF_BYTES + b"0" * 2000, tmp_path, limit=1000)
    assert (refused.value.code, refused.value.status) == ("file_too_large", 413)
    assert stored_files(tmp_path) == []
    assert document_count(session) == 0


def test_an_empty_file_is_refused(session, now, started, tmp_path):
    with pytest.raises(InvalidInputError) as refused:
        add(session, now, started[1], "kosong.pdf", b"", tmp_path)
    assert refused.value.code == "file_empty"


def test_the_same_name_again_is_a_new_revision_and_same_content_is_stored_once(
        session, now, started, tmp_path):
    task = started[1]
    first = add(session, now, task, "rencana.pdf", PDF_BYTES, tmp_path)
    second = add(session, now, task, "rencana.pdf", PDF_BYTES + b"% v2\n", tmp_path)
    copy = add(session, now, task, "salinan.pdf", PDF_BYTES, tmp_path)
    assert (first.revision, second.revision, copy.revision) == (1, 2, 1)
    assert len(stored_files(tmp_path)) == 2


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd", "passwd.txt"),
    ("C:\\Users\\rina\\Laporan Q1.pdf", "Laporan Q1.pdf"),
    ('<b>alert("x")<b>.pdf', "_b_alert(_x_)_b_.pdf"),
    ("<script>x</script>.pdf", "script_.pdf"),
    ("laporan\r\n.pdf", "laporan__.pdf"),
    ("halaman.html", "halaman.html.txt"),
    ("", "dokumen.txt"),
    ("...", "dokumen.txt"),
])
def test_filenames_are_cleaned_for_display(session, now, started, tmp_path, given, kept):
    body = PDF_BYTES if kept.endswith(".pdf") else b"teks biasa\n"
    assert add(session, now, started[1], given, body, tmp_path).filename == kept


def test_a_very_long_name_keeps_its_extension(session, now, started, tmp_path):
    document = add(session, now, started[1], "a" * 400 + ".pdf", PDF_BYTES, tmp_path)
    assert len(document.filename) == documents.FILENAME_LIMIT
    assert document.filename.endswith(".pdf")


@pytest.mark.parametrize("username", ["pj.disdikbud", "kepala", "auditor"])
def test_only_people_who_may_act_on_the_task_may_attach(session, now, started, tmp_path, username):
    with pytest.raises(DomainError) as refused:
        add(session, now, started[1], "x.pdf", PDF_BYTES, tmp_path, username=username)
    assert refused.value.status in (403, 404)
    assert document_count(session) == 0 and stored_files(tmp_path) == []


def test_a_completed_task_takes_no_more_documents(session, now, started, tmp_path):
    instance, task = started
    complete_all(session, instance.id, "Task_01", now)
    with pytest.raises(ConflictError) as refused:
        add(session, now, task, "terlambat.pdf", PDF_BYTES, tmp_path)
    assert refused.value.code == "task_not_open"


def test_a_task_claimed_by_someone_else_takes_no_documents(session, now, started, tmp_path):
    from engine.services import tasks

    tasks.claim_task(session, user(session, "tim2"), started[1].id, now)
    with pytest.raises(ConflictError) as refused:
        add(session, now, started[1], "x.pdf", PDF_BYTES, tmp_path)
    assert refused.value.code == "task_already_claimed"


def test_documents_are_visible_by_the_instance_rule(session, now, started, tmp_path):
    instance, task = started
    document = add(session, now, task, "rencana.pdf", PDF_BYTES, tmp_path)
    for username in ("tim2", "kepala", "auditor", "admin"):
        assert documents.get_document_for(session, user(session, username), document.id) is document
    with pytest.raises(NotFoundError) as hidden:
        documents.get_document_for(session, user(session, "pj.dinkes"), document.id)
    assert hidden.value.code == "document_not_found"
    with pytest.raises(NotFoundError):
        documents.get_document_for(session, user(session, "tim1"), 999_999)
    assert [d.id for d in documents.list_documents(session, user(session, "kepala"),
                                                   instance.id)] == [document.id]
    with documents.open_document(session, document, storage_dir=tmp_path) as stream:
        assert stream.read() == PDF_BYTES and stream.size == len(PDF_BYTES)


def test_a_document_of_one_opd_stays_with_that_opd_and_the_overseers(session, now, tmp_path):
    from tests.support import run_planning

    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    dinkes = next(t for t in open_tasks(session, instance.id, "Task_10") if t.opd.code == "DINKES")
    document = add(session, now, dinkes, "pemetaan.pdf", PDF_BYTES, tmp_path, username="pj.dinkes")
    for username in ("pj.dinkes", "kepala", "tim1", "auditor"):
        assert documents.get_document_for(session, user(session, username), document.id) is document
    other = user(session, "pj.disdikbud")  # takes part in the same run, for another OPD
    with pytest.raises(NotFoundError):
        documents.get_document_for(session, other, document.id)
    assert documents.list_documents(session, other, instance.id) == []


def test_a_storage_key_outside_the_folder_is_never_served(session, now, started, tmp_path):
    document = add(session, now, started[1], "rencana.pdf", PDF_BYTES, tmp_path)
    for key in ("../../etc/passwd", "/etc/passwd", "ab/../../x", "ab\\..\\x", ""):
        document.storage_key = key
        with pytest.raises(NotFoundError) as missing:
            documents.open_document(session, document, storage_dir=tmp_path)
        assert missing.value.code == "document_file_missing"


@pytest.mark.parametrize(("given", "kept"), [
    ("laporan\u202efdp.txt", "laporanfdp.txt"),          # right-to-left override
    ("lap\u200boran\u2066.pdf", "laporan.pdf"),          # zero-width space, bidi isolate
    ("\ufeffrekap.csv", "rekap.csv"),                    # byte order mark
    ("Laporan Triwulan\u00ad I.pdf", "Laporan Triwulan I.pdf"),  # soft hyphen
    ("cafe\u0301.pdf", "caf\u00e9.pdf"),                 # NFD accent -> one NFC character
    ("\ue000\U000e0041nota.pdf", "nota.pdf"),            # private use, tag character
])
def test_invisible_characters_are_stripped_and_names_are_nfc(session, now, started, tmp_path,
                                                            given, kept):
    body = b"teks biasa\n" if kept.endswith((".txt", ".csv")) else PDF_BYTES
    document = add(session, now, started[1], given, body, tmp_path)
    assert document.filename == kept
    event = session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
    assert event.payload["filename"] == kept


def with_settings(session, **overrides):
    """The session's runtime with other quota settings, as an operator would set them."""
    from engine.db import RUNTIME_KEY
    from engine.runtime import build_runtime

    session.info[RUNTIME_KEY] = build_runtime(**overrides)


def pdf(n: int) -> bytes:
    return PDF_BYTES + b"%" + str(n).encode() * 10 + b"\n"


def test_a_task_takes_at_most_its_number_of_files(session, now, started, tmp_path):
    with_settings(session, upload_task_max_files=2)
    add(session, now, started[1], "a.pdf", pdf(1), tmp_path)
    add(session, now, started[1], "b.pdf", pdf(2), tmp_path)
    before = (document_count(session), stored_files(tmp_path))
    with pytest.raises(PayloadTooLargeError) as refused:
        add(session, now, started[1], "c.pdf", pdf(3), tmp_path)
    assert refused.value.code == "task_file_quota"
    assert refused.value.details == {"max_files": 2}
    assert (document_count(session), stored_files(tmp_path)) == before


def test_a_task_takes_at_most_its_number_of_bytes(session, now, started, tmp_path):
    with_settings(session, upload_task_max_bytes=len(pdf(1)) * 2 + 5)
    add(session, now, started[1], "a.pdf", pdf(1), tmp_path)
    add(session, now, started[1], "b.pdf", pdf(2), tmp_path)
    before = (document_count(session), stored_files(tmp_path))
    with pytest.raises(PayloadTooLargeError) as refused:
        add(session, now, started[1], "c.pdf", pdf(3), tmp_path)
    assert refused.value.code == "task_byte_quota"
    assert refused.value.details["used_bytes"] == len(pdf(1)) * 2
    assert (document_count(session), stored_files(tmp_path)) == before
    assert not list(tmp_path.rglob(".upload-*"))  # the spooled copy is gone too


def test_a_person_uploads_at_most_so_many_files_a_day(session, now, tmp_path):
    from datetime import timedelta

    with_settings(session, upload_user_max_files=2)
    first = start_sop(session, now)
    second = start_sop(session, now)
    task_one = open_tasks(session, first.id, "Task_01")[0]
    task_two = open_tasks(session, second.id, "Task_01")[0]
    add(session, now, task_one, "a.pdf", pdf(1), tmp_path)
    add(session, now, task_two, "b.pdf", pdf(2), tmp_path)
    with pytest.raises(PayloadTooLargeError) as refused:
        add(session, now, task_two, "c.pdf", pdf(3), tmp_path)
    assert refused.value.code == "user_file_quota"
    # another person is not held back by tim1's uploads, and a day later tim1 may go on
    assert add(session, now, task_two, "d.pdf", pdf(4), tmp_path, username="tim2").revision == 1
    later = now + timedelta(hours=24, seconds=1)
    assert add(session, later, task_two, "c.pdf", pdf(3), tmp_path).filename == "c.pdf"


def test_a_person_uploads_at_most_so_many_bytes_a_day(session, now, tmp_path):
    with_settings(session, upload_user_max_bytes=len(pdf(1)) + 5)
    first = start_sop(session, now)
    second = start_sop(session, now)
    add(session, now, open_tasks(session, first.id, "Task_01")[0], "a.pdf", pdf(1), tmp_path)
    before = document_count(session)
    with pytest.raises(PayloadTooLargeError) as refused:
        add(session, now, open_tasks(session, second.id, "Task_01")[0], "b.pdf", pdf(2),
            tmp_path)
    assert refused.value.code == "user_byte_quota"
    assert document_count(session) == before

"""Documents through the runtime's storage, on both backends: an upload lands under its
content address, reads back whole, verifies, travels in the audit bundle (which the
stand-alone verifier accepts), and a changed or vanished stored file is caught."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from engine.services import bundles, documents, verification
from engine.verifier import verify_bundle as offline
from tests.support import open_tasks, start_sop, user

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + bytes(range(256)) * 64


@pytest.fixture()
def uploaded(session, now):
    instance = start_sop(session, now)
    task = open_tasks(session, instance.id, "Task_01")[0]
    document = documents.add_document(session, user(session, "tim1"), task.id, "Notulen.pdf",
                                      io.BytesIO(PDF), now, max_bytes=1024 * 1024)
    session.flush()
    return instance, document


def test_an_upload_is_stored_under_its_content_address_and_reads_back(session, uploaded, raw):
    _, document = uploaded
    digest = hashlib.sha256(PDF).hexdigest()
    assert document.storage_key == f"{digest[:2]}/{digest}"
    assert raw.names() == [raw.name_of(digest)] and raw.read(raw.name_of(digest)) == PDF
    with documents.open_document(session, document) as stream:
        assert (stream.read(), stream.size) == (PDF, len(PDF))


def test_verification_reads_the_stored_bytes(session, uploaded, raw):
    instance, document = uploaded
    verdict = verification.verify_instance(session, instance.id)
    assert verdict.ok and verdict.documents_checked == 1
    name = raw.name_of(document.sha256)
    raw.write(name, PDF.replace(b"1.7", b"1.4"))  # someone with bucket or disk access
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.ok, verdict.problem) == (False, "document_changed")


def test_a_vanished_file_is_named_by_verification(session, uploaded, storage):
    instance, document = uploaded
    storage.delete(document.storage_key)
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.ok, verdict.problem) == (False, "document_missing")
    with pytest.raises(Exception) as missing:
        documents.open_document(session, document)
    assert missing.value.code == "document_file_missing"


def test_the_audit_bundle_carries_the_stored_bytes_and_verifies_offline(
        session, uploaded, now, tmp_path):
    instance, document = uploaded
    _, data = bundles.build_bundle(session, user(session, "auditor"), instance.id, now)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read(bundles.document_entry(document)) == PDF
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    lines = []
    assert offline.verify(str(path), out=lines.append) == 0, lines

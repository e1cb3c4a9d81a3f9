"""The audit bundle of a real SOP run: what is inside, who may have it, and its PDF summary.

The run: rows 1-5 on time, row 6 three working days late (Waktu 2 HK), rows 7-9, then three
OPDs at rows 10 and 11 with a document each, a signed checkpoint between them, and two
documents of the unit's own steps (one with a name that is not ASCII). The offline
verifier's runs on such bundles are in tests/engine/test_verify_bundle.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from engine.errors import NotFoundError, PermissionDeniedError
from engine.models import Document, ProcessInstance
from engine.services import bundlepdf, bundles, checkpoints, documents, verification
from engine.verifier import SCRIPT_PATH
from tests.conftest import T0
from tests.support import PJ_FOR_OPD, complete_all, open_tasks, run_rows, start_sop, user

LATE = T0 + timedelta(days=7)  # Monday 12 January: row 6 (due Wednesday 7) is 3 HK late
TITLE = "Bundel \u201cUji\u201d \u2013 Audit"
EXPECTED = {"LIHAT-SAYA.txt", "manifest.json", "proses/diagram.bpmn", "peristiwa.jsonl",
            "kepala-rantai.json", "titik-periksa.json", "kunci-publik.pem", "ringkasan.pdf",
            "verify_bundle.py"}
EVENT_KEYS = {"instance_id", "seq", "type", "occurred_at", "actor_id", "task_id",
              "element_id", "payload", "payload_version", "prev_hash", "hash", "actor_name"}


@dataclass
class SopRun:
    instance_id: int
    storage_dir: Path
    contents: dict[int, bytes] = field(default_factory=dict)  # document id -> bytes


def _upload(session, run: SopRun, username: str, task, filename: str, content: bytes, now):
    document = documents.add_document(
        session, user(session, username), task.id, filename, io.BytesIO(content), now,
        storage_dir=run.storage_dir, max_bytes=10 * 1024 * 1024)
    run.contents[document.id] = content
    return document


def _opd_row_with_documents(session, run: SopRun, element_id: str, now) -> None:
    for task in open_tasks(session, run.instance_id, element_id):
        code = task.opd.code
        _upload(session, run, PJ_FOR_OPD[code], task, f"bukti-{code}-{element_id}.txt",
                f"Bukti dukung {code} {element_id}\n".encode(), now)
    complete_all(session, run.instance_id, element_id, now)


def drive_sop_run(session, storage_dir: Path) -> SopRun:
    """The run of this module's docstring, in the caller's session (nothing committed)."""
    instance = start_sop(session, T0, judul=TITLE)
    run = SopRun(instance.id, storage_dir)
    run_rows(session, instance.id, ("Task_01", "Task_02", "Task_03", "Task_04"), T0)
    task05 = open_tasks(session, instance.id, "Task_05")[0]
    _upload(session, run, "tim1", task05, "Rencana \u201cAksi\u201d \u00dcmit \u2192 final.pdf",
            b"%PDF-1.4\n" + os.urandom(200_000), T0)
    complete_all(session, instance.id, "Task_05", T0)
    complete_all(session, instance.id, "Task_06", LATE)
    run_rows(session, instance.id, ("Task_07", "Task_08"), LATE)
    task09 = open_tasks(session, instance.id, "Task_09")[0]
    _upload(session, run, "tim1", task09, "undangan.txt", b"Undangan sosialisasi\n", LATE)
    complete_all(session, instance.id, "Task_09", LATE)
    _opd_row_with_documents(session, run, "Task_10", LATE)
    assert checkpoints.write_checkpoint(session, LATE) is not None
    _opd_row_with_documents(session, run, "Task_11", LATE)
    session.flush()
    return run


@pytest.fixture()
def sop_run(session, tmp_path) -> SopRun:
    return drive_sop_run(session, tmp_path / "uploads")


@pytest.fixture()
def auditor(session):
    return user(session, "auditor")


def bundle_of(session, viewer, run: SopRun, now=LATE) -> tuple[str, zipfile.ZipFile]:
    name, data = bundles.build_bundle(session, viewer, run.instance_id, now,
                                      storage_dir=run.storage_dir)
    return name, zipfile.ZipFile(io.BytesIO(data))


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name).decode("utf-8"))


# ---- contents ---------------------------------------------------------------------------------

def test_bundle_holds_every_part_with_its_hash_in_the_manifest(session, sop_run, auditor):
    instance = session.get(ProcessInstance, sop_run.instance_id)
    name, archive = bundle_of(session, auditor, sop_run)
    assert name == f"audit-{instance.registration_no}.zip"
    names = set(archive.namelist())
    assert EXPECTED <= names
    forms = {n for n in names if n.startswith("proses/formulir/")}
    assert forms == {f"proses/formulir/{key}.form.json" for key in instance.version.forms}
    manifest = read_json(archive, "manifest.json")
    assert manifest["format"] == "alur-audit-bundle/1"
    assert manifest["instance"]["registration_no"] == instance.registration_no
    assert manifest["instance"]["event_count"] == instance.event_count
    assert manifest["created_at"] == LATE.isoformat()
    listed = {item["path"]: item for item in manifest["files"]}
    assert set(listed) == names - {"manifest.json"}
    for path, item in listed.items():
        data = archive.read(path)
        assert (item["sha256"], item["size"]) == (hashlib.sha256(data).hexdigest(), len(data))
    assert manifest["server_verification"]["ok"] is True
    assert manifest["documents_missing"] == []


def test_diagram_forms_key_and_verifier_are_the_exact_bytes(session, sop_run, auditor):
    instance = session.get(ProcessInstance, sop_run.instance_id)
    _, archive = bundle_of(session, auditor, sop_run)
    assert archive.read("proses/diagram.bpmn") == instance.version.bpmn_xml.encode("utf-8")
    key = next(iter(instance.version.forms))
    assert read_json(archive, f"proses/formulir/{key}.form.json") == instance.version.forms[key]
    assert archive.read("verify_bundle.py") == SCRIPT_PATH.read_bytes()
    signer = session.info["alur_runtime"].signer
    assert archive.read("kunci-publik.pem").decode() == signer.public_key_pem
    readme = archive.read("LIHAT-SAYA.txt").decode("utf-8")
    assert "python verify_bundle.py" in readme and instance.registration_no in readme


def test_events_are_every_stored_field_as_hashed(session, sop_run, auditor):
    instance = session.get(ProcessInstance, sop_run.instance_id)
    _, archive = bundle_of(session, auditor, sop_run)
    lines = archive.read("peristiwa.jsonl").decode("utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, instance.event_count + 1))
    assert all(set(e) == EVENT_KEYS for e in events)
    assert events[0]["occurred_at"] == T0.isoformat()  # "2026-01-05T02:00:00+00:00"
    assert events[-1]["hash"] == instance.last_event_hash
    started = events[0]
    assert started["type"] == "instance_started"
    assert started["actor_name"] == user(session, "tim1").full_name


def test_documents_are_their_bytes_under_their_id(session, sop_run, auditor):
    _, archive = bundle_of(session, auditor, sop_run)
    stored = {n: archive.read(n) for n in archive.namelist() if n.startswith("dokumen/")}
    assert len(stored) == len(sop_run.contents) == 8  # 2 of the unit, 3 OPDs x rows 10, 11
    for document_id, content in sop_run.contents.items():
        [entry] = [n for n in stored if n.startswith(f"dokumen/{document_id}-")]
        assert stored[entry] == content
    assert any(n.endswith("Rencana_Aksi_Umit_final.pdf") for n in stored)  # safe names


def test_head_and_checkpoint_carry_what_the_verifier_needs(session, sop_run, auditor):
    instance = session.get(ProcessInstance, sop_run.instance_id)
    _, archive = bundle_of(session, auditor, sop_run)
    head = read_json(archive, "kepala-rantai.json")
    assert head["event_count"] == instance.event_count
    assert head["last_hash"] == instance.last_event_hash
    assert head["signature"] == instance.head_signature
    assert json.loads(head["message"]) == {"alur": "instance-head/1",
                                           "event_count": instance.event_count,
                                           "instance_id": instance.id,
                                           "last_hash": instance.last_event_hash}
    [checkpoint] = read_json(archive, "titik-periksa.json")["checkpoints"]
    assert checkpoint["head_count"] == len(checkpoint["heads"]) >= 1
    [own] = [h for h in checkpoint["heads"] if h["instance_id"] == instance.id]
    assert 0 < own["event_count"] < instance.event_count  # written before row 11


def test_a_missing_stored_file_is_listed_not_fatal(session, sop_run, auditor):
    document = session.get(Document, next(iter(sop_run.contents)))
    (sop_run.storage_dir / document.storage_key).unlink()
    _, archive = bundle_of(session, auditor, sop_run)
    manifest = read_json(archive, "manifest.json")
    assert [m["document_id"] for m in manifest["documents_missing"]] == [document.id]
    assert manifest["server_verification"]["problem"] == "document_missing"


# ---- who may have it ----------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "kepala"])
def test_admins_and_the_kepala_may_export(session, sop_run, username):
    name, _ = bundle_of(session, user(session, username), sop_run)
    assert name.startswith("audit-")


@pytest.mark.parametrize("username", ["tim1", "pj.dinkes"])
def test_others_are_refused(session, sop_run, username):
    with pytest.raises(PermissionDeniedError):
        bundle_of(session, user(session, username), sop_run)


def test_an_unknown_run_is_not_found(session, auditor):
    with pytest.raises(NotFoundError):
        bundles.build_bundle(session, auditor, 2**31 - 1, T0)


# ---- the PDF ------------------------------------------------------------------------------------

def summary_text(session, run: SopRun, compress: bool) -> bytes:
    instance = session.get(ProcessInstance, run.instance_id)
    rows = [session.get(Document, i) for i in sorted(run.contents)]
    return bundlepdf.summary_pdf(
        session, instance, LATE, last_seq=instance.event_count,
        last_hash=instance.last_event_hash, key_id=instance.head_key_id,
        verdict=verification.verify_instance(session, instance.id,
                                             storage_dir=run.storage_dir),
        documents=rows, compress=compress)


def test_pdf_summary_names_the_run_and_the_late_step(session, sop_run):
    pdf = summary_text(session, sop_run, compress=False)
    assert pdf.startswith(b"%PDF-")
    instance = session.get(ProcessInstance, sop_run.instance_id)
    shown = bundlepdf.pdf_text(instance.title).replace("(", "\\(").replace(")", "\\)")
    assert shown.encode("latin-1") in pdf  # as a PDF string, typographic quotes made ASCII
    assert b'Bundel "Uji" - Audit' in pdf
    assert b"Terlambat 3 HK" in pdf  # row 6: due 7 January, done 12 January
    assert b"Tepat waktu" in pdf
    assert b"Pekerjaan per OPD" in pdf
    assert b"Terverifikasi" in pdf
    assert hashlib.sha256(sop_run.contents[min(sop_run.contents)]).hexdigest().encode() in pdf
    assert b"Halaman 1 dari" in pdf


def test_bundled_pdf_is_compressed_a4(session, sop_run, auditor):
    _, archive = bundle_of(session, auditor, sop_run)
    pdf = archive.read("ringkasan.pdf")
    assert pdf.startswith(b"%PDF-") and b"/FlateDecode" in pdf
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4 in points
    assert b"Ringkasan audit" in pdf  # the title in the document's metadata


def test_pdf_text_keeps_latin1_and_spells_the_rest():
    assert bundlepdf.pdf_text("\u201cA\u201d \u2013 B \u2192 C\u2026") == '"A" - B -> C...'
    assert bundlepdf.pdf_text("\u00dcmit caf\u00e9") == "\u00dcmit caf\u00e9"
    assert bundlepdf.pdf_text("\u0141\u00f3d\u017a") == "?\u00f3dz"

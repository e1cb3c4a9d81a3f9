"""The audit bundle of one run: everything needed to check its history without the server.

A zip (format `alur-audit-bundle/1`) holding the exact diagram version and its forms, every
event of the run's chain as JSON Lines (each with every stored field, exactly as hashed),
the documents' bytes, the signed head, the signed checkpoints that recorded the run with
their full head lists, the server's public key, a PDF summary and the stand-alone verifier
(engine/verifier/verify_bundle.py); `manifest.json` lists every other file's SHA-256.

One consistent cut: the instance row is read first and only the events up to its head
(`event_count`) are exported, with the documents those events added and the checkpoints
that saw at most that many events. Events are append-only, so an append committed while
the bundle is written changes nothing in it.

The zip is written to any binary file object as it is made (`write_bundle`): events are
read in batches and documents copied from storage in chunks, each file hashed as it is
written, so a run with many megabytes of documents never sits in memory; `build_bundle`
gives the bytes for callers that want them. Audit readers only.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.events import EventType
from engine.models import Document, Event, ProcessInstance, User
from engine.models.trust import ChainCheckpoint, CheckpointHead
from engine.runtime import runtime_of
from engine.services import (
    access,
    audit,
    bundlepdf,
    checkpoints,
    instances,
    verification,
)
from engine.signing import head_message
from engine.storage import Storage, StoredFileMissing
from engine.storage.factory import storage_of
from engine.verifier import SCRIPT_NAME, SCRIPT_PATH

FORMAT = "alur-audit-bundle/1"
CHUNK = 1024 * 1024
EVENT_BATCH = 500
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
NAME_LIMIT = 120


def build_bundle(session: Session, viewer: User, instance_id: int, now: datetime, *,
                 storage_dir: Path | None = None) -> tuple[str, bytes]:
    """The bundle's download name (`audit-<registration no>.zip`) and its bytes."""
    buffer = io.BytesIO()
    filename = write_bundle(session, viewer, instance_id, now, buffer, storage_dir=storage_dir)
    return filename, buffer.getvalue()


def write_bundle(session: Session, viewer: User, instance_id: int, now: datetime,
                 out: BinaryIO, *, storage_dir: Path | None = None) -> str:
    """Write the bundle of one run into `out` (a seekable binary file); returns its name."""
    access.ensure_audit_reader(viewer)
    instance = instances.get_instance_for(session, viewer, instance_id)
    head = _head(instance)  # the cut: read before anything else of the run
    storage = storage_of(session, storage_dir)  # the runtime's, or a local folder named
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        bundle = _Bundle(archive, now)
        _write_contents(session, bundle, instance, head, storage, now)
    return bundle_filename(instance)


def bundle_filename(instance: ProcessInstance) -> str:
    return f"audit-{safe_name(instance.registration_no)}.zip"


def safe_name(text: str) -> str:
    """A file name every unzip tool keeps as it is: ASCII letters, digits, '.', '_', '-'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = SAFE_NAME.sub("_", plain).strip("._") or "berkas"
    return name[-NAME_LIMIT:]


def _head(instance: ProcessInstance) -> dict:
    """What the instance row says its chain ends at, with the signature over it."""
    message = head_message(instance.id, instance.event_count, instance.last_event_hash)
    return {
        "instance_id": instance.id,
        "event_count": instance.event_count,
        "last_hash": instance.last_event_hash,
        "signature": instance.head_signature,
        "key_id": instance.head_key_id,
        "algorithm": "Ed25519",
        "message": message.decode("utf-8"),
    }


# ---- the zip -------------------------------------------------------------------------------

class _Bundle:
    """The zip being written, hashing every file as it goes in (for the manifest)."""

    def __init__(self, archive: zipfile.ZipFile, now: datetime):
        self.archive = archive
        self.date_time = max(now.astimezone(UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
        self.files: list[dict] = []

    def add(self, name: str, data: bytes) -> None:
        with self.open(name) as sink:
            sink.write(data)

    def add_json(self, name: str, value) -> None:
        self.add(name, (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))

    def open(self, name: str) -> _HashingSink:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return _HashingSink(self.archive.open(info, "w", force_zip64=True), name, self.files)

    def add_manifest(self, manifest: dict) -> None:
        """Last: it lists every other file, so it cannot list itself."""
        info = zipfile.ZipInfo("manifest.json", date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        body = {**manifest, "files": sorted(self.files, key=lambda item: item["path"])}
        text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
        self.archive.writestr(info, text.encode("utf-8"))


class _HashingSink:
    """A file inside the zip that records its SHA-256 and size when closed."""

    def __init__(self, target, name: str, files: list[dict]):
        self.target, self.name, self.files = target, name, files
        self.digest, self.size = hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)

    def __enter__(self) -> _HashingSink:
        return self

    def __exit__(self, *exc) -> None:
        self.target.close()
        self.files.append({"path": self.name, "sha256": self.digest.hexdigest(),
                           "size": self.size})


# ---- what goes in --------------------------------------------------------------------------

def _write_contents(session: Session, bundle: _Bundle, instance: ProcessInstance, head: dict,
                    storage: Storage, now: datetime) -> None:
    signer = runtime_of(session).signer
    version = instance.version
    bundle.add("proses/diagram.bpmn", version.bpmn_xml.encode("utf-8"))
    for key, schema in sorted((version.forms or {}).items()):
        bundle.add_json(f"proses/formulir/{safe_name(key)}.form.json", schema)
    added = _write_events(session, bundle, instance.id, head["event_count"])
    bundle.add_json("kepala-rantai.json", head)
    bundle.add_json("titik-periksa.json", checkpoints_of(session, instance.id,
                                                         head["event_count"]))
    kept, missing = _write_documents(session, bundle, added, storage)
    bundle.add("kunci-publik.pem", signer.public_key_pem.encode("ascii"))
    verdict = verification.verify_instance(session, instance.id, storage=storage)
    bundle.add("ringkasan.pdf", bundlepdf.summary_pdf(
        session, instance, now, last_seq=head["event_count"], last_hash=head["last_hash"],
        key_id=head["key_id"] or signer.key_id, verdict=verdict, documents=kept))
    bundle.add(SCRIPT_NAME, SCRIPT_PATH.read_bytes())
    summary = _instance_summary(instance, head)
    bundle.add("LIHAT-SAYA.txt", readme_text(summary, now, signer.key_id).encode("utf-8"))
    bundle.add_manifest({
        "format": FORMAT,
        "created_at": now.astimezone(UTC).isoformat(),
        "key_id": signer.key_id,
        "instance": summary,
        "server_verification": verdict.to_dict(),
        "documents_missing": missing,
    })


def _instance_summary(instance: ProcessInstance, head: dict) -> dict:
    version = instance.version
    return {
        "id": instance.id,
        "registration_no": instance.registration_no,
        "title": instance.title,
        "status": instance.status,
        "started_at": instance.started_at.astimezone(UTC).isoformat(),
        "ended_at": instance.ended_at.astimezone(UTC).isoformat() if instance.ended_at else None,
        "period_no": instance.period_no,
        "definition_key": version.definition.key,
        "definition_name": version.definition.name,
        "version": version.version,
        "content_hash": version.content_hash,
        "event_count": head["event_count"],
        "last_hash": head["last_hash"],
    }


def _write_events(session: Session, bundle: _Bundle, instance_id: int, count: int) -> dict:
    """peristiwa.jsonl; returns document id -> the seq of the event that added it."""
    names = _actor_names(session, instance_id, count)
    added = {}
    with bundle.open("peristiwa.jsonl") as sink:
        for event in _events(session, instance_id, count):
            sink.write(event_line(event, names.get(event.actor_id)))
            if event.type == EventType.DOCUMENT_ADDED.value:
                added[event.payload["document_id"]] = event.seq
    return added


def _events(session: Session, instance_id: int, count: int) -> Iterator[Event]:
    """The chain up to the head, fetched in batches (the session holds its rows weakly, so
    a long chain is never in memory whole)."""
    query = (select(Event).where(Event.instance_id == instance_id, Event.seq <= count)
             .order_by(Event.seq).execution_options(yield_per=EVENT_BATCH))
    yield from session.scalars(query)


def event_line(event: Event, actor_name: str | None) -> bytes:
    """One event as stored and hashed (audit.hashed_fields), its link and its hash, plus the
    actor's name for reading (not hashed: names change, the actor_id is what counts)."""
    fields = audit.hashed_fields(event)
    line = {**fields, "payload_version": event.payload_version, "prev_hash": event.prev_hash,
            "hash": event.hash, "actor_name": actor_name}
    return (json.dumps(line, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            + "\n").encode("utf-8")


def _actor_names(session: Session, instance_id: int, count: int) -> dict[int, str]:
    actors = (select(Event.actor_id).where(Event.instance_id == instance_id,
                                           Event.seq <= count).distinct())
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(actors))).all())


def _write_documents(session: Session, bundle: _Bundle, added: dict[int, int],
                     storage: Storage) -> tuple[list[Document], list[dict]]:
    """Copy every document the exported events added; a stored file that is gone is listed
    in the manifest (and the verifier then names it) instead of failing the export."""
    rows = session.scalars(select(Document).where(Document.id.in_(list(added)))
                           .order_by(Document.id)).all() if added else []
    kept, missing = [], []
    for document in rows:
        try:
            stored = storage.open(document.storage_key)
        except StoredFileMissing:
            missing.append({"document_id": document.id, "filename": document.filename,
                            "seq": added[document.id]})
            continue
        with bundle.open(document_entry(document)) as sink, stored as source:
            while chunk := source.read(CHUNK):
                sink.write(chunk)
        kept.append(document)
    return kept, missing


def document_entry(document: Document) -> str:
    """`dokumen/<document id>-<safe file name>`: the verifier finds it by its id."""
    return f"dokumen/{document.id}-{safe_name(document.filename)}"


# ---- checkpoints ---------------------------------------------------------------------------

def checkpoints_of(session: Session, instance_id: int, count: int) -> dict:
    """Every signed checkpoint that recorded this run (at most `count` events), each with its
    full list of heads: the verifier recomputes its digest and hash and checks its
    signature, then holds the chain against this run's head in it."""
    ids = session.scalars(select(CheckpointHead.checkpoint_id).where(
        CheckpointHead.instance_id == instance_id, CheckpointHead.event_count <= count)
        .order_by(CheckpointHead.checkpoint_id)).all()
    rows = session.scalars(select(ChainCheckpoint).where(ChainCheckpoint.id.in_(ids))
                           .order_by(ChainCheckpoint.seq)).all() if ids else []
    return {"instance_id": instance_id,
            "checkpoints": [_checkpoint_entry(session, row) for row in rows]}


def _checkpoint_entry(session: Session, row: ChainCheckpoint) -> dict:
    heads = session.execute(select(CheckpointHead.instance_id, CheckpointHead.event_count,
                                   CheckpointHead.last_hash)
                            .where(CheckpointHead.checkpoint_id == row.id)).all()
    ordered = sorted(heads, key=lambda head: checkpoints.head_sort_key(head.instance_id))
    return {
        "seq": row.seq,
        "created_at": row.created_at.astimezone(UTC).isoformat(),
        "key_id": row.key_id,
        "head_count": row.head_count,
        "heads_digest": row.heads_digest,
        "prev_hash": row.prev_hash,
        "hash": row.hash,
        "signature": row.signature,
        "heads": [{"event_count": h.event_count, "instance_id": h.instance_id,
                   "last_hash": h.last_hash} for h in ordered],
    }


# ---- LIHAT-SAYA.txt ------------------------------------------------------------------------

def readme_text(summary: dict, now: datetime, key_id: str) -> str:
    """What is inside and how to check it, in Bahasa Indonesia."""
    return README.format(
        title=summary["title"], registration_no=summary["registration_no"],
        definition=f"{summary['definition_name']} ({summary['definition_key']}), versi "
                   f"{summary['version']}",
        created_at=now.astimezone(UTC).isoformat(), key_id=key_id,
        event_count=summary["event_count"], last_hash=summary["last_hash"] or "-",
        zip_name=f"audit-{safe_name(summary['registration_no'])}.zip")


README = """BUNDEL AUDIT ALUR KINERJA
=========================

Pelaksanaan      : {title}
Nomor registrasi : {registration_no}
Alur kerja (SOP) : {definition}
Jumlah peristiwa : {event_count}
Hash terakhir    : {last_hash}
Bundel dibuat    : {created_at} (UTC)
Kunci server     : key id {key_id}

Bundel ini berisi seluruh jejak audit satu pelaksanaan, lengkap dengan bukti bahwa
jejak itu tidak diubah. Semuanya dapat diperiksa tanpa server (luring).


ISI BUNDEL
----------
LIHAT-SAYA.txt            berkas ini
manifest.json             ringkasan pelaksanaan dan SHA-256 setiap berkas lain di bundel
proses/diagram.bpmn       diagram BPMN versi yang dijalankan pelaksanaan ini, persis seperti
                          saat diberlakukan
proses/formulir/          formulir setiap langkah (<kunci formulir>.form.json, form-js)
peristiwa.jsonl           setiap peristiwa rantai pelaksanaan, berurutan, satu objek JSON per
                          baris dengan semua kolom yang disimpan: instance_id, seq, type,
                          occurred_at (UTC, persis seperti di-hash), actor_id, task_id,
                          element_id, payload, payload_version, prev_hash, hash; ditambah
                          actor_name (hanya untuk dibaca, tidak ikut di-hash)
dokumen/                  bukti dukung yang diunggah: <id dokumen>-<nama berkas>
kepala-rantai.json        kepala rantai: jumlah peristiwa dan hash terakhir, pesan yang
                          ditandatangani, dan tanda tangan Ed25519 server atasnya
titik-periksa.json        titik periksa bertanda tangan yang mencatat pelaksanaan ini, masing-
                          masing dengan daftar lengkap kepala rantai yang dicatatnya
kunci-publik.pem          kunci publik server untuk memeriksa tanda tangan
ringkasan.pdf             ringkasan: jalur yang dilalui, siapa, kapan, durasi dalam hari kerja
                          (HK) terhadap Waktu SOP, pekerjaan per OPD, daftar dokumen
verify_bundle.py          pemeriksa mandiri (Python + paket cryptography saja)


CARA MEMERIKSA
--------------
1. Pasang Python 3.8 atau lebih baru dan paket cryptography:
       pip install cryptography
2. Jalankan, untuk berkas zip ini atau folder hasil ekstraknya:
       python verify_bundle.py {zip_name}
       python verify_bundle.py <folder>
3. Pemeriksa mencetak setiap hal yang diperiksanya. Kode keluar:
       0  semua lolos (TERVERIFIKASI)
       1  ada yang gagal; yang pertama disebut (berkas, peristiwa seq, atau dokumen)
       2  masukan tidak dapat dipakai (bukan bundel audit)
4. Cocokkan key id di atas dengan kunci publik yang diumumkan server (halaman admin
   "Kunci", README instalasi). Bundel yang kuncinya diganti tidak membuktikan apa-apa.


YANG DIPERIKSA
--------------
- Hash setiap peristiwa dihitung ulang: SHA-256 dari JSON kanonik (kunci terurut, tanpa
  spasi, UTF-8) objek {{instance_id, seq, type, occurred_at, actor_id, task_id, element_id,
  payload, prev_hash}}, ditambah "payload_version" hanya bila nilainya bukan 1; dan setiap
  prev_hash sama dengan hash peristiwa sebelumnya.
- Ujung rantai sama dengan kepala-rantai.json (jumlah dan hash terakhir), dan tanda tangan
  kepala rantai sah menurut kunci-publik.pem. Pesan yang ditandatangani adalah JSON kanonik
  {{"alur": "instance-head/1", "event_count", "instance_id", "last_hash"}}.
- Setiap titik periksa: heads_digest dan hash-nya dihitung ulang dari daftar kepalanya,
  tanda tangannya sah, dan rantai pelaksanaan ini memuat kepala yang dicatatnya (rantai
  yang ditulis ulang seluruhnya bersama kepalanya tidak lagi cocok).
- Isi setiap dokumen sama dengan SHA-256 pada peristiwa document_added-nya, dan tidak ada
  dokumen yang hilang.
- SHA-256 setiap berkas sama dengan yang tercantum di manifest.json.
"""

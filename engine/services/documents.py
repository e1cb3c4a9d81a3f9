"""Supporting evidence (bukti dukung): accept, store and find the files attached to tasks.

A file is judged by what it contains, never by its name or the type the browser claims:
only PDF, PNG, JPEG, Office Open XML (docx, xlsx, pptx), OpenDocument (odt, ods) and UTF-8
text (csv, txt) are kept. An upload is spooled to a temporary file (hashed and measured as
it comes), judged, then handed to the storage (engine.storage: the upload folder or an S3
bucket) under its content address, before the row that names it is written: a file is
never named before it is stored whole, and one stored by a transaction that then failed is
an orphan the worker sweeps (engine.storage.orphans). The user's filename is kept (cleaned)
only for display and for the download's name.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import (
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
)
from engine.events import EventType
from engine.models import Document, HumanTask, User
from engine.runtime import runtime_of
from engine.services import access, audit, instances, tasks
from engine.storage import StoredFileMissing, content_key
from engine.storage.base import StoredStream
from engine.storage.factory import storage_of

CHUNK = 64 * 1024
FILENAME_LIMIT = 200
ZIP_PART_LIMIT = 1024 * 1024
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
INVISIBLE_CATEGORIES = frozenset({"Cf", "Co", "Cn", "Cs"})
QUOTA_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("application/pdf", (".pdf",))
PNG = FileKind("image/png", (".png",))
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
)
ODT = FileKind("application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", (".ods",))
CSV = FileKind("text/csv", (".csv",))
TEXT = FileKind("text/plain", (".txt",))

# Office Open XML: the main part, and the content type [Content_Types].xml must give it
# (a macro-enabled document declares another type and is refused).
OOXML_PARTS = (
    (DOCX, "word/document.xml", "wordprocessingml.document.main+xml"),
    (XLSX, "xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    (PPTX, "ppt/presentation.xml", "presentationml.presentation.main+xml"),
)
OPENDOCUMENT = {ODT.content_type: ODT, ODS.content_type: ODS}


def add_document(
    session: Session,
    actor: User,
    task_id: int,
    filename: str,
    stream: BinaryIO,
    now: datetime,
    *,
    max_bytes: int,
    storage_dir: Path | None = None,
) -> Document:
    """Store an upload for an open task the actor may work on, and record it in the log.

    `storage_dir`: a local folder instead of the runtime's storage (tools and tests)."""
    access.ensure_can_write(actor)
    task = _open_task_for(session, actor, task_id)
    storage = storage_of(session, storage_dir)
    _check_file_counts(session, actor, task, now)
    temp_path, digest, size = _spool(stream, max_bytes)
    try:
        _check_byte_totals(session, actor, task, size, now)
        kind = detect_kind(temp_path, filename)
        storage_key = content_key(digest)
        with temp_path.open("rb") as source:
            storage.put(storage_key, source)
    finally:
        temp_path.unlink(missing_ok=True)
    display_name = clean_filename(filename, kind)
    document = Document(
        instance_id=task.instance_id,
        task_id=task.id,
        filename=display_name,
        content_type=kind.content_type,
        size=size,
        sha256=digest,
        storage_key=storage_key,
        revision=_next_revision(session, task.instance_id, display_name),
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    session.add(document)
    session.flush()
    audit.record_task_event(
        session,
        task,
        EventType.DOCUMENT_ADDED,
        now,
        actor.id,
        {
            "document_id": document.id,
            "filename": display_name,
            "sha256": digest,
            "size": size,
            "revision": document.revision,
            "content_type": kind.content_type,
        },
    )
    return document


def _open_task_for(session: Session, actor: User, task_id: int) -> HumanTask:
    """The open task, its instance locked first: the upload's event moves the chain head."""
    task = tasks.get_task_for(session, actor, task_id)
    instances.lock_instance(session, task.instance_id)
    session.refresh(task)
    tasks.ensure_may_add_to(actor, task)
    return task


def _quota(session: Session):
    return runtime_of(session).settings


def _check_file_counts(session: Session, actor: User, task: HumanTask, now: datetime) -> None:
    """Before reading the upload: refuse when the task or the person already has the most
    files allowed (per task ever, per person in the last 24 hours)."""
    settings = _quota(session)
    files, _ = _task_totals(session, task.id)
    if files >= settings.upload_task_max_files:
        raise PayloadTooLargeError(
            "This task already has as many documents as allowed; no more can be added to it",
            code="task_file_quota",
            details={"max_files": settings.upload_task_max_files},
        )
    files, _ = _person_totals(session, actor.id, now)
    if files >= settings.upload_user_max_files:
        raise PayloadTooLargeError(
            "You have uploaded as many documents as allowed in 24 hours; try again tomorrow",
            code="user_file_quota",
            details={"max_files": settings.upload_user_max_files},
        )


def _check_byte_totals(
    session: Session, actor: User, task: HumanTask, size: int, now: datetime
) -> None:
    """Once the upload's size is known, before it is kept: the byte totals it would make."""
    settings = _quota(session)
    _, stored = _task_totals(session, task.id)
    if stored + size > settings.upload_task_max_bytes:
        raise PayloadTooLargeError(
            "This file would take the documents of this task past their total size limit",
            code="task_byte_quota",
            details={"max_bytes": settings.upload_task_max_bytes, "used_bytes": stored},
        )
    _, stored = _person_totals(session, actor.id, now)
    if stored + size > settings.upload_user_max_bytes:
        raise PayloadTooLargeError(
            "This file would take your uploads of the last 24 hours past their size limit; "
            "try again tomorrow",
            code="user_byte_quota",
            details={"max_bytes": settings.upload_user_max_bytes, "used_bytes": stored},
        )


def _task_totals(session: Session, task_id: int) -> tuple[int, int]:
    count, total = session.execute(
        select(func.count(Document.id), func.coalesce(func.sum(Document.size), 0)).where(
            Document.task_id == task_id
        )
    ).one()
    return count, total


def _person_totals(session: Session, user_id: int, now: datetime) -> tuple[int, int]:
    count, total = session.execute(
        select(func.count(Document.id), func.coalesce(func.sum(Document.size), 0)).where(
            Document.uploaded_by_id == user_id,
            Document.uploaded_at > now - QUOTA_WINDOW,
        )
    ).one()
    return count, total


def _spool(stream: BinaryIO, max_bytes: int) -> tuple[Path, str, int]:
    """Copy the upload to a temporary file (the system's), hashing as it goes."""
    digest, size = hashlib.sha256(), 0
    handle, name = tempfile.mkstemp(prefix=".upload-")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLargeError(
                        "The file is larger than the upload limit",
                        code="file_too_large",
                        details={"max_bytes": max_bytes},
                    )
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise InvalidInputError("The file is empty", code="file_empty")
    return path, digest.hexdigest(), size


def _next_revision(session: Session, instance_id: int, filename: str) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Document)
        .where(Document.instance_id == instance_id, Document.filename == filename)
    )
    return (count or 0) + 1


def detect_kind(path: Path, filename: str = "") -> FileKind:
    """The file's type from its first bytes (and, for zip files, the parts inside)."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(path)
    else:
        kind = _text_kind(path, filename)
    if kind is None:
        raise InvalidInputError(
            "This type of file is not allowed; upload PDF, an image (PNG, JPEG), an office "
            "document (DOCX, XLSX, PPTX, ODT, ODS) or text (CSV, TXT)",
            code="file_type_not_allowed",
        )
    return kind


def _zip_kind(path: Path) -> FileKind | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return OPENDOCUMENT.get(_read_part(archive, "mimetype").strip())
            if "[Content_Types].xml" not in names:
                return None
            declared = _read_part(archive, "[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError, UnicodeDecodeError):
        return None
    for kind, part, main_type in OOXML_PARTS:
        if part in names and f"officedocument.{main_type}" in declared:
            return kind
    return None


def _read_part(archive: zipfile.ZipFile, name: str) -> str:
    """A small part of an archive as text; a part that inflates past the limit is refused."""
    if archive.getinfo(name).file_size > ZIP_PART_LIMIT:
        raise ValueError(f"{name} is too large")
    with archive.open(name) as part:
        return part.read(ZIP_PART_LIMIT + 1)[:ZIP_PART_LIMIT].decode("utf-8")


def _text_kind(path: Path, filename: str) -> FileKind | None:
    """UTF-8 text without NUL bytes: CSV when named so, plain text otherwise."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    return None
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return CSV if filename.lower().endswith(".csv") else TEXT


def clean_filename(filename: str, kind: FileKind) -> str:
    """A display name without paths or control characters, ending in the file's real type.

    Invisible characters go first: format characters (Unicode category Cf: bidi overrides
    such as U+202E, which make "laporan\u202efdp.txt" read as "laporantxt.pdf", zero-width
    spaces and joiners, byte order marks), private-use, unassigned and surrogate code points;
    the rest is normalised to NFC so one name is stored one way.
    """
    name = "".join(
        char
        for char in unicodedata.normalize("NFC", filename or "")
        if unicodedata.category(char) not in INVISIBLE_CATEGORIES
    )
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_CHARS.sub("_", name)
    name = " ".join(name.split()).strip(" .") or "dokumen"
    if not name.lower().endswith(kind.extensions):
        name = f"{name}{kind.extensions[0]}"
    if len(name) > FILENAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: FILENAME_LIMIT - len(ext) - 1]}{dot}{ext}"
    return name


def can_see_document(session: Session, actor: User, document: Document) -> bool:
    """The run's rule, and a document of one OPD's task stays with that OPD and overseers:
    engine.services.access decides."""
    return access.can_see_document(session, actor, document)


def get_document_for(session: Session, actor: User, document_id: int) -> Document:
    """The document if the actor may see it; otherwise the same 404 as a missing one."""
    document = session.get(Document, document_id)
    if document is None or not can_see_document(session, actor, document):
        raise NotFoundError("Document not found", code="document_not_found")
    return document


def list_documents(
    session: Session, actor: User, instance_id: int, task_id: int | None = None
) -> list[Document]:
    """An instance's documents (or one task's) that the actor may see, newest first."""
    instances.get_instance_for(session, actor, instance_id)
    query = select(Document).where(Document.instance_id == instance_id)
    if task_id is not None:
        query = query.where(Document.task_id == task_id)
    rows = session.scalars(query.order_by(Document.uploaded_at.desc(), Document.id.desc()))
    return [document for document in rows if can_see_document(session, actor, document)]


def open_document(
    session: Session, document: Document, *, storage_dir: Path | None = None
) -> StoredStream:
    """The stored bytes of a document the caller was allowed to see, as a stream with its
    `size` (close it); NotFoundError when the file is gone (or its key names nothing)."""
    try:
        return storage_of(session, storage_dir).open(document.storage_key)
    except StoredFileMissing as error:
        raise NotFoundError("The stored file is missing", code="document_file_missing") from error

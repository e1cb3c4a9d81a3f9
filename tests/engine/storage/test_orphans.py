"""The orphan sweep, on both backends: a file stored by a transaction that then rolled back
goes once it is older than the grace period; files a document names, and young files (an
upload whose transaction may not have committed yet), stay."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.db import utcnow
from engine.models.jobs import Job
from engine.services import documents
from engine.services.jobkinds import handler_of
from engine.storage import content_key, orphans
from tests.support import open_tasks, start_sop, user

GRACE = timedelta(minutes=60)  # engine.config's default orphan_grace_minutes


def pdf(n: int) -> bytes:
    return b"%PDF-1.7\n" + f"bukti {n}\n".encode()


def key_of(data: bytes) -> str:
    return content_key(hashlib.sha256(data).hexdigest())


@pytest.fixture()
def task(session, now):
    return open_tasks(session, start_sop(session, now).id, "Task_01")[0]


def upload(session, now, task, data: bytes, *, roll_back: bool = False):
    """One upload; with roll_back its transaction fails after the file was stored."""
    savepoint = session.begin_nested()
    documents.add_document(session, user(session, "tim1"), task.id, "bukti.pdf",
                           io.BytesIO(data), now, max_bytes=1 << 20)
    session.flush()
    (savepoint.rollback if roll_back else savepoint.commit)()


def test_an_orphan_goes_after_the_grace_period_and_named_files_stay(session, now, task,
                                                                     storage):
    upload(session, now, task, pdf(1))
    upload(session, now, task, pdf(2), roll_back=True)
    assert storage.exists(key_of(pdf(2)))  # stored before the row, which never committed
    young = orphans.sweep(session, storage, utcnow() - GRACE)
    assert young.removed == [] and storage.exists(key_of(pdf(2)))
    later = orphans.sweep(session, storage, utcnow() + timedelta(minutes=1))
    assert later.removed == [key_of(pdf(2))]
    assert not storage.exists(key_of(pdf(2))) and storage.exists(key_of(pdf(1)))


def test_content_stored_again_is_fresh_for_the_sweep(session, now, task, storage, raw):
    upload(session, now, task, pdf(3), roll_back=True)
    raw.age(raw.name_of(hashlib.sha256(pdf(3)).hexdigest()), minutes=120)  # local only
    upload(session, now, task, pdf(3), roll_back=True)  # the same content, uploaded again
    assert orphans.sweep(session, storage, utcnow() - GRACE).removed == []


def test_a_run_looks_at_a_bounded_number_of_keys_and_resumes(session, now, task, storage):
    for n in range(3):
        upload(session, now, task, pdf(n), roll_back=True)
    keys = sorted(key_of(pdf(n)) for n in range(3))
    cutoff = utcnow() + timedelta(minutes=1)
    first = orphans.sweep(session, storage, cutoff, limit=2)
    assert (first.removed, first.resume_after) == (keys[:2], keys[1])
    second = orphans.sweep(session, storage, cutoff, after=first.resume_after, limit=2)
    assert (second.removed, second.resume_after) == (keys[2:], None)


def test_the_job_sweeps_and_schedules_the_next_sweep(session, now, task, storage):
    upload(session, now, task, pdf(4), roll_back=True)
    orphans.ensure_recurring(session, now)
    orphans.ensure_recurring(session, now + timedelta(days=1))  # never moves the one there is
    job = session.scalars(select(Job).where(Job.key == orphans.KEY)).one()
    assert (job.kind, job.run_at) == ("storage_orphans", now)
    later = utcnow() + GRACE + timedelta(minutes=1)
    result = handler_of("storage_orphans")(session, {}, later)
    assert result.removed == [key_of(pdf(4))] and not storage.exists(key_of(pdf(4)))
    session.refresh(job)
    assert (job.run_at, job.payload) == (later + orphans.EVERY, {})


def test_leftovers_of_unfinished_writes_go_and_foreign_files_stay(session, storage, raw,
                                                                  backend):
    if backend != "local":
        pytest.skip("a local folder's leftovers")
    raw.write("ab/.tmp-k3x9_q", b"half")
    raw.write(".upload-old1", b"spooled by an older version")
    raw.write("catatan.txt", b"not ours")
    for name in ("ab/.tmp-k3x9_q", ".upload-old1", "catatan.txt"):
        raw.age(name, minutes=120)
    removed = orphans.sweep(session, storage, utcnow() - GRACE).removed
    assert removed == [".upload-old1", "ab/.tmp-k3x9_q"]
    assert raw.names() == ["catatan.txt"]


def test_unfinished_multipart_uploads_are_aborted(session, storage, backend):
    if backend != "s3":
        pytest.skip("S3 multipart uploads")
    client, name = storage.client, storage.prefix + key_of(b"never finished")
    client.create_multipart_upload(Bucket=storage.bucket, Key=name)
    # (moto reports every upload as begun in 2010, so a young one cannot be shown here)
    assert orphans.sweep(session, storage, utcnow() + timedelta(minutes=1)).partial_aborted == 1
    assert client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", []) == []

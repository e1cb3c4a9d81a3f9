"""The orphan sweep: stored files no document row names, removed by the worker.

A file is stored before the row that names it commits (engine.services.documents), so a
transaction that fails after storing leaves a file nothing names: an orphan. The job kind
"storage_orphans" (one recurring job, key "storage:orphans") lists the stored keys older
than `orphan_grace_minutes`, asks the database which of them a document names, and deletes
the others, at most SCAN_LIMIT keys a run: a run that reaches the limit continues from the
last key at once, otherwise the next sweep is an hour later, from the start.

Why the grace period makes this safe: a file younger than it may belong to an upload whose
transaction has not committed yet. Storing content that is stored already marks it fresh
(Storage.put), and each orphan's age is read again just before it is deleted, so a file an
upload is about to name again is not taken from under it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Document
from engine.runtime import runtime_of
from engine.services import jobs
from engine.storage.base import Storage

log = logging.getLogger(__name__)

KIND = "storage_orphans"
KEY = "storage:orphans"
EVERY = timedelta(hours=1)
SCAN_LIMIT = 5000  # keys looked at in one run (one job transaction)
NAMED_BATCH = 500  # keys asked about in one query


@dataclass(frozen=True)
class Sweep:
    scanned: int
    removed: list[str]
    partial_aborted: int
    resume_after: str | None  # the run stopped at SCAN_LIMIT: the next continues here


def sweep_orphans(session: Session, payload: dict, now: datetime) -> Sweep:
    """The job handler (engine.services.jobkinds): one bounded sweep, then the next one
    scheduled (at once to continue, else in an hour)."""
    runtime = runtime_of(session)
    cutoff = now - timedelta(minutes=runtime.settings.orphan_grace_minutes)
    result = sweep(session, runtime.storage, cutoff, after=payload.get("after"))
    if result.removed or result.partial_aborted:
        log.info("storage sweep: %d orphan(s) removed, %d unfinished upload(s) aborted "
                 "(%d key(s) looked at)", len(result.removed), result.partial_aborted,
                 result.scanned)
    if result.resume_after is not None:
        jobs.enqueue(session, KIND, {"after": result.resume_after}, run_at=now, key=KEY)
    else:
        jobs.enqueue(session, KIND, {}, run_at=now + EVERY, key=KEY)
    return result


def sweep(session: Session, storage: Storage, cutoff: datetime, *,
          after: str | None = None, limit: int = SCAN_LIMIT) -> Sweep:
    """Delete the files last written before `cutoff` that no document names, looking at
    no more than `limit` keys (in key order, after `after`)."""
    scanned, removed, last = 0, [], None
    for batch in _batches(islice(storage.iter_keys(cutoff, after=after), limit), NAMED_BATCH):
        named = set(session.scalars(select(Document.storage_key)
                                    .where(Document.storage_key.in_(batch))))
        for key in batch:
            if key not in named and _still_old(storage, key, cutoff):
                storage.delete(key)
                removed.append(key)
        scanned += len(batch)
        last = batch[-1]
    aborted = storage.abandon_partial(cutoff) if after is None else 0
    return Sweep(scanned, removed, aborted, last if scanned >= limit else None)


def _still_old(storage: Storage, key: str, cutoff: datetime) -> bool:
    """Read the age again: an upload may have stored the same content since the listing."""
    written = storage.modified_at(key)
    return written is not None and written < cutoff


def _batches(keys: Iterable[str], size: int) -> Iterator[list[str]]:
    keys = iter(keys)
    while batch := list(islice(keys, size)):
        yield batch


def ensure_recurring(session: Session, now: datetime) -> None:
    """Make sure the one recurring sweep job exists (due now when it is made). Idempotent,
    safe for several workers starting at once: it never moves a scheduled sweep."""
    jobs.ensure(session, KIND, KEY, now)

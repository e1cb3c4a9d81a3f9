"""Someone with database (and disk) access edits a real run's history: every kind of edit is
found, and the verdict names the right event.

The run: the SOP started, a document on row 1, rows 1-2 done (checkpoint 1), a document
on row 3, rows 3-5 done (checkpoint 2), rows 6-9 done (not checkpointed yet).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from engine.models import Event, ProcessInstance
from engine.models.trust import CheckpointHead
from engine.services import audit, checkpoints, documents, history, verification
from tests.support import PLANNING, complete_all, open_tasks, run_rows, start_sop, user

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TEXT = b"Notulen rapat penyusunan rencana aksi\n"


@dataclass
class Run:
    id: int
    storage: Path
    first_checkpoint: int  # the run's event count each checkpoint recorded
    second_checkpoint: int
    documents: list[int]  # seqs of its document_added events
    last: int  # its event count

    def verify(self, session) -> verification.Verdict:
        return verification.verify_instance(session, self.id, storage_dir=self.storage)


def _upload(session, now, instance_id, element_id, name, body, storage):
    task = open_tasks(session, instance_id, element_id)[0]
    documents.add_document(session, user(session, "tim1"), task.id, name, io.BytesIO(body), now,
                           storage_dir=storage, max_bytes=1024 * 1024)


def _count(session, instance_id) -> int:
    session.flush()
    return session.get(ProcessInstance, instance_id).event_count


@pytest.fixture()
def run(session, now, tmp_path) -> Run:
    storage = tmp_path / "uploads"
    instance_id = start_sop(session, now).id
    _upload(session, now, instance_id, "Task_01", "Notulen.pdf", PDF, storage)
    run_rows(session, instance_id, PLANNING[:2], now)
    first = _count(session, instance_id)
    checkpoints.write_checkpoint(session, now)
    _upload(session, now, instance_id, "Task_03", "Rencana.txt", TEXT, storage)
    run_rows(session, instance_id, PLANNING[2:5], now)
    second = _count(session, instance_id)
    checkpoints.write_checkpoint(session, now)
    run_rows(session, instance_id, PLANNING[5:], now)
    last = _count(session, instance_id)
    seqs = session.scalars(select(Event.seq).where(Event.instance_id == instance_id,
                                                   Event.type == "document_added")
                           .order_by(Event.seq)).all()
    assert first < seqs[1] < second < last - 5
    return Run(instance_id, storage, first, second, list(seqs), last)


def _events(run: Run):
    return Event.instance_id == run.id


def _edit_head(session, run: Run, **values) -> None:
    session.execute(update(ProcessInstance).where(ProcessInstance.id == run.id).values(**values))
    session.expire_all()


def assert_broken(verdict, problem: str, seq: int) -> None:
    assert (verdict.ok, verdict.problem, verdict.broken_seq) == (False, problem, seq), verdict
    assert verdict.params["seq"] == seq
    assert f"{seq}" in verdict.message % verdict.params


def test_the_untouched_run_verifies(session, run):
    verdict = run.verify(session)
    assert verdict.ok and verdict.signature_ok, verdict
    assert (verdict.events_checked, verdict.documents_checked, verdict.checkpoints_checked) == (
        run.last, 2, 2)


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_event_s_data_changed(session, run, where):
    seq = {"first": 1, "middle": run.second_checkpoint - 1, "last": run.last}[where]
    session.execute(update(Event).where(_events(run), Event.seq == seq)
                    .values(payload={"data": {"judul": "Diubah"}}))
    assert_broken(run.verify(session), "hash_mismatch", seq)


def test_an_event_s_time_changed(session, run, now):
    seq = run.first_checkpoint + 1
    session.execute(update(Event).where(_events(run), Event.seq == seq)
                    .values(occurred_at=now.replace(hour=3)))
    assert_broken(run.verify(session), "hash_mismatch", seq)


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_an_event_deleted(session, run, where):
    seq = {"first": 1, "middle": run.second_checkpoint, "last": run.last}[where]
    session.execute(delete(Event).where(_events(run), Event.seq == seq))
    assert_broken(run.verify(session), "events_missing", seq)


def test_two_events_swapped(session, run):
    seq = run.first_checkpoint + 2
    swap = [(seq, -1), (seq + 1, seq), (-1, seq + 1)]
    for old, new in swap:
        session.execute(update(Event).where(_events(run), Event.seq == old).values(seq=new))
    assert_broken(run.verify(session), "link_broken", seq)


def test_a_document_s_bytes_changed_on_disk(session, run):
    path = next(p for p in run.storage.rglob("*") if p.is_file() and p.read_bytes() == TEXT)
    path.write_bytes(TEXT.replace(b"rencana", b"RENCANA"))
    verdict = run.verify(session)
    assert_broken(verdict, "document_changed", run.documents[1])
    assert verdict.params["filename"] == "Rencana.txt"


def test_a_document_s_file_removed(session, run):
    next(p for p in run.storage.rglob("*") if p.is_file() and p.read_bytes() == PDF).unlink()
    assert_broken(run.verify(session), "document_missing", run.documents[0])


def _rewrite_from(session, run: Run, seq: int, payload: dict) -> str:
    """Change event `seq`, then recompute every hash after it and the head, as someone with
    database access (but without the key) would: returns the new last hash."""
    rows = session.scalars(select(Event).where(_events(run)).order_by(Event.seq)).all()
    prev = None
    for event in rows:
        if event.seq == seq:
            event.payload = payload
        if event.seq >= seq:
            event.prev_hash = prev
            event.hash = audit.event_hash(audit.hashed_fields(event), prev)
        prev = event.hash
    session.flush()
    _edit_head(session, run, last_event_hash=prev)
    return prev


def test_a_rewritten_chain_and_head_show_at_the_first_checkpoint_after_the_change(session, run):
    changed = run.first_checkpoint + 2
    _rewrite_from(session, run, changed, {"data": {"judul": "Ditulis ulang"}})
    assert history_links_hold(session, run)
    verdict = run.verify(session)
    assert_broken(verdict, "checkpoint_mismatch", run.second_checkpoint)
    assert verdict.params["checkpoint"] == 2
    assert not verdict.signature_ok


def test_a_rewritten_tail_no_checkpoint_saw_shows_in_the_head_signature(session, run):
    _rewrite_from(session, run, run.last - 1, {"data": {"judul": "Ditulis ulang"}})
    verdict = run.verify(session)
    assert_broken(verdict, "head_signature_invalid", run.last)
    assert not verdict.signature_ok


def test_a_rewritten_tail_with_its_signature_removed_is_unsigned(session, run):
    _rewrite_from(session, run, run.last - 1, {"data": {"judul": "Ditulis ulang"}})
    _edit_head(session, run, head_signature=None, head_key_id=None)
    assert_broken(run.verify(session), "head_unsigned", run.last)


def test_a_rewrite_that_also_edits_the_checkpoint_breaks_the_checkpoint(session, run):
    new_hash = _rewrite_from(session, run, run.second_checkpoint, {"data": {"judul": "X"}})
    rewritten = session.scalar(select(Event.hash).where(_events(run),
                                                        Event.seq == run.second_checkpoint))
    session.execute(update(CheckpointHead).where(CheckpointHead.instance_id == run.id,
                                                 CheckpointHead.event_count
                                                 == run.second_checkpoint)
                    .values(last_hash=rewritten))
    verdict = run.verify(session)
    assert_broken(verdict, "checkpoint_invalid", run.second_checkpoint)
    assert new_hash != rewritten and not verdict.signature_ok
    assert not verification.verify_checkpoints(session).ok


def test_a_rollback_to_an_older_signed_head_after_a_checkpoint(session, run, now):
    old = session.get(ProcessInstance, run.id)
    kept = {"event_count": old.event_count, "last_event_hash": old.last_event_hash,
            "head_signature": old.head_signature, "head_key_id": old.head_key_id}
    newer = _more_events(session, run, now)
    checkpoints.write_checkpoint(session, now)  # the worker saw the newer head
    session.execute(delete(Event).where(_events(run), Event.seq > run.last))
    _edit_head(session, run, **kept)  # a head that was really signed, put back
    verdict = run.verify(session)
    assert_broken(verdict, "events_missing", run.last + 1)
    assert verdict.signature_ok  # the old signature is genuine: only the checkpoint knows
    assert newer > run.last


def _more_events(session, run: Run, now) -> int:
    """Row 10 for every OPD: the run moves on past `run.last`."""
    complete_all(session, run.id, "Task_10", now)
    return _count(session, run.id)


def history_links_hold(session, run: Run) -> bool:
    """The rewrite is self-consistent: walking the links alone finds nothing."""
    return history.verify_chain(history.list_events(session, run.id)) is None

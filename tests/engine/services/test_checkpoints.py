"""Signed checkpoints of the chain heads: only what moved, chained, signed, in the documented
format; one writer at a time; heads of runs made before signing are signed once."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine.db import unit_of_work
from engine.models import Event, ProcessInstance
from engine.models.trust import ChainCheckpoint, CheckpointHead
from engine.runtime import runtime_of
from engine.services import checkpoints, verification
from engine.signing import head_message
from tests.conftest import racing_factory
from tests.support import run_rows, start_sop


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def heads_of(session, checkpoint) -> list[tuple]:
    return sorted(
        session.execute(select(CheckpointHead.instance_id, CheckpointHead.event_count,
                               CheckpointHead.last_hash)
                        .where(CheckpointHead.checkpoint_id == checkpoint.id)).all(),
        key=lambda head: checkpoints.head_sort_key(head[0]))


def global_head(session) -> tuple:
    last = session.execute(select(Event.seq, Event.hash).where(Event.instance_id.is_(None))
                           .order_by(Event.seq.desc()).limit(1)).one()
    return (None, last.seq, last.hash)


def test_the_first_checkpoint_lists_every_head_and_is_signed(session, now):
    first, second = start_sop(session, now), start_sop(session, now)
    session.flush()
    written = checkpoints.write_checkpoint(session, now)
    heads = heads_of(session, written)
    assert heads == [global_head(session),
                     (first.id, first.event_count, first.last_event_hash),
                     (second.id, second.event_count, second.last_event_hash)]
    assert (written.seq, written.prev_hash, written.head_count) == (1, None, 3)
    # the documented format, recomputed by hand
    listed = [{"event_count": n, "instance_id": i, "last_hash": h} for i, n, h in heads]
    assert written.heads_digest == hashlib.sha256(canonical(listed)).hexdigest()
    body = {"created_at": "2026-01-05T02:00:00+00:00", "head_count": 3,
            "heads_digest": written.heads_digest, "key_id": written.key_id,
            "prev_hash": None, "seq": 1}
    assert written.hash == hashlib.sha256(canonical(body)).hexdigest()
    signer = runtime_of(session).signer
    assert written.key_id == signer.key_id
    assert signer.verify(written.signature, written.hash.encode("ascii"))


def test_only_moved_heads_are_listed_and_nothing_moved_writes_nothing(session, now):
    still, moving = start_sop(session, now), start_sop(session, now)
    session.flush()
    first = checkpoints.write_checkpoint(session, now)
    assert checkpoints.write_checkpoint(session, now + timedelta(minutes=5)) is None
    run_rows(session, moving.id, ["Task_01"], now)
    session.flush()
    second = checkpoints.write_checkpoint(session, now + timedelta(minutes=10))
    assert heads_of(session, second) == [(moving.id, moving.event_count, moving.last_event_hash)]
    assert (second.seq, second.prev_hash, second.head_count) == (2, first.hash, 1)
    assert still.id not in {head[0] for head in heads_of(session, second)}
    assert checkpoints.write_checkpoint(session, now + timedelta(minutes=15)) is None


def test_a_moved_global_chain_is_listed_with_no_instance(session, now):
    from engine.errors import InvalidDiagramError
    from engine.services import deployments

    start_sop(session, now)
    session.flush()
    checkpoints.write_checkpoint(session, now)
    error = InvalidDiagramError("The diagram was refused: 1 problem(s)", code="invalid_diagram")
    deployments.record_rejected_deploy(session, filename="x.bpmn", data=b"<x/>", error=error,
                                       now=now)
    session.flush()
    written = checkpoints.write_checkpoint(session, now + timedelta(minutes=5))
    assert heads_of(session, written) == [global_head(session)]


def test_checkpoints_are_chained_and_verify(session, now):
    instance = start_sop(session, now)
    session.flush()
    checkpoints.write_checkpoint(session, now)
    run_rows(session, instance.id, ["Task_01", "Task_02"], now)
    session.flush()
    checkpoints.write_checkpoint(session, now + timedelta(minutes=5))
    rows = session.scalars(select(ChainCheckpoint).order_by(ChainCheckpoint.seq)).all()
    assert [c.seq for c in rows] == [1, 2] and rows[1].prev_hash == rows[0].hash
    verdict = verification.verify_checkpoints(session)
    assert (verdict.ok, verdict.checkpoints_checked, verdict.chain) == (True, 2, "checkpoints")


def _write_at_once(factory, now, barrier, written, errors) -> None:
    try:
        with unit_of_work(factory) as session:
            barrier.wait()
            checkpoint = checkpoints.write_checkpoint(session, now)
            session.commit()
            written.append(checkpoint.seq if checkpoint else None)
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)


@pytest.fixture()
def shared_factory(database_url, tmp_path):
    yield from racing_factory(database_url, "checkpoint_race", tmp_path)


def test_two_writers_at_once_write_one_checkpoint(shared_factory, now):
    with unit_of_work(shared_factory) as session:
        start_sop(session, now)
        session.commit()
    barrier, written, errors = threading.Barrier(2), [], []
    threads = [threading.Thread(target=_write_at_once,
                                args=(shared_factory, now, barrier, written, errors))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(written, key=lambda seq: seq or 0) == [None, 1]
    with unit_of_work(shared_factory) as session:
        listed = session.execute(select(CheckpointHead.instance_id)).scalars().all()
        assert len(listed) == len(set(listed)) == 2  # the global chain and the run, once each
        assert verification.verify_checkpoints(session).ok


def _unsign(session, instance_id: int) -> None:
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                    .values(head_signature=None, head_key_id=None))
    session.expire_all()


def test_heads_made_before_signing_are_signed_once_if_their_chain_holds(session, now):
    sound, broken = start_sop(session, now), start_sop(session, now)
    session.flush()
    for instance in (sound, broken):
        _unsign(session, instance.id)
    session.execute(update(Event).where(Event.instance_id == broken.id, Event.seq == 1)
                    .values(payload={"diubah": True}))
    assert verification.verify_instance(session, sound.id).problem == "head_unsigned"
    done = checkpoints.sign_unsigned_heads(session)
    assert done.signed == [sound.id] and done.refused == [(broken.id, 1)]
    session.expire_all()
    assert verification.verify_instance(session, sound.id).ok
    kept = session.get(ProcessInstance, broken.id)
    assert kept.head_signature is None  # a chain that does not hold is never vouched for
    signer = runtime_of(session).signer
    signed = session.get(ProcessInstance, sound.id)
    assert signer.verify(signed.head_signature,
                         head_message(signed.id, signed.event_count, signed.last_event_hash))
    assert checkpoints.sign_unsigned_heads(session).signed == []  # once

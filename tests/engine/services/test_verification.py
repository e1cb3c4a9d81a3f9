"""The verdict: its shape, the head and its signature, the checkpoints' own integrity, the
global chain, and verify_all streaming every chain with the same verdicts as one by one."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from engine.db import read_only, unit_of_work
from engine.errors import InvalidDiagramError, NotFoundError
from engine.models import Event, ProcessInstance
from engine.models.trust import ChainCheckpoint, CheckpointHead
from engine.services import audit, checkpoints, deployments, history, verification
from engine.signing import head_message, load_or_create
from tests.conftest import racing_factory
from tests.support import run_rows, start_sop

CONTRACT_KEYS = {"instance_id", "ok", "events_checked", "broken_seq", "problem", "message",
                 "params", "signature_ok", "checkpoints_checked", "documents_checked"}


@pytest.fixture()
def instance(session, now) -> ProcessInstance:
    started = start_sop(session, now)
    run_rows(session, started.id, ["Task_01", "Task_02"], now)
    session.flush()
    return started


def _head(session, instance, **values) -> None:
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance.id)
                    .values(**values))
    session.expire_all()


def test_a_verdict_is_json_with_every_field_of_the_contract(session, instance):
    verdict = verification.verify_instance(session, instance.id)
    answer = verdict.to_dict()
    assert CONTRACT_KEYS <= set(answer) and json.loads(json.dumps(answer)) == answer
    assert answer["ok"] and answer["broken_seq"] is None and answer["problem"] is None
    assert answer["events_checked"] == instance.event_count
    assert verdict.message % verdict.params  # a msgid with its parameters


def test_an_unknown_instance_is_not_found(session):
    with pytest.raises(NotFoundError):
        verification.verify_instance(session, 987654)


def test_every_message_takes_its_parameters():
    params = {"seq": 4, "checkpoint": 2, "filename": "a.pdf", "key_id": "ab", "events": 3,
              "checkpoints": 1}
    texts = [*verification.MESSAGES.values(), verification.UNKNOWN_KEY, verification.CHAIN_OK,
             verification.CHECKPOINTS_OK, verification.CHECKPOINT_CHANGED,
             verification.CHECKPOINT_GONE]
    assert all("%(" not in text % params for text in texts)
    assert set(verification.MESSAGES) == set(verification.PROBLEMS)


def test_a_head_moved_back_without_deleting(session, instance):
    count = instance.event_count
    _head(session, instance, event_count=count - 2)
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.problem, verdict.broken_seq) == ("head_signature_invalid", count - 2)


def test_events_beyond_a_validly_signed_head_are_extra(session, instance):
    count = instance.event_count
    last = session.scalar(select(Event.hash).where(Event.instance_id == instance.id,
                                                   Event.seq == count - 2))
    instance.event_count, instance.last_event_hash = count - 2, last
    audit.sign_head(session, instance)  # as if the head had never moved past count - 2
    session.flush()
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.problem, verdict.broken_seq, verdict.signature_ok) == (
        "events_extra", count - 1, True)


def test_a_head_whose_hash_was_edited(session, instance):
    _head(session, instance, last_event_hash="0" * 64)
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.problem, verdict.broken_seq) == ("head_mismatch", instance.event_count)
    assert not verdict.signature_ok


def test_a_head_signed_by_an_unknown_key(session, instance, tmp_path):
    other = load_or_create(tmp_path / "other.pem")
    message = head_message(instance.id, instance.event_count, instance.last_event_hash)
    _head(session, instance, head_signature=other.sign(message), head_key_id=other.key_id)
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.problem, verdict.broken_seq) == ("head_signature_invalid",
                                                     instance.event_count)
    assert verdict.params["key_id"] == other.key_id and verdict.message == verification.UNKNOWN_KEY


def test_a_signature_of_another_head_does_not_hold(session, instance, now):
    second = start_sop(session, now)
    session.flush()
    _head(session, instance, head_signature=second.head_signature)
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.problem, verdict.signature_ok) == ("head_signature_invalid", False)


def _checkpointed(session, instance, now) -> int:
    """Three checkpoints, the run moving before each: returns the run's count in the second."""
    checkpoints.write_checkpoint(session, now)
    run_rows(session, instance.id, ["Task_03"], now)
    session.flush()
    middle = instance.event_count
    checkpoints.write_checkpoint(session, now + timedelta(minutes=5))
    run_rows(session, instance.id, ["Task_04"], now)
    session.flush()
    checkpoints.write_checkpoint(session, now + timedelta(minutes=10))
    return middle


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (ChainCheckpoint.created_at, "later", "hash"),
        (ChainCheckpoint.signature, "00" * 64, "signature"),
        (ChainCheckpoint.prev_hash, "1" * 64, "link"),
        (ChainCheckpoint.head_count, 7, "head_count"),
    ],
    ids=["created_at", "signature", "prev_hash", "head_count"],
)
def test_an_edited_checkpoint_is_invalid_wherever_it_is_used(session, instance, now, column,
                                                             value, reason):
    middle = _checkpointed(session, instance, now)
    value = now + timedelta(days=1) if value == "later" else value
    session.execute(update(ChainCheckpoint).where(ChainCheckpoint.seq == 2)
                    .values({column.key: value}))
    chain = verification.verify_checkpoints(session)
    assert (chain.problem, chain.broken_seq, chain.params["reason"]) == (
        "checkpoint_invalid", 2, reason)
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.problem, verdict.broken_seq, verdict.params["checkpoint"]) == (
        "checkpoint_invalid", middle, 2)


def test_an_edited_checkpoint_head_breaks_its_digest(session, instance, now):
    middle = _checkpointed(session, instance, now)
    session.execute(update(CheckpointHead).where(CheckpointHead.instance_id == instance.id,
                                                 CheckpointHead.event_count == middle)
                    .values(event_count=middle - 1))
    chain = verification.verify_checkpoints(session)
    assert (chain.broken_seq, chain.params["reason"]) == (2, "heads_digest")


def test_a_deleted_checkpoint_leaves_a_gap_and_its_successor_unlinked(session, instance, now):
    _checkpointed(session, instance, now)
    session.execute(delete(ChainCheckpoint).where(ChainCheckpoint.seq == 2))
    chain = verification.verify_checkpoints(session)
    assert (chain.problem, chain.broken_seq, chain.message) == (
        "checkpoint_invalid", 2, verification.CHECKPOINT_GONE)
    verdict = verification.verify_instance(session, instance.id)
    assert (verdict.problem, verdict.params["checkpoint"]) == ("checkpoint_invalid", 3)
    assert verdict.broken_seq == instance.event_count  # its entry in checkpoint 3


def _refuse_deploy(session, now) -> None:
    error = InvalidDiagramError("The diagram was refused: 1 problem(s)", code="invalid_diagram")
    deployments.record_rejected_deploy(session, filename="x.bpmn", data=b"<x/>", error=error,
                                       now=now)
    session.flush()


def _global(session):
    verdicts = list(verification.verify_all(session))
    assert verdicts[-1].chain == "global" and verdicts[-1].instance_id is None
    return verdicts[-1]


def test_the_global_chain_edited_and_cut_after_a_checkpoint(session, instance, now):
    _refuse_deploy(session, now)
    last = history.list_global_events(session)[-1].seq
    assert _global(session).ok and _global(session).events_checked == last
    checkpoints.write_checkpoint(session, now)
    session.execute(delete(Event).where(Event.instance_id.is_(None), Event.seq == last))
    verdict = _global(session)
    assert (verdict.problem, verdict.broken_seq) == ("events_missing", last)
    assert verification.verify_global(session).broken_seq == last
    session.execute(update(Event).where(Event.instance_id.is_(None), Event.seq == 1)
                    .values(payload={}))
    assert (_global(session).problem, _global(session).broken_seq) == ("hash_mismatch", 1)


def test_verify_all_gives_every_chain_the_verdict_it_gets_alone(session, instance, now):
    broken, empty_tail = start_sop(session, now), start_sop(session, now)
    run_rows(session, broken.id, ["Task_01"], now)
    session.flush()
    checkpoints.write_checkpoint(session, now)
    session.execute(update(Event).where(Event.instance_id == broken.id, Event.seq == 2)
                    .values(element_id="Task_99"))  # the walk stops early in this one
    ids = session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.id)).all()
    verdicts = list(verification.verify_all(session, checkpoints=True))
    assert [v.instance_id for v in verdicts] == [*ids, None, None]
    assert [v.chain for v in verdicts[-2:]] == ["global", "checkpoints"]
    alone = [verification.verify_instance(session, i) for i in ids]
    assert verdicts[:-2] == alone
    by_id = {v.instance_id: v for v in alone}
    assert (by_id[broken.id].problem, by_id[broken.id].broken_seq) == ("hash_mismatch", 2)
    assert by_id[instance.id].ok and by_id[empty_tail.id].ok
    assert by_id[instance.id].checkpoints_checked == 1


@pytest.fixture()
def shared_factory(database_url, tmp_path):
    yield from racing_factory(database_url, "verify_race", tmp_path)


def _append_until(factory, instance_id: int, now, stop: threading.Event, errors: list) -> None:
    """A busy run: one comment-like event per commit, and a checkpoint now and then."""
    from engine.services.instances import lock_instance

    entry = {"type": "gateway_taken", "element_id": "Gateway_17",
             "payload": {"taken": ["Flow_lanjut"]}}
    try:
        for round_no in range(100_000):
            if stop.is_set():
                return
            with unit_of_work(factory) as session:
                audit.record_events(session, lock_instance(session, instance_id), now, [entry])
                if round_no % 5 == 0:
                    checkpoints.write_checkpoint(session, now)
                session.commit()
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)


def test_verifying_while_the_run_moves_finds_nothing_wrong(shared_factory, now):
    with unit_of_work(shared_factory) as session:
        instance_id = start_sop(session, now).id
        session.commit()
    stop, errors = threading.Event(), []
    writer = threading.Thread(target=_append_until,
                              args=(shared_factory, instance_id, now, stop, errors))
    writer.start()
    verdicts = []
    try:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            with read_only(shared_factory) as session:
                verdicts.append(verification.verify_instance(session, instance_id))
                verdicts.extend(verification.verify_all(session, checkpoints=True))
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors, errors
    assert [v for v in verdicts if not v.ok] == []
    assert len(verdicts) > 4

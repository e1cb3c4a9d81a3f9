"""Appending to the log: chained per instance and globally, hashes as they always were for
payload version 1, later versions inside the hash, and the global chain's lock."""

from __future__ import annotations

import hashlib
from string import Template

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from engine.errors import InvalidDiagramError
from engine.events import EventType
from engine.models import Event, ProcessInstance
from engine.services import audit, deployments, history
from tests.support import start_sop, user


@pytest.fixture()
def instance(session, now) -> ProcessInstance:
    started = start_sop(session, now)
    session.flush()
    return started


def sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _refused_deploy(session, now) -> None:
    error = InvalidDiagramError("The diagram was refused: 1 problem(s)", code="invalid_diagram")
    deployments.record_rejected_deploy(
        session, filename="rusak.bpmn", data=b"<bpmn/>", error=error, now=now
    )


def test_a_version_1_hash_is_the_one_written_before_versions_existed(session, now, instance):
    prev = instance.last_event_hash
    event = audit.record_event(
        session,
        instance,
        "gateway_taken",
        now,
        element_id="Gateway_17",
        payload={"taken": ["Flow_lanjut"]},
    )
    session.flush()
    body = Template(
        '{"actor_id":null,"element_id":"Gateway_17","instance_id":$instance,'
        '"occurred_at":"2026-01-05T02:00:00+00:00","payload":{"taken":["Flow_lanjut"]},'
        '"prev_hash":"$prev","seq":$seq,"task_id":null,"type":"gateway_taken"}'
    ).substitute(instance=instance.id, prev=prev, seq=event.seq)
    assert (event.payload_version, event.hash) == (1, sha256(body))


def test_a_global_version_1_hash_by_hand(session, now):
    prev = history.list_global_events(session)[-1]
    _refused_deploy(session, now)
    session.flush()
    event = history.list_global_events(session)[-1]
    body = Template(
        '{"actor_id":null,"element_id":null,"instance_id":null,'
        '"occurred_at":"2026-01-05T02:00:00+00:00","payload":{"code":"invalid_diagram",'
        '"details":{},"filename":"rusak.bpmn","message":"The diagram was refused: 1 problem(s)",'
        '"sha256":"$sha"},"prev_hash":"$prev","seq":$seq,"task_id":null,"type":"deployment_rejected"}'
    ).substitute(sha=hashlib.sha256(b"<bpmn/>").hexdigest(), prev=prev.hash, seq=prev.seq + 1)
    assert (event.seq, event.payload_version, event.hash) == (prev.seq + 1, 1, sha256(body))


def test_a_later_payload_version_is_part_of_the_hash(now):
    fields = dict(
        instance_id=None,
        seq=4,
        type="task_claimed",
        occurred_at=now,
        actor_id=None,
        task_id=None,
        element_id=None,
        payload={},
    )
    first, later = Event(**fields, payload_version=1), Event(**fields, payload_version=2)
    assert "payload_version" not in audit.hashed_fields(first)
    assert audit.hashed_fields(later)["payload_version"] == 2
    body = (
        '{"actor_id":null,"element_id":null,"instance_id":null,'
        '"occurred_at":"2026-01-05T02:00:00+00:00","payload":{},"payload_version":2,'
        '"prev_hash":null,"seq":4,"task_id":null,"type":"task_claimed"}'
    )
    assert audit.event_hash(audit.hashed_fields(later), None) == sha256(body)
    assert audit.event_hash(audit.hashed_fields(first), None) != sha256(body)


def test_events_chain_per_instance_and_the_instance_row_holds_the_head(session, instance):
    events = history.list_events(session, instance.id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash is None
    assert all(e.prev_hash == p.hash for p, e in zip(events, events[1:], strict=False))
    assert (instance.event_count, instance.last_event_hash) == (len(events), events[-1].hash)


def test_a_member_and_its_string_make_the_same_event(session, now, instance):
    hashes = []
    actor_id = user(session, "tim1").id
    for kind in (EventType.TASK_CLAIMED, "task_claimed"):
        savepoint = session.begin_nested()
        event = audit.record_event(session, instance, kind, now, actor_id=actor_id)
        session.flush()
        hashes.append((event.seq, event.type, event.hash))
        savepoint.rollback()
        session.refresh(instance)
    assert hashes[0] == hashes[1] and hashes[0][1] == "task_claimed"


def test_a_bulk_append_chains_as_single_appends_would(session, now, instance):
    entries = [
        {"type": "task_cancelled", "element_id": "Task_01"},
        {"type": EventType.PERIOD_COMPLETED, "payload": {"period_no": 1}},
    ]
    savepoint = session.begin_nested()
    for entry in entries:
        audit.record_event(
            session,
            instance,
            entry["type"],
            now,
            element_id=entry.get("element_id"),
            payload=entry.get("payload"),
        )
    session.flush()
    single = [(e.seq, e.hash) for e in history.list_events(session, instance.id)[-2:]]
    savepoint.rollback()
    session.refresh(instance)
    audit.record_events(session, instance, now, entries)
    session.flush()
    session.expire_all()
    bulk = history.list_events(session, instance.id)
    assert [(e.seq, e.hash) for e in bulk[-2:]] == single
    assert [e.payload_version for e in bulk[-2:]] == [1, 1]
    assert history.verify_chain(bulk) is None


def test_global_events_take_the_next_seq_of_the_global_chain(session, now):
    before = history.list_global_events(session)
    _refused_deploy(session, now)
    _refused_deploy(session, now)
    session.flush()
    after = history.list_global_events(session)
    assert [e.seq for e in after] == list(range(1, len(before) + 3))
    assert after[-1].prev_hash == after[-2].hash and after[-2].prev_hash == before[-1].hash
    assert history.verify_chain(after) is None


def test_the_database_refuses_a_fork_of_the_global_chain(session, now):
    head = history.list_global_events(session)[-1]
    fork = {
        "instance_id": None,
        "seq": head.seq,
        "type": "deployment_rejected",
        "occurred_at": now,
        "payload": {},
        "prev_hash": head.prev_hash,
        "hash": "f" * 64,
    }
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(insert(Event), [fork])


def test_the_global_chain_lock_is_held_until_the_transaction_ends(session, db_engine):
    if db_engine.dialect.name != "postgresql":
        pytest.skip("SQLite: every write transaction holds the write lock from BEGIN IMMEDIATE")
    audit.lock_global_chain(session)
    audit.lock_global_chain(session)  # re-entrant within one transaction
    with db_engine.connect() as other:
        taken = other.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": audit.GLOBAL_CHAIN_LOCK}
        ).scalar()
    assert taken is False

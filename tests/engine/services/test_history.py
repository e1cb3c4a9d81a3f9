"""Reading the log back: a chain verifies until any stored event is edited or removed, and
chains written before payload versions existed still verify after the upgrade."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import JSON, bindparam, delete, text, update
from sqlalchemy.orm import Session

from engine.db import UTCDateTime, make_engine
from engine.errors import InvalidDiagramError
from engine.migrations import upgrade_database
from engine.models import Event, ProcessInstance
from engine.services import audit, comments, deployments, history, instances, tasks
from tests.conftest import isolated_database
from tests.support import SOP_KEY, answers, open_tasks, user


@pytest.fixture()
def instance_id(session, now) -> int:
    """A run with a few kinds of event: started, opened, claimed, completed, commented."""
    tim1 = user(session, "tim1")
    instance = instances.start_instance(session, tim1, SOP_KEY, answers("mulai-pelaksanaan"), now)
    row1 = open_tasks(session, instance.id, "Task_01")[0]
    tasks.claim_task(session, tim1, row1.id, now)
    tasks.complete_task(session, tim1, row1.id, answers("perencanaan-tujuan"), now)
    comments.add_comment(session, user(session, "kepala"), row1.id, "Baik", now)
    session.flush()
    return instance.id


def _edit(session, instance_id: int | None, seq: int, **values) -> None:
    owner = Event.instance_id.is_(None) if instance_id is None else Event.instance_id == instance_id
    session.execute(update(Event).where(owner, Event.seq == seq).values(**values))
    session.expire_all()


def test_an_untouched_chain_verifies_in_order(session, instance_id):
    events = history.list_events(session, instance_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1)) and len(events) >= 6
    assert {"instance_started", "task_claimed", "task_completed", "comment_added"} <= {
        e.type for e in events
    }
    assert history.verify_chain(events) is None


@pytest.mark.parametrize(
    "change",
    [
        {"payload": {"edited": True}},
        {"type": "task_unclaimed"},
        {"actor_id": None},
        {"element_id": "Task_99"},
        {"payload_version": 2},
    ],
    ids=lambda change: next(iter(change)),
)
def test_an_edited_event_breaks_the_chain_there(session, now, instance_id, change):
    _edit(session, instance_id, 3, **change)
    assert history.verify_chain(history.list_events(session, instance_id)) == 3


def test_an_edited_time_or_hash_breaks_the_chain(session, now, instance_id):
    _edit(session, instance_id, 2, occurred_at=now + timedelta(seconds=1))
    assert history.verify_chain(history.list_events(session, instance_id)) == 2
    _edit(session, instance_id, 2, occurred_at=now, hash="0" * 64)
    assert history.verify_chain(history.list_events(session, instance_id)) == 2


def test_a_removed_event_breaks_the_chain_at_the_next(session, instance_id):
    session.execute(delete(Event).where(Event.instance_id == instance_id, Event.seq == 4))
    session.expire_all()
    assert history.verify_chain(history.list_events(session, instance_id)) == 5


def test_the_global_chain_verifies_and_breaks_like_the_others(session, now):
    error = InvalidDiagramError("The diagram was refused: 1 problem(s)", code="invalid_diagram")
    for name in ("a.bpmn", "b.bpmn"):
        deployments.record_rejected_deploy(
            session, filename=name, data=b"<x/>", error=error, now=now
        )
    session.flush()
    events = history.list_global_events(session)
    assert all(e.instance_id is None for e in events) and len(events) >= 3
    assert history.verify_chain(events) is None
    _edit(session, None, events[-2].seq, payload={**events[-2].payload, "filename": "c.bpmn"})
    assert history.verify_chain(history.list_global_events(session)) == events[-2].seq


# ---- chains from before revision 0003 ---------------------------------------------------

V1_EVENT = text(
    "INSERT INTO events (instance_id, seq, type, occurred_at, payload, prev_hash, hash) "
    "VALUES (NULL, :seq, 'deployment_rejected', :at, :payload, :prev, :hash)"
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("payload", type_=JSON()))


def _write_v1_global_events(url: str, now, seqs: list[int]) -> None:
    """Global events as revision 0002 stored them: no payload_version column at all."""
    engine = make_engine(url)
    prev = None
    with engine.begin() as connection:
        for seq in seqs:
            payload = {
                "filename": f"lama-{seq}.bpmn",
                "sha256": "a" * 64,
                "code": "invalid_diagram",
                "message": "refused",
                "details": {},
            }
            fields = {
                "instance_id": None,
                "seq": seq,
                "type": "deployment_rejected",
                "occurred_at": now.isoformat(),
                "actor_id": None,
                "task_id": None,
                "element_id": None,
                "payload": payload,
            }
            digest = audit.event_hash(fields, prev)
            connection.execute(
                V1_EVENT,
                {"seq": seq, "at": now, "payload": payload, "prev": prev, "hash": digest},
            )
            prev = digest
    engine.dispose()


def test_a_chain_written_before_payload_versions_still_verifies(database_url, tmp_path, now):
    url = isolated_database(database_url, "events_before_0003", tmp_path, build=False)
    upgrade_database(url, "0002")
    _write_v1_global_events(url, now, [1, 2, 3])
    upgrade_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        events = history.list_global_events(session)
        assert [(e.seq, e.payload_version) for e in events] == [(1, 1), (2, 1), (3, 1)]
        assert history.verify_chain(events) is None
    engine.dispose()


def test_the_upgrade_stops_on_a_forked_global_chain(database_url, tmp_path, now):
    url = isolated_database(database_url, "forked_before_0003", tmp_path, build=False)
    upgrade_database(url, "0002")
    _write_v1_global_events(url, now, [1, 2])
    _write_v1_global_events(url, now, [2])
    with pytest.raises(RuntimeError, match="forked.*seq 2"):
        upgrade_database(url)


# ---- the stored head: removing the newest events --------------------------------------


def _drop_newest(session, instance_id: int, n: int) -> int:
    """Delete the newest n events of the run directly, as someone with the database would."""
    count = len(history.list_events(session, instance_id))
    session.execute(
        delete(Event).where(Event.instance_id == instance_id, Event.seq > count - n)
    )
    session.expire_all()
    return count


def test_an_untouched_chain_ends_at_the_stored_head(session, instance_id):
    instance = session.get(ProcessInstance, instance_id)
    events = history.list_events(session, instance_id)
    assert history.head_of(instance) == (len(events), events[-1].hash)
    assert history.verify_instance_chain(session, instance) is None


@pytest.mark.parametrize("dropped", [1, 2])
def test_removing_the_newest_events_breaks_the_chain_at_the_first_missing(
    session, instance_id, dropped
):
    count = _drop_newest(session, instance_id, dropped)
    remaining = history.list_events(session, instance_id)
    assert history.verify_chain(remaining) is None  # the links alone still hold
    instance = session.get(ProcessInstance, instance_id)
    assert history.verify_instance_chain(session, instance) == count - dropped + 1


def test_a_chain_that_ends_elsewhere_than_the_head_is_broken(session, instance_id):
    instance = session.get(ProcessInstance, instance_id)
    events = history.list_events(session, instance_id)
    count, last = history.head_of(instance)
    assert history.verify_chain(events, head=(count, "f" * 64)) == count
    assert history.verify_chain(events, head=(count + 1, last)) == count + 1
    assert history.verify_chain([], head=(count, last)) == 1
    assert history.verify_chain([], head=(0, None)) is None

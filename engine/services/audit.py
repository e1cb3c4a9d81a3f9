"""Append events to the log, each chained to the previous one of its chain by SHA-256.

An event belongs to its instance's chain, or, without an instance (deploys, refused
uploads), to the one global chain. The hash covers a canonical JSON encoding (sorted
keys, no spaces, UTF-8) of the event's fields and the previous hash, so recomputing the
chain later (engine.services.history) proves that no event was changed, dropped or
reordered.

Payload versions and the hash: the hashed object holds instance_id, seq, type,
occurred_at, actor_id, task_id, element_id, payload and prev_hash. For payload version 1
that is all, exactly as before versions existed, so every chain written earlier still
verifies. From version 2 on the object also holds `"payload_version": n`; changing the
stored version of any event therefore breaks its hash either way.

Every payload is checked against its type's current schema (engine.events) before
anything is written, in the JSON form that is stored and hashed: an unknown type or a
payload of the wrong shape raises InvalidEventError, a programming error, and nothing is
added. Types may be given as EventType members or their plain strings (a StrEnum member
equals its string, so both store and hash the same).

Appending to a chain must hold the lock on its head: the instance row for an instance's
chain (callers lock it with `instances.lock_instance` first), `lock_global_chain` for the
global one.

Every append to an instance's chain re-signs its head (`head_signature`, `head_key_id`)
with the server key (engine.signing, through the session's runtime): one signature per
call, so `record_events` signs once for all its events. Someone who rewrites the chain and
its head in the database cannot make that signature without the key, which is kept
outside it (engine.services.verification checks it).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine.events import EventType, check_payload, parse_event_type
from engine.models import Event, ProcessInstance
from engine.runtime import runtime_of
from engine.signing import head_message

# pg_advisory_xact_lock key of the global chain: "alur_glb" read as a 64-bit integer.
GLOBAL_CHAIN_LOCK = int.from_bytes(b"alur_glb", "big")


# One encoder for every canonical encoding: the same output as json.dumps(value,
# sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str), without building
# an encoder per call: verifying hashes tens of thousands of events a second.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
)


def _c_encoder():
    """json's C encoder made once with those options (what JSONEncoder.encode builds on every
    call), or None where the C accelerator is missing; checked against the plain encoder."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    encode = make(None, str, json.encoder.encode_basestring, None, ":", ",", True, False, True)
    sample = {"b": [1, 2.5, None, True], "a": {"z": "é\n\"", "y": {}}, "c": "x"}
    return encode if "".join(encode(sample, 0)) == _CANONICAL.encode(sample) else None


_C_CANONICAL = _c_encoder()


def canonical_json(value: Any) -> str:
    if _C_CANONICAL is not None:
        return "".join(_C_CANONICAL(value, 0))
    return _CANONICAL.encode(value)


def event_hash(fields: dict[str, Any], prev_hash: str | None) -> str:
    body = canonical_json({**fields, "prev_hash": prev_hash})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def hashed_fields(event: Event) -> dict[str, Any]:
    """What the hash of a stored event covers (besides the previous hash)."""
    return _versioned(
        {
            "instance_id": event.instance_id,
            "seq": event.seq,
            "type": event.type,
            "occurred_at": event.occurred_at.isoformat(),
            "actor_id": event.actor_id,
            "task_id": event.task_id,
            "element_id": event.element_id,
            "payload": event.payload,
        },
        event.payload_version,
    )


def _versioned(fields: dict[str, Any], payload_version: int) -> dict[str, Any]:
    """Version 1 adds nothing, so events written before versions existed keep their hash."""
    return fields if payload_version == 1 else {**fields, "payload_version": payload_version}


def lock_global_chain(session: Session) -> None:
    """Serialize appends to the global chain until this transaction ends.

    PostgreSQL: a transaction-scoped advisory lock (re-entrant, released at commit or
    rollback). SQLite: nothing to do, every write transaction already holds the database's
    write lock from its BEGIN IMMEDIATE. Take it before reading anything the append
    depends on (the head, and for a deploy the next version number).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(GLOBAL_CHAIN_LOCK)))


def record_event(
    session: Session,
    instance: ProcessInstance | None,
    type_: EventType | str,
    now: datetime,
    *,
    actor_id: int | None = None,
    task_id: int | None = None,
    element_id: str | None = None,
    payload: dict | None = None,
) -> Event | RecordedEvent:
    """Append one event; the instance row carries the chain head so no extra query is needed.

    An instance's event waits in the session and goes out with the next flush, with every
    other event waiting then, in one INSERT (`_write_pending`), and the head is signed
    then, once: a completion's two events (claimed, completed) cost one statement and
    one signature. A global event is an ORM row as before (deploys and admin changes are
    rare, and take the global lock anyway)."""
    kind, version, body = _checked(type_, payload)
    refs = {"actor_id": actor_id, "task_id": task_id, "element_id": element_id}
    if instance is None:
        seq, prev = _global_head(session)
        event = Event(**_chained(None, seq, prev, kind, now, refs, body, version))
        session.add(event)
        return event
    seq, prev = instance.event_count + 1, instance.last_event_hash
    row = _chained(instance.id, seq, prev, kind, now, refs, body, version)
    instance.event_count, instance.last_event_hash = seq, row["hash"]
    return _pending(session).add(instance, row)


def record_task_event(
    session: Session,
    task,
    type_: EventType | str,
    now: datetime,
    actor_id: int | None,
    payload: dict | None = None,
) -> RecordedEvent:
    """An event about one human task (claimed, released, completed, a document added)."""
    return record_event(
        session,
        task.instance,
        type_,
        now,
        actor_id=actor_id,
        task_id=task.id,
        element_id=task.element_id,
        payload=payload,
    )


def record_events(
    session: Session, instance: ProcessInstance, now: datetime, entries: list[dict]
) -> None:
    """Append many events of one instance at once (a new period opens a task per OPD),
    written right away with whatever was waiting, in one INSERT.

    Each entry holds type, and optionally actor_id, task_id, element_id and payload; the
    chain is the same as if each had been recorded on its own. Every entry is checked
    before any is written.
    """
    checked = [(entry, *_checked(entry["type"], entry.get("payload"))) for entry in entries]
    pending, seq, prev = _pending(session), instance.event_count, instance.last_event_hash
    for entry, kind, version, body in checked:
        seq += 1
        refs = {key: entry.get(key) for key in ("actor_id", "task_id", "element_id")}
        row = _chained(instance.id, seq, prev, kind, now, refs, body, version)
        pending.add(instance, row)
        prev = row["hash"]
    if checked:
        instance.event_count, instance.last_event_hash = seq, prev
        write_pending(session)


class RecordedEvent:
    """An instance's event as appended: its stored fields, and its id once written."""

    __slots__ = ("id", "_row")

    def __init__(self, row: dict[str, Any]):
        self.id: int | None = None
        self._row = row

    def __getattr__(self, name: str) -> Any:
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None


class _PendingEvents:
    """The session's instance events not yet written, in chain order, and their instances."""

    def __init__(self) -> None:
        self.events: list[RecordedEvent] = []
        self.instances: dict[int, ProcessInstance] = {}

    def add(self, instance: ProcessInstance, row: dict[str, Any]) -> RecordedEvent:
        event = RecordedEvent(row)
        self.events.append(event)
        self.instances[instance.id] = instance
        return event


_PENDING_KEY = "alur_pending_events"
_EVENTS = Event.__table__
_INSERT_EVENTS = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)


def _pending(session: Session) -> _PendingEvents:
    return session.info.setdefault(_PENDING_KEY, _PendingEvents())


def write_pending(session: Session) -> None:
    """Write the waiting events in one INSERT and sign each touched instance's head once.

    Runs before every flush (so anything that flushes, a query's autoflush included, finds
    the events stored, in chain order ahead of what the flush writes) and from
    record_events."""
    pending = session.info.pop(_PENDING_KEY, None)
    if pending is None or not pending.events:
        return
    rows = [event._row for event in pending.events]
    ids = session.connection().execute(_INSERT_EVENTS, rows).scalars().all()
    for event, event_id in zip(pending.events, ids, strict=True):
        event.id = event_id
    for instance in pending.instances.values():
        sign_head(session, instance)


@sa_event.listens_for(Session, "before_flush")
def _write_before_flush(session: Session, _context, _instances) -> None:
    write_pending(session)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous) -> None:
    """A rolled-back transaction or savepoint keeps none of its events (a savepoint starts
    with a flush, so what was waiting before it is written by then)."""
    session.info.pop(_PENDING_KEY, None)


def sign_head(session: Session, instance: ProcessInstance) -> None:
    """Sign the instance's head as it stands (engine.signing.head_message)."""
    signer = runtime_of(session).signer
    message = head_message(instance.id, instance.event_count, instance.last_event_hash)
    instance.head_signature, instance.head_key_id = signer.sign(message), signer.key_id


def _checked(type_: EventType | str, payload: dict | None) -> tuple[EventType, int, dict]:
    """The type, the payload version and the payload as stored (JSON), once it fits."""
    kind = parse_event_type(type_)
    body = json.loads(canonical_json(payload if payload is not None else {}))
    return kind, check_payload(kind, body), body


def _chained(instance_id, seq, prev, kind, now, refs, payload, version) -> dict:
    """The row of one event: its fields, the previous hash and its own."""
    fields = {
        "instance_id": instance_id,
        "seq": seq,
        "type": kind.value,
        "occurred_at": now.astimezone(UTC).isoformat(),
        **refs,
        "payload": payload,
    }
    digest = event_hash(_versioned(fields, version), prev)
    return {
        **fields,
        "occurred_at": now,
        "payload_version": version,
        "prev_hash": prev,
        "hash": digest,
    }


def _global_head(session: Session) -> tuple[int, str | None]:
    """The next seq and previous hash of the global chain, read under its lock."""
    lock_global_chain(session)
    last = session.execute(
        select(Event.seq, Event.hash)
        .where(Event.instance_id.is_(None))
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    return (last.seq + 1, last.hash) if last else (1, None)

"""Append events to the log, each chained to the previous one of its instance by SHA-256.

The hash covers a canonical JSON encoding (sorted keys, no spaces, UTF-8) of the event's
fields and the previous hash, so recomputing the chain later proves that no event was
changed, dropped or reordered.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.models import Event, ProcessInstance


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(fields: dict[str, Any], prev_hash: str | None) -> str:
    body = canonical_json({**fields, "prev_hash": prev_hash})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _hashed_fields(event: Event) -> dict[str, Any]:
    return {
        "instance_id": event.instance_id,
        "seq": event.seq,
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "task_id": event.task_id,
        "element_id": event.element_id,
        "payload": event.payload,
    }


def record_event(
    session: Session,
    instance: ProcessInstance | None,
    type_: str,
    now: datetime,
    *,
    actor_id: int | None = None,
    task_id: int | None = None,
    element_id: str | None = None,
    payload: dict | None = None,
) -> Event:
    """Append one event; the instance row carries the chain head so no extra query is needed."""
    if instance is not None:
        seq, prev = instance.event_count + 1, instance.last_event_hash
    else:
        seq, prev = _global_head(session)
    row = _chained(
        instance.id if instance is not None else None,
        seq,
        prev,
        type_,
        now,
        actor_id,
        task_id,
        element_id,
        payload,
    )
    if instance is not None:
        instance.event_count, instance.last_event_hash = seq, row["hash"]
    event = Event(**row)
    session.add(event)
    return event


def record_task_event(
    session: Session,
    task,
    type_: str,
    now: datetime,
    actor_id: int | None,
    payload: dict | None = None,
) -> Event:
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
    """Append many events of one instance in one INSERT (a new period opens a task per OPD).

    Each entry holds type, and optionally actor_id, task_id, element_id and payload; the
    chain is the same as if each had been recorded on its own.
    """
    rows, seq, prev = [], instance.event_count, instance.last_event_hash
    for entry in entries:
        seq += 1
        row = _chained(
            instance.id,
            seq,
            prev,
            entry["type"],
            now,
            entry.get("actor_id"),
            entry.get("task_id"),
            entry.get("element_id"),
            entry.get("payload"),
        )
        rows.append(row)
        prev = row["hash"]
    if rows:
        session.execute(insert(Event), rows)
        instance.event_count, instance.last_event_hash = seq, prev


def _chained(instance_id, seq, prev, type_, now, actor_id, task_id, element_id, payload) -> dict:
    fields = {
        "instance_id": instance_id,
        "seq": seq,
        "type": type_,
        "occurred_at": now.astimezone(UTC).isoformat(),
        "actor_id": actor_id,
        "task_id": task_id,
        "element_id": element_id,
        "payload": json.loads(canonical_json(payload or {})),
    }
    digest = event_hash(fields, prev)
    return {**fields, "occurred_at": now, "prev_hash": prev, "hash": digest}


def _global_head(session: Session) -> tuple[int, str | None]:
    last = session.scalars(
        select(Event).where(Event.instance_id.is_(None)).order_by(Event.seq.desc()).limit(1)
    ).first()
    return (last.seq + 1, last.hash) if last else (1, None)


def list_events(session: Session, instance_id: int) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.instance_id == instance_id).order_by(Event.seq))
    )


def verify_chain(events: list[Event]) -> int | None:
    """Return the seq of the first event whose hash does not match, or None if all match."""
    prev = None
    for event in events:
        if event.prev_hash != prev or event_hash(_hashed_fields(event), prev) != event.hash:
            return event.seq
        prev = event.hash
    return None

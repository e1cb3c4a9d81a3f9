"""Append events to the log, each chained to the previous one of its instance by SHA-256.

The hash covers a canonical JSON encoding (sorted keys, no spaces, UTF-8) of the event's
fields and the previous hash, so recomputing the chain later proves that no event was
changed, dropped or reordered.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
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
    event = Event(
        instance_id=instance.id if instance is not None else None,
        seq=seq,
        type=type_,
        occurred_at=now,
        actor_id=actor_id,
        task_id=task_id,
        element_id=element_id,
        payload=json.loads(canonical_json(payload or {})),
        prev_hash=prev,
    )
    event.hash = event_hash(_hashed_fields(event), prev)
    if instance is not None:
        instance.event_count, instance.last_event_hash = seq, event.hash
    session.add(event)
    return event


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

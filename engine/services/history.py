"""Read the event log back and check its chains (appending is engine.services.audit's).

A chain verifies when every event names the previous event's hash and its own hash is
the one its stored fields give (audit.hashed_fields); the first event that fails is
reported by its sequence number, so an auditor knows where to look.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Event
from engine.services.audit import event_hash, hashed_fields


def list_events(session: Session, instance_id: int) -> list[Event]:
    """One instance's chain, in order."""
    return list(
        session.scalars(select(Event).where(Event.instance_id == instance_id).order_by(Event.seq))
    )


def list_global_events(session: Session) -> list[Event]:
    """The chain of events without an instance (deploys, refused uploads), in order."""
    return list(
        session.scalars(select(Event).where(Event.instance_id.is_(None)).order_by(Event.seq))
    )


def verify_chain(events: Iterable[Event]) -> int | None:
    """Return the seq of the first event whose hash does not match, or None if all match.

    The events are one whole chain from its start, in order (as list_events gives them).
    """
    prev = None
    for event in events:
        if event.prev_hash != prev or event_hash(hashed_fields(event), prev) != event.hash:
            return event.seq
        prev = event.hash
    return None

"""Read the event log back and check its chains (appending is engine.services.audit's).

A chain verifies when every event names the previous event's hash and its own hash is
the one its stored fields give (audit.hashed_fields); the first event that fails is
reported by its sequence number, so an auditor knows where to look.

Walking the chain alone cannot see the newest events go: what remains still links up. So an
instance's chain is also held against the head its row stores (`event_count`,
`last_event_hash`, moved by every append under the row's lock): a chain that ends before
the head is broken at the first missing seq, one that runs past it at the first extra seq,
and one of the right length whose last hash is not the head's at its last event.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Event, ProcessInstance
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


def verify_chain(
    events: Iterable[Event], *, head: tuple[int, str | None] | None = None
) -> int | None:
    """Return the seq of the first event whose hash does not match, or None if all match.

    The events are one whole chain from its start, in order (as list_events gives them).
    `head` is the (count, last hash) the chain must end at (head_of an instance); without
    it (the global chain has no stored head) only the links are checked.
    """
    prev, count = None, 0
    for event in events:
        if event.prev_hash != prev or event_hash(hashed_fields(event), prev) != event.hash:
            return event.seq
        prev, count = event.hash, count + 1
    return _head_break(count, prev, head) if head is not None else None


def head_of(instance: ProcessInstance) -> tuple[int, str | None]:
    """The head an instance's chain must end at, as its row stores it."""
    return instance.event_count, instance.last_event_hash


def _head_break(count: int, last_hash: str | None, head: tuple[int, str | None]) -> int | None:
    """Where a chain whose links all hold differs from the stored head, or None."""
    stored_count, stored_hash = head
    if count != stored_count:
        return min(count, stored_count) + 1  # the first missing (or first extra) seq
    if last_hash != stored_hash:
        return max(count, 1)
    return None


def verify_instance_chain(session: Session, instance: ProcessInstance) -> int | None:
    """Verify one instance's whole chain, head included (see verify_chain)."""
    return verify_chain(list_events(session, instance.id), head=head_of(instance))

"""Read the event log back and check its chains (appending is engine.services.audit's).

A chain verifies when every event names the previous event's hash and its own hash is
the one its stored fields give (audit.hashed_fields); the first event that fails is
reported by its sequence number, so an auditor knows where to look.

Walking the chain alone cannot see the newest events go: what remains still links up. So an
instance's chain is also held against the head its row stores (`event_count`,
`last_event_hash`, moved by every append under the row's lock): a chain that ends before
the head is broken at the first missing seq, one that runs past it at the first extra seq,
and one of the right length whose last hash is not the head's at its last event.

For verifying many events fast (engine.services.verification), `chain_rows` and
`all_instance_rows` stream plain rows of exactly the hashed columns (Core selects with
yield_per, no ORM objects); `hashed_fields` reads a row as it reads an Event.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Row, Text, select, type_coerce
from sqlalchemy.orm import Session

from engine.models import Event, ProcessInstance
from engine.services.audit import canonical_json, event_hash, hashed_fields


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


# What the hash of an event covers, its link and its hash: all a verifier reads of an event.
CHAIN_COLUMNS = (
    Event.instance_id,
    Event.seq,
    Event.type,
    Event.occurred_at,
    Event.actor_id,
    Event.task_id,
    Event.element_id,
    Event.payload,
    Event.payload_version,
    Event.prev_hash,
    Event.hash,
)
# The same with the payload and the time as the driver gives them (no ORM type processing:
# on SQLite text, which raw_row_hash decodes itself, several times faster).
RAW_COLUMNS = tuple(
    type_coerce(column, Text).label(column.key) if column.key in ("payload", "occurred_at")
    else column
    for column in CHAIN_COLUMNS
)
STREAM_BATCH = 2000
_SQLITE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")


def chain_rows(
    session: Session, instance_id: int | None, *, raw: bool = False, after: int = 0
) -> Iterator[Row]:
    """One chain (an instance's, or the global one for None) as plain rows, streamed in order
    (`raw`: RAW_COLUMNS, for raw_row_hash), from the event after seq `after`."""
    owner = Event.instance_id.is_(None) if instance_id is None else Event.instance_id == instance_id
    query = select(*(RAW_COLUMNS if raw else CHAIN_COLUMNS)).where(owner, Event.seq > after)
    return _stream(session, query.order_by(Event.seq))


def all_instance_rows(session: Session) -> Iterator[Row]:
    """Every instance's chain in one ordered stream (by instance, then seq), RAW_COLUMNS."""
    query = (
        select(*RAW_COLUMNS)
        .where(Event.instance_id.is_not(None))
        .order_by(Event.instance_id, Event.seq)
    )
    return _stream(session, query)


def _stream(session: Session, query) -> Iterator[Row]:
    """Core rows in batches, on the session's connection (its transaction) but without the
    ORM's per-row work."""
    return iter(session.connection().execute(query.execution_options(yield_per=STREAM_BATCH)))


def row_hash(row, prev_hash: str | None) -> str:
    """The hash an event (an Event or a row of CHAIN_COLUMNS) must have after `prev_hash`."""
    return event_hash(hashed_fields(row), prev_hash)


def raw_row_hash(row, prev_hash: str | None) -> str:
    """row_hash for a row of RAW_COLUMNS: the same hash, decoding payload and time here."""
    instance_id, seq, kind, occurred, actor_id, task_id, element_id, payload, version = row[:9]
    fields = {
        "instance_id": instance_id,
        "seq": seq,
        "type": kind,
        "occurred_at": utc_iso(occurred),
        "actor_id": actor_id,
        "task_id": task_id,
        "element_id": element_id,
        "payload": json.loads(payload) if isinstance(payload, str) else payload,
        "prev_hash": prev_hash,
    }
    if version != 1:
        fields["payload_version"] = version
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


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


def utc_iso(value: datetime | str | None) -> str | None:
    """A stored time as the hash has it ("2026-01-05T02:00:00+00:00"): from a datetime, or
    from SQLite's text ("2026-01-05 02:00:00.000000", always UTC, see engine.db)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _text_iso(value)
    return value.astimezone(UTC).isoformat()


@lru_cache(maxsize=4096)
def _text_iso(value: str) -> str:
    """Cached: the events of one step share their time."""
    if _SQLITE_TIME.match(value) is None:
        parsed = datetime.fromisoformat(value)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    micro = value[20:]
    return f"{value[:10]}T{value[11:19]}{'' if micro == '000000' else '.' + micro}+00:00"

"""Signed checkpoints of every chain head, and signing the heads of runs made before signing.

A signed head alone can be rolled back: someone who kept an older head with its signature
can put it back and delete the events after it. So the worker periodically writes a
checkpoint: the heads (event count and last hash) of every chain that moved since the
previous checkpoint (each instance's, and the global chain's with instance_id NULL), each
checkpoint chained to the one before and signed with the server key. A verifier then holds
every chain against every head it was ever checkpointed at (engine.services.verification).

Formats (a verifier outside this code needs them exactly):
- a head is `{"event_count": n, "instance_id": i | null, "last_hash": h}`; a checkpoint's
  heads are sorted with the global chain first, then by instance id;
- `heads_digest` = SHA-256 hex of the canonical JSON (sorted keys, no spaces, UTF-8) of
  that list;
- the checkpoint's `hash` = SHA-256 hex of the canonical JSON of `{"created_at" (UTC ISO,
  whole seconds), "head_count", "heads_digest", "key_id", "prev_hash", "seq"}`;
- its `signature` is the server key's Ed25519 signature of the UTF-8 of that hex `hash`.

Writers are serialized (a PostgreSQL advisory lock; SQLite's write lock is taken at BEGIN),
so two workers never write the same seq or list a head twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Event, ProcessInstance
from engine.models.trust import ChainCheckpoint, CheckpointHead
from engine.runtime import runtime_of
from engine.services import audit, history
from engine.services.instances import lock_instance

# pg_advisory_xact_lock key of the checkpoint writer: "alur_chk" read as a 64-bit integer.
CHECKPOINT_LOCK = int.from_bytes(b"alur_chk", "big")

Head = tuple[int | None, int, str | None]  # (instance_id or None for global, count, last hash)


# ---- the formats ----------------------------------------------------------------------------

def head_sort_key(instance_id: int | None) -> tuple[bool, int]:
    """The global chain (None) first, then instances by id."""
    return (instance_id is not None, instance_id or 0)


def heads_digest(heads: list[Head]) -> str:
    """SHA-256 of the canonical JSON of the heads, in their canonical order."""
    ordered = sorted(heads, key=lambda head: head_sort_key(head[0]))
    body = [{"event_count": n, "instance_id": i, "last_hash": h} for i, n, h in ordered]
    return _sha256(audit.canonical_json(body))


def checkpoint_hash(
    *,
    seq: int,
    created_at: datetime,
    key_id: str,
    head_count: int,
    heads_digest: str,
    prev_hash: str | None,
) -> str:
    body = {
        "created_at": created_at.astimezone(UTC).isoformat(),
        "head_count": head_count,
        "heads_digest": heads_digest,
        "key_id": key_id,
        "prev_hash": prev_hash,
        "seq": seq,
    }
    return _sha256(audit.canonical_json(body))


def checkpoint_message(hash_hex: str) -> bytes:
    """What a checkpoint's signature covers: its hash."""
    return hash_hex.encode("ascii")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def server_key(session: Session):
    """The server's signing key (engine.signing.Signer: key_id, public_key_pem) for the
    pages that show its public half, so the web layer need not reach into the runtime."""
    return runtime_of(session).signer


# ---- writing --------------------------------------------------------------------------------

def lock_checkpoints(session: Session) -> None:
    """Serialize checkpoint writers until this transaction ends (see audit.lock_global_chain)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CHECKPOINT_LOCK)))


def write_checkpoint(session: Session, now: datetime) -> ChainCheckpoint | None:
    """One signed checkpoint of every head that moved since the last one; None if none moved."""
    lock_checkpoints(session)
    moved = moved_heads(session)
    if not moved:
        return None
    last = session.execute(
        select(ChainCheckpoint.seq, ChainCheckpoint.hash).order_by(ChainCheckpoint.seq.desc())
    ).first()
    signer = runtime_of(session).signer
    checkpoint = _signed(
        seq=last.seq + 1 if last else 1,
        created_at=now.astimezone(UTC).replace(microsecond=0),
        prev_hash=last.hash if last else None,
        heads=moved,
        signer=signer,
    )
    session.add(checkpoint)
    session.flush()
    session.execute(
        CheckpointHead.__table__.insert(),
        [
            {"checkpoint_id": checkpoint.id, "instance_id": i, "event_count": n, "last_hash": h}
            for i, n, h in moved
        ],
    )
    return checkpoint


def _signed(*, seq, created_at, prev_hash, heads: list[Head], signer) -> ChainCheckpoint:
    digest = heads_digest(heads)
    fields = {
        "seq": seq,
        "created_at": created_at,
        "key_id": signer.key_id,
        "head_count": len(heads),
        "heads_digest": digest,
        "prev_hash": prev_hash,
    }
    hash_hex = checkpoint_hash(**fields)
    return ChainCheckpoint(
        **fields, hash=hash_hex, signature=signer.sign(checkpoint_message(hash_hex))
    )


def moved_heads(session: Session) -> list[Head]:
    """Every head (instances with events, and the global chain) unlike its last checkpoint."""
    last = last_checkpointed(session)
    heads = [
        (row.id, row.event_count, row.last_event_hash)
        for row in session.execute(
            select(
                ProcessInstance.id, ProcessInstance.event_count, ProcessInstance.last_event_hash
            )
            .where(ProcessInstance.event_count > 0)
            .order_by(ProcessInstance.id)
        )
    ]
    global_head = _global_head(session)
    if global_head is not None:
        heads.insert(0, global_head)
    return [head for head in heads if last.get(head[0]) != (head[1], head[2])]


def last_checkpointed(session: Session) -> dict[int | None, tuple[int, str | None]]:
    """Each chain's head in the newest checkpoint that lists it."""
    newest = (
        select(
            CheckpointHead.instance_id,
            func.max(CheckpointHead.checkpoint_id).label("checkpoint_id"),
        )
        .group_by(CheckpointHead.instance_id)
        .subquery()
    )
    rows = session.execute(
        select(CheckpointHead.instance_id, CheckpointHead.event_count, CheckpointHead.last_hash)
        .join(
            newest,
            (CheckpointHead.checkpoint_id == newest.c.checkpoint_id)
            & CheckpointHead.instance_id.is_not_distinct_from(newest.c.instance_id),
        )
    )
    return {row.instance_id: (row.event_count, row.last_hash) for row in rows}


def _global_head(session: Session) -> Head | None:
    last = session.execute(
        select(Event.seq, Event.hash)
        .where(Event.instance_id.is_(None))
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    return (None, last.seq, last.hash) if last else None


# ---- heads of runs made before signing ------------------------------------------------------

@dataclass
class HeadSigning:
    """What sign_unsigned_heads did: the runs it signed, and those it refused (with the seq
    where their chain breaks)."""

    signed: list[int] = field(default_factory=list)
    refused: list[tuple[int, int]] = field(default_factory=list)


def sign_unsigned_heads(session: Session) -> HeadSigning:
    """Sign, once, every head that has no signature yet, if its chain verifies up to it.

    Runs made before heads were signed have none. A chain that does not verify is left
    unsigned (signing it would vouch for what may be a rewrite) and reported.
    """
    done = HeadSigning()
    unsigned = session.scalars(
        select(ProcessInstance.id)
        .where(ProcessInstance.head_signature.is_(None), ProcessInstance.event_count > 0)
        .order_by(ProcessInstance.id)
    ).all()
    for instance_id in unsigned:
        instance = lock_instance(session, instance_id)
        if instance.head_signature is not None:  # signed meanwhile by an append
            continue
        broken = history.verify_chain(
            history.chain_rows(session, instance_id), head=history.head_of(instance)
        )
        if broken is None:
            audit.sign_head(session, instance)
            done.signed.append(instance_id)
        else:
            done.refused.append((instance_id, broken))
    session.flush()
    return done

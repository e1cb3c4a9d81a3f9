"""What makes the event log trustworthy against someone with database access.

Each instance's head (event count + last hash) is signed with the server's Ed25519 key
(the signature lives on the instance row, `head_signature`, with the key's id). The key
itself never enters the database (engine.signing keeps it in a file), so rewriting a chain
and its head needs the key too. A signed head can still be rolled back to an older signed
head by someone who kept a copy; checkpoints close that: the worker periodically writes a
signed list of the heads that moved since the previous checkpoint, each checkpoint chained
to the one before it, so a verifier can hold every instance's chain against every head it
was ever checkpointed at.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow


class ChainCheckpoint(Base):
    """One signed checkpoint: the digest of its heads, chained to the previous checkpoint."""

    __tablename__ = "chain_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_id: Mapped[str] = mapped_column(String(32))
    head_count: Mapped[int]  # how many heads it lists
    heads_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of its heads, canonical
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))  # Ed25519 over `hash`, hex


class CheckpointHead(Base):
    """One chain's head as a checkpoint saw it; instance_id NULL is the global chain."""

    __tablename__ = "checkpoint_heads"
    __table_args__ = (Index("ix_checkpoint_heads_instance", "instance_id", "checkpoint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("chain_checkpoints.id", ondelete="CASCADE"), index=True
    )
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE")
    )
    event_count: Mapped[int]
    last_hash: Mapped[str | None] = mapped_column(String(64))


class AuditRead(Base):
    """One read by an auditor (a page or an API answer): who read what, when.

    Kept apart from the event chain: reads are many and must not queue behind the chain's
    lock; admins list them on their page.
    """

    __tablename__ = "audit_reads"
    __table_args__ = (
        Index("ix_audit_reads_at", "read_at"),
        Index("ix_audit_reads_user", "user_id", "read_at"),
        Index("ix_audit_reads_instance", "instance_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE")
    )
    version_id: Mapped[int | None] = mapped_column(ForeignKey("definition_versions.id"))
    endpoint: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(300))
    via: Mapped[str] = mapped_column(String(8))  # "page" or "api"
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

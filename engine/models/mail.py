"""Mail: what each person wants to be told, and the outbox of messages written for them.

An outbox row is written in the same transaction as the change it tells of, together with
a "mail" job (engine.models.jobs) that sends it: both exist exactly when the change
committed. The job's run sends the message and marks the row sent in the transaction that
removes the job (engine.services.mail). `dedupe_key` makes a notice unique ("overdue:<task
id>:<user id>"), so a scan that runs twice writes it once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow

# The kinds of notice a person may turn off, in the order the account page shows them.
KIND_ASSIGNED = "assigned"  # a new task for you or your group
KIND_DUE_SOON = "due_soon"  # due on the next working day
KIND_OVERDUE = "overdue"  # overdue: once per task, then the daily digest
KIND_REASSIGNED = "reassigned"  # handed to you (Disposisi)
NOTICE_KINDS = (KIND_ASSIGNED, KIND_DUE_SOON, KIND_OVERDUE, KIND_REASSIGNED)
KIND_DIGEST = "digest"  # the daily list of one's overdue tasks (follows KIND_OVERDUE)

MAIL_LOCALES = ("id", "en")


class NotificationPreference(Base):
    """A kind of notice a person turned on or off; no row means on."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class MailOutbox(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_user_kind", "user_id", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("human_tasks.id", ondelete="SET NULL"), index=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # the Message-ID header, made from the row (engine.services.mail.message_id_of) and kept
    # once sent, so a copy sent again after a crash carries the same one
    message_id: Mapped[str | None] = mapped_column(String(250))

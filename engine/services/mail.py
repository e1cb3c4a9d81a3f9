"""Mail over SMTP, from an outbox (engine.models.mail) that the change itself writes.

Writing (`queue_letters`): outbox rows and one "mail" job per row, in the caller's
transaction, so a rolled-back change leaves neither and a committed one both. A row's
`dedupe_key` is unique and a duplicate is skipped (ON CONFLICT DO NOTHING), so a scan that
runs twice writes each notice once.

Sending (`send_job`, the "mail" job's handler): the worker runs it in the job's own
transaction; it locks the row (FOR UPDATE on PostgreSQL; SQLite's write lock is held from
BEGIN), sends a row not sent yet, and marks it sent; the runner deletes the job in that same
commit. A job is leased to one worker (SKIP LOCKED), and a second worker that takes it after
a lease ran out waits for the row lock and then finds it sent, so a mail goes out once.

What is left: the server may accept the message and the worker die before its commit.
The job then runs again once its lease ends and the message is sent a second time, with
the same Message-ID (made from the row, `message_id_of`), so mail programs and people can
recognise the copy. A failing send (server down, refused) rolls back and is retried with
the job's backoff; after the last attempt it is an incident for the administrators.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.config import Settings
from engine.models.mail import MailOutbox
from engine.runtime import runtime_of
from engine.services import jobs

JOB_KIND = "mail"


def queue_letters(session: Session, rows: list[dict], now: datetime) -> list[int]:
    """Write outbox rows (dicts of MailOutbox columns) in one INSERT, skipping any whose
    dedupe_key was written before, and a "mail" job (due `now`) for each new one; their ids."""
    if not rows:
        return []
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(MailOutbox)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(MailOutbox.id)
    )
    ids = sorted(session.scalars(statement))
    for outbox_id in ids:
        jobs.enqueue(session, JOB_KIND, {"outbox_id": outbox_id}, run_at=now)
    return ids


def send_job(session: Session, payload: dict, now: datetime) -> None:
    """The "mail" job: send one outbox row unless it was sent already, and mark it sent."""
    settings = runtime_of(session).settings
    row = session.scalars(
        select(MailOutbox).where(MailOutbox.id == payload["outbox_id"]).with_for_update()
    ).one_or_none()
    if row is None or row.sent_at is not None:
        return
    if not settings.smtp_enabled:
        raise RuntimeError("mail is off (ALUR_SMTP_HOST is not set): message not sent")
    message = build_message(row, settings)
    deliver(message, settings)
    row.sent_at, row.message_id = now, message["Message-ID"]
    session.flush()


def message_id_of(row: MailOutbox, settings: Settings) -> str:
    """The same for every send of one row: a copy sent again after a crash is recognisable."""
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "localhost"
    return f"<alur-kinerja.{row.id}.{int(row.created_at.timestamp())}@{domain}>"


def build_message(row: MailOutbox, settings: Settings) -> EmailMessage:
    """Plain text with an HTML alternative; To carries the person's full name."""
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = settings.smtp_from
    username, _, domain = row.to_address.rpartition("@")
    message["To"] = Address(display_name=" ".join(row.to_name.split()), username=username,
                            domain=domain)
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = message_id_of(row, settings)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


def deliver(message: EmailMessage, settings: Settings) -> None:
    """Hand the message to the SMTP server (STARTTLS, implicit TLS or plain, as set)."""
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout_seconds
    security = settings.smtp_security.lower()
    if security == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        client.send_message(message)

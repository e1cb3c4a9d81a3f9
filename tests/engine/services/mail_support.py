"""A real SMTP server (aiosmtpd) in the test process, settings that point at it, and a
session factory that runs background jobs inside the test's rolled-back transaction."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from engine.db import RUNTIME_KEY
from engine.models import User
from engine.runtime import build_runtime

SMTP_PORT = 5161  # this helper's port range: 5161-5169
DEAD_PORT = 5162  # nothing listens here: the server is "down"
BASE_URL = "https://alur.example.go.id"
SENDER = "Alur Kinerja <alur@pesisirselatan.example.go.id>"


class Mailbox:
    """What the server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self.mailbox

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def mail_runtime(port: int = SMTP_PORT, **overrides):
    settings = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
                "smtp_from": SENDER, "base_url": BASE_URL, "smtp_timeout_seconds": 5.0}
    return build_runtime(**{**settings, **overrides})


@pytest.fixture(scope="module")
def smtp_server():
    with SmtpServer(SMTP_PORT) as mailbox:
        yield mailbox


@pytest.fixture()
def mailbox(smtp_server) -> Mailbox:
    smtp_server.messages.clear()
    return smtp_server


def job_factory(session: Session) -> sessionmaker[Session]:
    """Sessions on the test's connection whose commits are savepoints: the worker's
    transactions happen for real inside the test's transaction, rolled back at its end.
    Commit the test's own session before running jobs."""
    return sessionmaker(bind=session.bind, join_transaction_mode="create_savepoint",
                        expire_on_commit=False, info={RUNTIME_KEY: session.info[RUNTIME_KEY]})


def give_addresses(session: Session, *, but: tuple[str, ...] = ()) -> None:
    """Every demo person gets <username>@example.go.id (except `but`)."""
    session.execute(update(User).values(email=User.username + "@example.go.id"))
    if but:
        session.execute(update(User).where(User.username.in_(but)).values(email=None))
    for person in [o for o in session.identity_map.values() if isinstance(o, User)]:
        session.expire(person, ["email"])

"""Sending the outbox (engine.services.mail) to a real SMTP server in the test process:
the message's headers and parts, once only whatever the workers do (a lease that ran out,
two workers racing on real commits, a job run again after a crash), and a server that is
down: tried again with backoff, an incident after the last attempt, sent once it is back."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.db import RUNTIME_KEY, unit_of_work
from engine.migrations import upgrade_database
from engine.models import Job, MailOutbox, User
from engine.models.jobs import JOB_FAILED
from engine.services import jobs, mail
from tests.conftest import isolated_database
from tests.engine.services import mail_support
from tests.engine.services.mail_support import (
    DEAD_PORT,
    SmtpServer,
    job_factory,
    mail_runtime,
)
from tests.support import make_factory, user

smtp_server, mailbox = mail_support.smtp_server, mail_support.mailbox


@pytest.fixture()
def runtime():
    return mail_runtime()


def letter(person, n: int, now) -> dict:
    return {
        "user_id": person.id, "kind": "reassigned", "task_id": None,
        "dedupe_key": f"test:{person.id}:{n}", "to_address": "rina@example.go.id",
        "to_name": person.full_name, "subject": f"[Alur Kinerja] Pesan {n}",
        "body_text": f"Isi pesan {n}\n", "body_html": f"<p>Isi pesan {n}</p>", "created_at": now,
    }


def queue(session, now, count: int = 1) -> list[int]:
    person = user(session, "tim1")
    ids = mail.queue_letters(session, [letter(person, n, now) for n in range(count)], now)
    session.commit()
    return ids


def rows(session) -> list[MailOutbox]:
    return list(session.scalars(select(MailOutbox).order_by(MailOutbox.id)
                                .execution_options(populate_existing=True)))


def mail_jobs(session) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.kind == "mail")
                                .execution_options(populate_existing=True)))


def test_the_message_has_both_parts_and_proper_headers(session, now, mailbox):
    [outbox_id] = queue(session, now)
    assert jobs.run_due_jobs(job_factory(session), lambda: now) == 1
    [message] = mailbox.messages
    [row] = rows(session)
    assert str(message["To"]) == '"Rina Marlina, S.E." <rina@example.go.id>'
    assert message["Subject"].strip() == "[Alur Kinerja] Pesan 0"
    assert message["Date"].datetime == now
    assert message["Message-ID"] == row.message_id == mail.message_id_of(
        row, session.info[RUNTIME_KEY].settings)
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().strip() == "Isi pesan 0"
    assert message.get_body(("html",)).get_content().strip() == "<p>Isi pesan 0</p>"
    assert row.sent_at == now and mail_jobs(session) == []
    # the same key again is skipped: no second row, no second job
    assert queue(session, now) == [] and len(rows(session)) == 1


def test_a_job_run_again_after_its_mail_was_sent_sends_nothing(session, now, mailbox):
    [outbox_id] = queue(session, now)
    factory = job_factory(session)
    jobs.run_due_jobs(factory, lambda: now)
    # as if the worker had died after sending: the job comes back, the row says sent
    jobs.enqueue(session, "mail", {"outbox_id": outbox_id}, run_at=now)
    session.commit()
    assert jobs.run_due_jobs(factory, lambda: now) == 1
    assert len(mailbox.messages) == 1 and mail_jobs(session) == []


def test_a_lease_that_ran_out_does_not_send_twice(session, now, mailbox):
    [job_id] = [job.id for job in (queue(session, now) and mail_jobs(session))]
    factory = job_factory(session)
    assert jobs.take_due(factory, "worker-a", now, 10) == [job_id]
    later = now + timedelta(minutes=10)  # worker-a stalled past its lease
    assert jobs.run_due_jobs(factory, lambda: later, worker="worker-b") == 1
    assert jobs.run_job(factory, job_id, "worker-a", lambda: later) is False
    assert len(mailbox.messages) == 1


def test_a_server_that_is_down_is_tried_again_then_an_incident(session, now):
    session.info[RUNTIME_KEY] = mail_runtime(port=DEAD_PORT, job_max_attempts=3)
    queue(session, now)
    factory = job_factory(session)
    at = now
    for attempt, wait in ((1, 1), (2, 2)):
        assert jobs.run_due_jobs(factory, lambda at=at: at) == 0
        [job] = mail_jobs(session)
        assert job.attempts == attempt and job.run_at == at + timedelta(minutes=wait)
        assert job.last_error and job.state == "pending"
        at = job.run_at
    assert jobs.run_due_jobs(factory, lambda: at) == 0
    [job] = mail_jobs(session)
    assert job.state == JOB_FAILED and rows(session)[0].sent_at is None


def test_mail_is_sent_once_the_server_is_back(session, now):
    session.info[RUNTIME_KEY] = mail_runtime(port=DEAD_PORT)
    queue(session, now)
    factory = job_factory(session)
    assert jobs.run_due_jobs(factory, lambda: now) == 0
    with SmtpServer(DEAD_PORT) as back:
        later = now + timedelta(minutes=1)
        assert jobs.run_due_jobs(factory, lambda: later) == 1
    [message] = back.messages
    assert message["Message-ID"] == rows(session)[0].message_id
    assert rows(session)[0].sent_at == later and mail_jobs(session) == []


@pytest.fixture()
def racing(database_url, tmp_path):
    """A database of its own (commits for real): the migrations and one person."""
    url = isolated_database(database_url, "mail_race", tmp_path, build=False)
    upgrade_database(url)
    factory = make_factory(url, runtime=mail_runtime(),
                           **({} if url.startswith("sqlite") else {"pool_size": 6}))
    with unit_of_work(factory) as session:
        session.add(User(username="tim1", full_name="Rina Marlina, S.E.", password_hash="-"))
        session.commit()
    yield factory
    factory.kw["bind"].dispose()


def test_two_workers_racing_send_each_mail_once(racing, now, mailbox):
    with unit_of_work(racing) as session:
        queue(session, now, count=12)
    errors = []

    def work(name: str) -> None:
        try:
            jobs.run_due_jobs(racing, lambda: now, worker=name, limit=2)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == 12 and len(set(ids)) == 12
    with unit_of_work(racing) as session:
        assert all(row.sent_at is not None for row in rows(session))
        assert mail_jobs(session) == []

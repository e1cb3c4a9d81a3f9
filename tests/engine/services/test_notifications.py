"""Who is told what by mail (engine.services.notifications), sent through a real SMTP
server in the test process: new tasks to the people who may act on them (and only their
OPD's), nothing for a rolled-back change, a notice turned off, a person without an
address or while mail is off; English for those who chose it; due on the next working day
and overdue once, then the daily digest; a task handed to someone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.models import Job, MailOutbox
from engine.runtime import build_runtime
from engine.services import jobs, notifications
from tests.engine.services import mail_support
from tests.engine.services.mail_support import BASE_URL, give_addresses, job_factory, mail_runtime
from tests.support import open_tasks, run_planning, start_sop, user

smtp_server, mailbox = mail_support.smtp_server, mail_support.mailbox


@pytest.fixture()
def runtime():
    return mail_runtime()


def run_jobs(session, at: datetime) -> int:
    session.commit()
    return jobs.run_due_jobs(job_factory(session), lambda: at)


def outbox(session, kind: str | None = None) -> list[MailOutbox]:
    query = select(MailOutbox).order_by(MailOutbox.id).execution_options(populate_existing=True)
    if kind:
        query = query.where(MailOutbox.kind == kind)
    return list(session.scalars(query))


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def wib(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour - 7, minute, tzinfo=UTC)


def test_a_new_task_is_mailed_to_each_person_of_its_lane(session, now, mailbox):
    give_addresses(session)
    instance = start_sop(session, now)
    [task] = open_tasks(session, instance.id)
    run_jobs(session, now)
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        "\"Fajar Ramadhan, S.Kom.\" <tim2@example.go.id>",
        "\"Rina Marlina, S.E.\" <tim1@example.go.id>",
    ]
    link = f"{BASE_URL}/tasks/{task.id}"
    for message in mailbox.messages:
        assert message["Subject"].strip().startswith("[Alur Kinerja] ")
        assert task.name in message["Subject"]
        assert link in text_of(message) and f'href="{link}"' in html_of(message)
        assert message["From"] == "Alur Kinerja <alur@pesisirselatan.example.go.id>"
        assert message["Date"] and message["Message-ID"].endswith("@pesisirselatan.example.go.id>")
    rows = outbox(session, "assigned")
    assert {row.message_id for row in rows} == {m["Message-ID"] for m in mailbox.messages}
    assert all(row.sent_at == now for row in rows)


def test_an_opd_task_goes_to_that_opds_people_only(session, now, mailbox):
    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    give_addresses(session)  # only now: rows 1-9 mailed nobody
    session.commit()
    tasks = open_tasks(session, instance.id, "Task_10")
    mailbox.messages.clear()
    notifications.tasks_opened(session, instance, [t.id for t in tasks], now)
    run_jobs(session, now)
    by_opd = {t.opd.code: t.id for t in tasks}
    got = {str(m["To"]).split("<")[1].rstrip(">"): text_of(m) for m in mailbox.messages}
    assert sorted(got) == ["pj.dinkes@example.go.id", "pj.disdikbud@example.go.id",
                           "pj.dpupr@example.go.id"]
    lines = got["pj.dinkes@example.go.id"].splitlines()
    assert any(line.endswith(f"/tasks/{by_opd['DINKES']}") for line in lines)
    assert not any(line.endswith(f"/tasks/{by_opd['DISDIKBUD']}") for line in lines)


def test_a_rolled_back_change_mails_nothing(session, now, mailbox):
    give_addresses(session)
    session.commit()
    start_sop(session, now)
    assert outbox(session)  # written with the change...
    session.rollback()  # ...and gone with it
    assert run_jobs(session, now) == 0
    assert outbox(session) == [] and mailbox.messages == []


def test_a_notice_turned_off_or_no_address_means_no_mail(session, now, mailbox):
    give_addresses(session, but=("tim1",))
    tim2 = user(session, "tim2")
    notifications.set_preferences(session, tim2, {"due_soon": True}, "id")
    start_sop(session, now)
    run_jobs(session, now)
    assert outbox(session) == [] and mailbox.messages == []
    assert notifications.preferences_of(session, tim2.id) == {
        "assigned": False, "due_soon": True, "overdue": False, "reassigned": False}


def test_english_for_those_who_chose_it(session, now, mailbox):
    give_addresses(session)
    notifications.set_preferences(session, user(session, "tim2"),
                                  dict.fromkeys(("assigned", "due_soon")), "en")
    notifications.set_preferences(session, user(session, "tim2"),
                                  {"assigned": True}, "en")
    start_sop(session, now)
    run_jobs(session, now)
    [english] = mailbox.to("tim2@")
    [indonesian] = mailbox.to("tim1@")
    assert english["Subject"].strip().startswith("[Alur Kinerja] New task: ")
    assert "Due: Monday, 12 January 2026" in text_of(english)
    assert 'lang="en"' in html_of(english)
    assert "Senin, 12 Januari 2026" in text_of(indonesian) and 'lang="id"' in html_of(indonesian)


def test_indonesian_words_by_default(session, now, mailbox):
    """A person who chose no language gets the letter in Bahasa Indonesia."""
    give_addresses(session)
    start_sop(session, now)
    run_jobs(session, now)
    [message] = mailbox.to("tim1@")
    assert message["Subject"].strip().startswith("[Alur Kinerja] Tugas baru: ")
    assert "Batas waktu: Senin, 12 Januari 2026" in text_of(message)


def test_mail_off_writes_nothing(session, now):
    session.info["alur_runtime"] = build_runtime(smtp_host="")
    give_addresses(session)
    instance = start_sop(session, now)
    notifications.task_reassigned(session, open_tasks(session, instance.id)[0],
                                  user(session, "tim2"), user(session, "kepala"), "x", now)
    assert outbox(session) == []
    assert session.scalar(select(func.count()).select_from(Job).where(
        Job.kind.in_(["mail", "mail_scan", "mail_digest"]))) == 0


def test_due_on_the_next_working_day_once(session, now, mailbox):
    give_addresses(session)
    start_sop(session, now)  # Task_01 due Monday 12 January
    run_jobs(session, now)
    mailbox.messages.clear()
    run_jobs(session, wib(2026, 1, 8))  # Thursday: not yet
    assert outbox(session, "due_soon") == []
    friday = wib(2026, 1, 9)
    run_jobs(session, friday)  # Friday: the next working day is Monday
    run_jobs(session, friday + timedelta(minutes=30))  # the scan again: no second notice
    assert len(outbox(session, "due_soon")) == 2
    assert sorted(str(m["To"]).split("<")[1] for m in mailbox.messages) == [
        "tim1@example.go.id>", "tim2@example.go.id>"]


def test_overdue_once_then_a_daily_digest(session, now, mailbox):
    give_addresses(session)
    notifications.set_preferences(session, user(session, "tim2"),
                                  {"assigned": True, "due_soon": True}, "id")
    instance = start_sop(session, now)
    [task] = open_tasks(session, instance.id)
    run_jobs(session, now)
    late = wib(2026, 1, 13, 10)  # Tuesday: a day past Monday's due date
    run_jobs(session, late)
    run_jobs(session, late + timedelta(hours=2))
    [notice] = outbox(session, "overdue")
    assert notice.user_id == user(session, "tim1").id  # tim2 turned overdue notices off
    assert outbox(session, "digest") == []  # told today: no digest yet
    mailbox.messages.clear()
    morning = wib(2026, 1, 14, 7, 0)
    run_jobs(session, morning)
    run_jobs(session, morning + timedelta(hours=1))  # at most one a day
    [digest] = outbox(session, "digest")
    assert digest.dedupe_key == f"digest:{notice.user_id}:2026-01-14"
    [message] = [m for m in mailbox.messages if m["Message-ID"] == digest.message_id]
    assert f"{BASE_URL}/tasks/{task.id}" in text_of(message)
    assert notifications.next_digest_at(morning, build_runtime().settings.zone) == morning + \
        timedelta(days=1)


def test_a_task_handed_to_someone(session, now, mailbox):
    give_addresses(session)
    instance = start_sop(session, now)
    [task] = open_tasks(session, instance.id)
    run_jobs(session, now)
    mailbox.messages.clear()
    notifications.task_reassigned(session, task, user(session, "tim2"), user(session, "kepala"),
                                  "Mohon ditindaklanjuti", now + timedelta(hours=1))
    run_jobs(session, now + timedelta(hours=1))
    [message] = mailbox.messages
    assert "tim2@example.go.id" in str(message["To"])
    body = text_of(message)
    assert "Hendri Saputra" in body and "Mohon ditindaklanjuti" in body
    assert f"{BASE_URL}/tasks/{task.id}" in body


def test_a_claimed_task_reminds_only_its_claimant(session, now, mailbox):
    from engine.services import tasks as task_service

    give_addresses(session)
    instance = start_sop(session, now)
    [task] = open_tasks(session, instance.id)
    task_service.claim_task(session, user(session, "tim2"), task.id, now)
    run_jobs(session, wib(2026, 1, 9))
    [reminder] = outbox(session, "due_soon")
    assert reminder.user_id == user(session, "tim2").id

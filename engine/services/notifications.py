"""What people are told by mail when work reaches them (engine.services.mail sends it).

Four notices, each of which a person may turn off (`set_preferences`): a new task for them
or their group (`tasks_opened`, called by execution.persist), a task handed to them
(`task_reassigned`, Disposisi), a task due on the next working day and an overdue task
(the "mail_scan" job, every 15 minutes), the overdue ones once per task and then in a
daily digest at 07.00 local time (the "mail_digest" job). Who is told about a task is who
may act on it (engine.services.access.can_act), or only its claimant once it is claimed;
people without an email address, inactive or with the notice off are left out.

Everything is written to the outbox inside the caller's transaction and sent after it
commits. Nothing at all is written while mail is off (ALUR_SMTP_HOST unset).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidInputError
from engine.models import HumanTask, MailOutbox, NotificationPreference, ProcessInstance, User
from engine.models.mail import (
    KIND_ASSIGNED,
    KIND_DIGEST,
    KIND_DUE_SOON,
    KIND_OVERDUE,
    KIND_REASSIGNED,
    MAIL_LOCALES,
    NOTICE_KINDS,
)
from engine.models.tasks import TASK_OPEN
from engine.models.users import UserRole
from engine.runtime import runtime_of
from engine.services import access, jobs, mail, mailtext
from engine.services.deadlines import WorkingCalendar

SCAN_KIND, SCAN_KEY = "mail_scan", "mail:scan"
DIGEST_KIND, DIGEST_KEY = "mail_digest", "mail:digest"
SCAN_EVERY = timedelta(minutes=15)
DIGEST_AT = time(7, 0)  # local time (WIB by default)


def mail_enabled(session: Session) -> bool:
    return runtime_of(session).settings.smtp_enabled


# ---- preferences ---------------------------------------------------------------------------

def preferences_of(session: Session, user_id: int) -> dict[str, bool]:
    """Each notice kind, on unless the person turned it off."""
    off = set(session.scalars(select(NotificationPreference.kind).where(
        NotificationPreference.user_id == user_id, NotificationPreference.enabled.is_(False))))
    return {kind: kind not in off for kind in NOTICE_KINDS}


def set_preferences(session: Session, person: User, wanted: dict[str, bool], locale: str) -> None:
    """Keep the kinds in `wanted` on and the others off, and the language of the mail."""
    if locale not in MAIL_LOCALES:
        raise InvalidInputError(N_("Choose Bahasa Indonesia or English"),
                                code="invalid_locale", details={"locale": ["unknown"]})
    unknown = sorted(set(wanted) - set(NOTICE_KINDS))
    if unknown:
        raise InvalidInputError(N_("Unknown kind of notice"), code="unknown_notice",
                                details={"kinds": unknown})
    rows = {row.kind: row for row in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == person.id))}
    for kind in NOTICE_KINDS:
        row = rows.get(kind) or NotificationPreference(user_id=person.id, kind=kind)
        row.enabled = bool(wanted.get(kind))
        session.add(row)
    session.get(User, person.id).locale = locale
    session.flush()


# ---- who is told -------------------------------------------------------------------------

def _wants(kind: str) -> ColumnElement[bool]:
    """The person has an address, is active and has not turned `kind` off."""
    pref = NotificationPreference
    return (
        User.is_active.is_(True)
        & User.email.is_not(None)
        & (User.email != "")
        & ~exists().where(pref.user_id == User.id, pref.kind == kind, pref.enabled.is_(False))
    )


def _recipients(session: Session, tasks: list[HumanTask], kind: str) -> dict[int, list[User]]:
    """For each task, who may act on it (its claimant only, once claimed) and wants `kind`:
    one query for all the tasks."""
    roles = {task.role for task in tasks}
    claimants = {task.claimed_by_id for task in tasks if task.claimed_by_id}
    people = list(session.scalars(select(User).where(
        _wants(kind),
        or_(User.id.in_(claimants), User.role_rows.any(UserRole.role.in_(roles))),
    ).order_by(User.id)))
    return {task.id: [p for p in people if _is_for(p, task)] for task in tasks}


def _is_for(person: User, task: HumanTask) -> bool:
    if task.claimed_by_id is not None and task.claimed_by_id != person.id:
        return False
    return access.can_act(person, task)


# ---- what is written ---------------------------------------------------------------------

def _links(session: Session) -> tuple[str, str]:
    base = runtime_of(session).settings.base_url
    return base + "/tasks/{}", base + "/akun"


def _note(task: HumanTask, instance: ProcessInstance, task_link: str) -> mailtext.TaskNote:
    return mailtext.TaskNote(
        task_id=task.id,
        name=task.name,
        run=f"{instance.registration_no} · {instance.title}",
        opd=task.opd.name if task.opd is not None else None,
        due_on=task.due_on,
        link=task_link.format(task.id),
    )


def _row(person: User, kind: str, task_id: int | None, key: str, letter: mailtext.Letter,
         now: datetime) -> dict:
    return {
        "user_id": person.id, "kind": kind, "task_id": task_id, "dedupe_key": key,
        "to_address": person.email, "to_name": person.full_name, "subject": letter.subject[:300],
        "body_text": letter.text, "body_html": letter.html, "created_at": now,
    }


def _task_rows(session: Session, tasks: list[HumanTask], kind: str, write: Callable,
               now: datetime) -> list[dict]:
    """One row per task and person told, keyed "<kind>:<task>:<person>"."""
    task_link, account_link = _links(session)
    rows: list[dict] = []
    if not tasks:
        return rows
    told = _recipients(session, tasks, kind)
    for task in tasks:
        note = _note(task, task.instance, task_link)
        for person in told[task.id]:
            letter = write(person.locale, person.full_name, note, account_link)
            rows.append(_row(person, kind, task.id, f"{kind}:{task.id}:{person.id}", letter, now))
    return rows


def tasks_opened(
    session: Session, instance: ProcessInstance, task_ids: list[int], now: datetime
) -> None:
    """New tasks: tell the people of each task's lane (and OPD) that work is waiting."""
    if not task_ids or not mail_enabled(session):
        return
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids))))
    mail.queue_letters(
        session, _task_rows(session, tasks, KIND_ASSIGNED, mailtext.task_opened, now), now)
    ensure_scans(session, now)


def task_reassigned(
    session: Session,
    task: HumanTask,
    to_user: User,
    by: User,
    reason: str,
    now: datetime,
) -> None:
    """A task handed to `to_user` (Disposisi): tell them who gave it and why."""
    if not mail_enabled(session):
        return
    wanted = session.scalar(select(User.id).where(User.id == to_user.id, _wants(KIND_REASSIGNED)))
    if wanted is None:
        return
    task_link, account_link = _links(session)
    letter = mailtext.task_reassigned(to_user.locale, to_user.full_name,
                                      _note(task, task.instance, task_link),
                                      by.full_name, reason or "", account_link)
    key = f"{KIND_REASSIGNED}:{task.id}:{to_user.id}:{now.isoformat()}"
    mail.queue_letters(
        session, [_row(to_user, KIND_REASSIGNED, task.id, key, letter, now)], now)


# ---- due soon, overdue, the digest (background jobs) -------------------------------------

def ensure_scans(session: Session, now: datetime) -> None:
    """Schedule the scan and the digest jobs unless they are (they reschedule themselves);
    an insert that skips an existing key, so workers starting together never collide."""
    zone = runtime_of(session).settings.zone
    jobs.ensure(session, SCAN_KIND, SCAN_KEY, now)
    jobs.ensure(session, DIGEST_KIND, DIGEST_KEY, next_digest_at(now, zone))


def next_digest_at(now: datetime, zone) -> datetime:
    """The next 07.00 local time after `now`, in UTC."""
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), DIGEST_AT, tzinfo=zone)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), DIGEST_AT, tzinfo=zone)
    return moment.astimezone(UTC)


def _open_tasks_not_told(session: Session, kind: str, *due: ColumnElement[bool]):
    """Open tasks matching `due` that no mail of `kind` was written about yet."""
    told = exists().where(MailOutbox.task_id == HumanTask.id, MailOutbox.kind == kind)
    return list(session.scalars(select(HumanTask).where(
        HumanTask.state == TASK_OPEN, HumanTask.due_on.is_not(None), *due, ~told
    ).order_by(HumanTask.id)))


def scan_job(session: Session, payload: dict, now: datetime) -> None:
    """The "mail_scan" job: due on the next working day, and newly overdue; then again in
    15 minutes (while mail is on; tasks_opened starts it again once it is back on)."""
    if not mail_enabled(session):
        return
    calendar = WorkingCalendar.load(session, now)
    today = calendar.local_date(now)
    soon = _open_tasks_not_told(session, KIND_DUE_SOON, HumanTask.due_on > today,
                                HumanTask.due_on <= calendar.add(today, 1))
    late = _open_tasks_not_told(session, KIND_OVERDUE, HumanTask.due_on < today)
    rows = _task_rows(session, soon, KIND_DUE_SOON, mailtext.task_due_soon, now)
    rows += _task_rows(session, late, KIND_OVERDUE, mailtext.task_overdue, now)
    mail.queue_letters(session, rows, now)
    jobs.enqueue(session, SCAN_KIND, {}, run_at=now + SCAN_EVERY, key=SCAN_KEY)


def digest_job(session: Session, payload: dict, now: datetime) -> None:
    """The "mail_digest" job, 07.00 on working days: each person's open overdue tasks that
    they were told of before today, in one mail."""
    if not mail_enabled(session):
        return
    calendar = WorkingCalendar.load(session, now)
    today = calendar.local_date(now)
    if calendar.add(calendar.add(today, -1), 1) == today:  # a working day
        mail.queue_letters(session, _digest_rows(session, calendar, today, now), now)
    jobs.enqueue(session, DIGEST_KIND, {}, run_at=next_digest_at(now, calendar.zone),
                 key=DIGEST_KEY)


def _digest_rows(session: Session, calendar: WorkingCalendar, today: date,
                 now: datetime) -> list[dict]:
    start_of_day = datetime.combine(today, time(0), tzinfo=calendar.zone).astimezone(UTC)
    found = session.execute(
        select(User, HumanTask)
        .join(MailOutbox, MailOutbox.user_id == User.id)
        .join(HumanTask, HumanTask.id == MailOutbox.task_id)
        .where(MailOutbox.kind == KIND_OVERDUE, MailOutbox.created_at < start_of_day,
               HumanTask.state == TASK_OPEN, HumanTask.due_on < today, _wants(KIND_OVERDUE))
        .order_by(User.id, HumanTask.due_on, HumanTask.id)
    ).all()
    task_link, account_link = _links(session)
    rows = []
    for person, tasks in _by_person(found):
        notes = [_note(task, task.instance, task_link) for task in tasks]
        letter = mailtext.overdue_digest(person.locale, person.full_name, notes, account_link)
        key = f"{KIND_DIGEST}:{person.id}:{today.isoformat()}"
        rows.append(_row(person, KIND_DIGEST, None, key, letter, now))
    return rows


def _by_person(pairs: Iterable) -> list[tuple[User, list[HumanTask]]]:
    grouped: dict[int, tuple[User, list[HumanTask]]] = {}
    for person, task in pairs:
        grouped.setdefault(person.id, (person, []))[1].append(task)
    return list(grouped.values())

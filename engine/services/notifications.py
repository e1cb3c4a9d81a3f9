"""What people are told by mail when work reaches them (engine.services.mail sends it).

Called by the services that change tasks, inside their transaction: the messages are
written to the outbox (background jobs) with the change and sent after it commits.
Nothing is written while mail is off (ALUR_SMTP_HOST unset).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessInstance, User
from engine.runtime import runtime_of


def mail_enabled(session: Session) -> bool:
    return runtime_of(session).settings.smtp_enabled


def tasks_opened(
    session: Session, instance: ProcessInstance, task_ids: list[int], now: datetime
) -> None:
    """New tasks: tell the people of each task's lane (and OPD) that work is waiting."""
    if not task_ids or not mail_enabled(session):
        return


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

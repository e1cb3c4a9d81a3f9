"""Recurring background jobs: a signed checkpoint of the chain heads every
ALUR_CHECKPOINT_INTERVAL seconds, forgetting old sign-in attempts every hour, and the ones
other modules keep (the storage's orphan sweep; mail's due-date scan and daily digest).

Each is one job with a fixed key. A worker adds the ones missing when it starts
(`ensure_recurring`, due at once: the first checkpoint is written at start, as before);
each run does its work and moves its own job to the next time, in the same transaction,
so a run that fails is retried with the job's backoff and the schedule never doubles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.runtime import runtime_of
from engine.services import checkpoints, jobs, notifications, throttle
from engine.storage import orphans

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Recurring:
    kind: str  # also the job's key: there is one of each
    every: Callable[[Session], timedelta]


def _checkpoint_every(session: Session) -> timedelta:
    return timedelta(seconds=runtime_of(session).settings.checkpoint_interval_seconds)


RECURRING: dict[str, Recurring] = {
    "checkpoint": Recurring("checkpoint", _checkpoint_every),
    "prune_attempts": Recurring("prune_attempts", lambda session: PRUNE_EVERY),
}


def ensure_recurring(session: Session, now: datetime) -> None:
    """Add each recurring job that has none yet, due now."""
    for recurring in RECURRING.values():
        jobs.ensure(session, recurring.kind, recurring.kind, now)
    orphans.ensure_recurring(session, now)
    if notifications.mail_enabled(session):
        notifications.ensure_scans(session, now)


def _again(session: Session, kind: str, now: datetime) -> None:
    recurring = RECURRING[kind]
    jobs.enqueue(session, kind, {}, run_at=now + recurring.every(session), key=recurring.kind)


def write_checkpoint_job(session: Session, payload: dict, now: datetime) -> None:
    """The "checkpoint" job: one signed checkpoint of the heads that moved, then the next."""
    written = checkpoints.write_checkpoint(session, now)
    if written is not None:
        log.info("checkpoint %d: %d head(s)", written.seq, written.head_count)
    _again(session, "checkpoint", now)


def prune_attempts_job(session: Session, payload: dict, now: datetime) -> None:
    """The "prune_attempts" job: forget old sign-in attempts, then again in an hour."""
    gone = throttle.prune_attempts(session, now)
    if gone:
        log.info("forgot %d old sign-in attempt(s)", gone)
    _again(session, "prune_attempts", now)

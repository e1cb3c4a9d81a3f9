"""Sign-in throttling: every attempt is a row, so a lockout holds across workers and hosts.

A username is locked once it has login_max_failures_per_user failures within the last
login_window_minutes (counting only those after its last success); a client address once
it has login_max_failures_per_client failures within the window, whoever they were for.
While locked, no password is even checked, the right one included: the answer is
TooManyAttemptsError with the seconds until the oldest counted failure leaves the window.

`sign_in` is the one door for the pages and the API. It only flushes; the caller commits
its own transaction even when the answer is a refusal, so a failure is counted although
the request answers 401 or 429 (webapp: a unit of work of its own, not the request's).
The moment a username or an address becomes locked, and every successful sign-in, is an
event on the global audit chain; never with a password.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.errors import N_, AuthenticationError, DomainError
from engine.events import EventType
from engine.models import LoginAttempt, User
from engine.runtime import runtime_of
from engine.services import audit, users

USERNAME_MAX, CLIENT_MAX = 64, 64
UNKNOWN_CLIENT = "unknown"
# pg_advisory_xact_lock(namespace, key): attempts on one username queue on PostgreSQL
# (SQLite's BEGIN IMMEDIATE already serialises every write transaction).
LOCK_NAMESPACE = int.from_bytes(b"alur", "big")
# How long attempts are kept: far longer than any window looks back, short enough that the
# table stays small however many names are tried (the timer worker prunes it hourly).
ATTEMPTS_KEPT = timedelta(days=7)


class TooManyAttemptsError(DomainError):
    """Sign-in refused without checking the password; details carry retry_after seconds."""

    code = "too_many_attempts"
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(
            N_("Too many sign-in attempts. Try again later."),
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        """Whole minutes to wait, rounded up (what a person is told)."""
        return max(1, math.ceil(self.retry_after / 60))


@dataclass(frozen=True)
class Limits:
    per_user: int
    per_client: int
    window: timedelta

    @classmethod
    def of(cls, session: Session) -> Limits:
        settings = runtime_of(session).settings
        return cls(
            per_user=settings.login_max_failures_per_user,
            per_client=settings.login_max_failures_per_client,
            window=timedelta(minutes=settings.login_window_minutes),
        )


@dataclass(frozen=True)
class Lock:
    scope: str  # "user" or "client"
    failures: int
    retry_after: int


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the user, or the error to answer with (after commit)."""

    user: User | None = None
    error: DomainError | None = None

    def user_or_raise(self) -> User:
        if self.error is not None:
            raise self.error
        assert self.user is not None
        return self.user


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()[:USERNAME_MAX]


def normalize_client(client: str | None) -> str:
    return (client or UNKNOWN_CLIENT)[:CLIENT_MAX]


def sign_in(
    session: Session, username: str, password: str, *, client: str | None, now: datetime,
    via: str,
) -> Outcome:
    """Check the lock, then the password; record the attempt and what it caused."""
    name, address = normalize_username(username), normalize_client(client)
    _queue_on(session, name)
    limits = Limits.of(session)
    lock = current_lock(session, name, address, now, limits)
    if lock is not None:
        return Outcome(error=TooManyAttemptsError(lock.retry_after))
    try:
        user = users.authenticate(session, username, password)
    except AuthenticationError as error:
        _record_failure(session, name, address, now, limits)
        return Outcome(error=error)
    session.add(LoginAttempt(username=name, client=address, succeeded=True, at=now))
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.USER_SIGNED_IN, now, actor_id=user.id,
                       payload={"client": address, "via": via})
    session.flush()
    return Outcome(user=user)


def current_lock(
    session: Session, username: str, client: str, now: datetime, limits: Limits | None = None
) -> Lock | None:
    """The lock on this username or this address (the longer wait), or None."""
    limits = limits or Limits.of(session)
    locks = [
        _lock("user", _user_failures(session, username, now, limits), limits.per_user, limits, now),
        _lock("client", _client_failures(session, client, now, limits), limits.per_client,
              limits, now),
    ]
    found = [lock for lock in locks if lock is not None]
    return max(found, key=lambda lock: lock.retry_after) if found else None


def _lock(scope: str, failures: list[datetime], limit: int, limits: Limits, now: datetime):
    """Locked while `limit` failures are in the window: until the one that brings the count
    below the limit (the oldest of the last `limit`) leaves it."""
    if limit < 1 or len(failures) < limit:
        return None
    releasing = failures[len(failures) - limit]
    seconds = math.ceil((releasing + limits.window - now).total_seconds())
    return Lock(scope, len(failures), max(1, seconds))


def _user_failures(session: Session, username: str, now: datetime, limits: Limits):
    since = now - limits.window
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True),
            LoginAttempt.at > since,
        )
    )
    since = max(since, last_success) if last_success is not None else since
    return _failures(session, LoginAttempt.username == username, since)


def _client_failures(session: Session, client: str, now: datetime, limits: Limits):
    return _failures(session, LoginAttempt.client == client, now - limits.window)


def _failures(session: Session, who, since: datetime) -> list[datetime]:
    return list(
        session.scalars(
            select(LoginAttempt.at)
            .where(who, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since)
            .order_by(LoginAttempt.at, LoginAttempt.id)
        )
    )


def _record_failure(
    session: Session, username: str, client: str, now: datetime, limits: Limits
) -> None:
    """Store the failure; the failure that brings a count to its limit logs the lockout."""
    session.add(LoginAttempt(username=username, client=client, succeeded=False, at=now))
    session.flush()
    for scope, failures, limit in (
        ("user", _user_failures(session, username, now, limits), limits.per_user),
        ("client", _client_failures(session, client, now, limits), limits.per_client),
    ):
        lock = _lock(scope, failures, limit, limits, now)
        if lock is not None and lock.failures == limit:
            _log_lock(session, lock, username, client, now)


def _log_lock(session: Session, lock: Lock, username: str, client: str, now: datetime) -> None:
    audit.lock_global_chain(session)
    audit.record_event(
        session, None, EventType.SIGN_IN_LOCKED, now,
        payload={"scope": lock.scope, "username": username, "client": client,
                 "failures": lock.failures, "retry_after": lock.retry_after},
    )


def _queue_on(session: Session, username: str) -> None:
    """On PostgreSQL, attempts on one username wait for each other (a transaction lock), so
    concurrent guesses cannot all pass the check before any is counted."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(username.encode("utf-8")).digest()
    key = int.from_bytes(digest[:4], "big", signed=True)
    session.execute(select(func.pg_advisory_xact_lock(LOCK_NAMESPACE, key)))


def prune_attempts(session: Session, now: datetime) -> int:
    """Forget attempts older than ATTEMPTS_KEPT (or the window, if an operator set a longer
    one); returns how many rows went."""
    window = timedelta(minutes=runtime_of(session).settings.login_window_minutes)
    cutoff = now - max(ATTEMPTS_KEPT, window)
    return session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff)).rowcount or 0

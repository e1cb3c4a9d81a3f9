"""Sign-in sessions kept on the server: opened at sign-in, checked on every page, ended for good.

The browser's cookie holds only a random key; the row named by its SHA-256 decides whether
the session is alive. A session dies when it is ended (signing out, a new password,
deactivation, "sign out everywhere"), at its absolute expiry (created_at plus
session_max_hours), after session_idle_minutes without a request, or when its user is
deactivated. Ending every session of a user also revokes every API token of theirs, so one
call cuts off every way in.

`last_seen_at` is written at most once a minute (TOUCH_EVERY), so page reads stay reads.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.config import Settings
from engine.models import ApiToken, User
from engine.models.sessions import UserSession
from engine.runtime import runtime_of

TOUCH_EVERY = timedelta(seconds=60)
CLIENT_MAX, AGENT_MAX = 64, 300

# end_reason values: why a session stopped, as stored
LOGOUT = "logout"
IDLE = "idle"
EXPIRED = "expired"
INACTIVE = "user_inactive"
EVERYWHERE = "signed_out_everywhere"
PASSWORD = "password_changed"
DEACTIVATED = "deactivated"
ENDED_BY_USER = "ended_by_user"


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Lifetimes:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_max_hours),
        )


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _lifetimes(session: Session) -> Lifetimes:
    return Lifetimes.of(runtime_of(session).settings)


def open_session(
    session: Session,
    user: User,
    now: datetime,
    *,
    client: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, UserSession]:
    """A new session for `user`; returns the key for the cookie (never stored) and the row."""
    key = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        key_hash=key_hash(key),
        created_at=now,
        last_seen_at=now,
        expires_at=now + _lifetimes(session).absolute,
        client=(client or "")[:CLIENT_MAX] or None,
        user_agent=(user_agent or "")[:AGENT_MAX] or None,
    )
    session.add(row)
    session.flush()
    return key, row


def find(session: Session, key: str) -> UserSession | None:
    if not key:
        return None
    return session.scalars(select(UserSession).where(UserSession.key_hash == key_hash(key))).first()


def why_dead(row: UserSession, now: datetime, lifetimes: Lifetimes) -> str | None:
    """None while the session is alive, else the reason it is not (an end_reason value)."""
    if row.ended_at is not None:
        return row.end_reason or LOGOUT
    if not row.user.is_active:
        return INACTIVE
    if now >= row.expires_at:
        return EXPIRED
    if now - row.last_seen_at > lifetimes.idle:
        return IDLE
    return None


def check(session: Session, key: str, now: datetime) -> tuple[UserSession | None, str | None]:
    """The session the key names and why it is dead (None when alive); (None, reason) when
    the key names no session at all."""
    row = find(session, key)
    if row is None:
        return None, "unknown"
    return row, why_dead(row, now, _lifetimes(session))


def needs_touch(row: UserSession, now: datetime) -> bool:
    return now - row.last_seen_at >= TOUCH_EVERY


def touch(session: Session, session_id: int, now: datetime) -> None:
    """Note a request; one UPDATE, skipped when a request of the last minute already did."""
    session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at <= now - TOUCH_EVERY,
        )
        .values(last_seen_at=now)
    )


def end(session: Session, session_id: int, now: datetime, reason: str = LOGOUT) -> bool:
    """End one session (if still open); True when it was open."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return result.rowcount > 0


def end_for_user(
    session: Session, user_id: int, session_id: int, now: datetime, reason: str = ENDED_BY_USER
) -> bool:
    """End one of `user_id`'s own sessions; False when it is not theirs or already ended."""
    result = session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
        )
        .values(ended_at=now, end_reason=reason)
    )
    return result.rowcount > 0


def end_all(
    session: Session, user_id: int, now: datetime, reason: str, *, keep: int | None = None
) -> tuple[int, int]:
    """End every open session of the user (but `keep`) and revoke every live API token of
    theirs; returns (sessions ended, tokens revoked)."""
    sessions_query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        sessions_query = sessions_query.where(UserSession.id != keep)
    ended = session.execute(sessions_query.values(ended_at=now, end_reason=reason)).rowcount
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    return ended, revoked


def live_sessions(session: Session, user_id: int, now: datetime) -> list[UserSession]:
    """The user's sessions still alive, the most recently seen first."""
    lifetimes = _lifetimes(session)
    rows = session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at >= now - lifetimes.idle,
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    return list(rows)

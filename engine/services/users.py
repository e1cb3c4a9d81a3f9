"""Accounts: argon2 password hashes, sign-in checks and API bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import AuthenticationError, NotFoundError
from engine.models import ApiToken, User, UserRole

_HASHER = PasswordHasher()
TOKEN_LIFETIME = timedelta(hours=12)
# verified against when the username is unknown, so both failures take the same time
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def find_user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("User not found", code="user_not_found")
    return user


def full_names(session: Session, ids) -> dict[int, str]:
    """Display names for a set of user ids (None ignored), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all())


def authenticate(session: Session, username: str, password: str) -> User:
    """Return the active user with these credentials or raise AuthenticationError."""
    user = find_user_by_username(session, username or "")
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.is_active:
        raise AuthenticationError("Wrong username or password", code="invalid_credentials")
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_user(
    session: Session,
    username: str,
    full_name: str,
    password: str,
    roles: list[str],
    *,
    opd_id: int | None = None,
    nip: str | None = None,
) -> User:
    user = User(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password),
        opd_id=opd_id,
        nip=nip,
    )
    user.role_rows = [UserRole(role=r) for r in roles]
    session.add(user)
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, now: datetime) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=now + TOKEN_LIFETIME
    )
    session.add(row)
    session.flush()
    return token, row


def user_for_token(session: Session, token: str, now: datetime) -> User:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(token))).first()
    if row is None or row.expires_at <= now or not row.user.is_active:
        raise AuthenticationError("Invalid or expired token", code="invalid_token")
    return row.user

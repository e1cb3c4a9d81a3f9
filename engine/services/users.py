"""Accounts: argon2 password hashes, sign-in checks, API bearer tokens, and the account
commands an office runs from the shell (add, new password, deactivate, list; OPDs).

A new password, a deactivation or "sign out everywhere" ends every session and revokes
every token of the person (engine.services.sessions.end_all), and each is an event on the
global audit chain. Passwords never reach a payload.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import N_, AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from engine.events import EventType
from engine.models import ApiToken, Opd, User, UserRole
from engine.models.users import OPD_ROLES, ROLE_CODES
from engine.services import audit, sessions

_HASHER = PasswordHasher()
TOKEN_LIFETIME = timedelta(hours=12)
TOKEN_TOUCH_EVERY = timedelta(seconds=60)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
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
    email: str | None = None,
) -> User:
    user = User(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password),
        opd_id=opd_id,
        nip=nip,
        email=email,
    )
    user.role_rows = [UserRole(role=r) for r in roles]
    session.add(user)
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, user: User, now: datetime, label: str | None = None
) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + TOKEN_LIFETIME,
        label=label or None,
    )
    session.add(row)
    session.flush()
    return token, row


def token_for(session: Session, token: str, now: datetime) -> ApiToken:
    """The live token row: not revoked, not expired, its user active."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(token))).first()
    if (
        row is None
        or row.revoked_at is not None
        or row.expires_at <= now
        or not row.user.is_active
    ):
        raise AuthenticationError("Invalid or expired token", code="invalid_token")
    return row


def user_for_token(session: Session, token: str, now: datetime) -> User:
    return token_for(session, token, now).user


def token_needs_touch(row: ApiToken, now: datetime) -> bool:
    return row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_EVERY


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    """Note a use; at most once a minute, so API reads stay reads."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - TOKEN_TOUCH_EVERY),
        )
        .values(last_used_at=now)
    )


def live_tokens(session: Session, user_id: int, now: datetime) -> list[ApiToken]:
    """The user's own tokens that still work, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user_id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
            )
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def own_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """Every token the user was issued (revoked and expired ones too), newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, user: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens; another person's (or none) is NotFoundError, so
    nobody learns which ids exist. Revoking a revoked token changes nothing."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFoundError(N_("Token not found"), code="token_not_found")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.lock_global_chain(session)
        audit.record_event(session, None, EventType.TOKEN_REVOKED, now, actor_id=user.id,
                           payload={"token_id": row.id, "label": row.label})
        session.flush()
    return row


# ---- accounts from the shell and the account page ------------------------------------------


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            N_("The password must be at least 10 characters long"), code="password_too_short",
            details={"password": ["min_length_10"]},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInputError(N_("The password is too long"), code="password_too_long",
                                details={"password": ["too_long"]})


def find_opd(session: Session, code: str) -> Opd:
    opd = session.scalars(select(Opd).where(func.upper(Opd.code) == (code or "").upper())).first()
    if opd is None:
        raise NotFoundError(N_("No OPD has this code"), code="opd_not_found",
                            details={"opd": code})
    return opd


def add_user(
    session: Session,
    username: str,
    full_name: str,
    password: str,
    roles: list[str],
    now: datetime,
    *,
    opd_code: str | None = None,
    nip: str | None = None,
    email: str | None = None,
    actor_id: int | None = None,
) -> User:
    """A new account, checked: known roles, an OPD for an OPD role, a free username, a
    password of at least MIN_PASSWORD_LENGTH characters. Logged on the global chain, with
    the administrator who added it (`actor_id`; None from the shell)."""
    username = (username or "").strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise InvalidInputError(N_("A username is 1-64 characters without spaces"),
                                code="invalid_username")
    if not (full_name or "").strip():
        raise InvalidInputError(N_("A full name is required"), code="invalid_name")
    unknown = sorted(set(roles) - set(ROLE_CODES))
    if not roles or unknown:
        raise InvalidInputError(N_("Unknown role"), code="unknown_role",
                                details={"roles": unknown, "known": list(ROLE_CODES)})
    opd = find_opd(session, opd_code) if opd_code else None
    if OPD_ROLES & set(roles) and opd is None:
        raise InvalidInputError(N_("A PJ Kinerja needs an OPD"), code="opd_required")
    check_new_password(password)
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise ConflictError(N_("This username is already taken"), code="username_taken")
    user = create_user(session, username, full_name.strip(), password, list(dict.fromkeys(roles)),
                       opd_id=opd.id if opd else None, nip=nip or None, email=email or None)
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.USER_CREATED, now, actor_id=actor_id,
                       payload={"user_id": user.id, "username": user.username,
                                "roles": sorted(user.roles), "opd": opd.code if opd else None})
    return user


def get_by_username(session: Session, username: str) -> User:
    user = find_user_by_username(session, username)
    if user is None:
        raise NotFoundError(N_("User not found"), code="user_not_found",
                            details={"username": username})
    return user


def set_password(
    session: Session, user: User, password: str, now: datetime, *, by: str = "shell",
    keep_session: int | None = None,
) -> tuple[int, int]:
    """A new password; every other session ends and every token is revoked."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    ended, revoked = sessions.end_all(session, user.id, now, sessions.PASSWORD, keep=keep_session)
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.PASSWORD_CHANGED, now,
                       actor_id=user.id if by == "self" else None,
                       payload={"user_id": user.id, "by": by, "sessions_ended": ended,
                                "tokens_revoked": revoked})
    session.flush()
    return ended, revoked


def change_own_password(
    session: Session, user: User, current: str, new: str, now: datetime, *, keep_session: int
) -> tuple[int, int]:
    """The account page: the current password first; the new one must differ."""
    try:
        _HASHER.verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError) as error:
        raise InvalidInputError(N_("The current password is wrong"), code="wrong_password",
                                details={"current_password": ["wrong"]}) from error
    if new == current:
        raise InvalidInputError(N_("The new password must differ from the current one"),
                                code="password_unchanged", details={"new_password": ["same"]})
    return set_password(session, user, new, now, by="self", keep_session=keep_session)


def deactivate_user(
    session: Session, user: User, now: datetime, *, actor_id: int | None = None
) -> tuple[int, int]:
    """No more sign-ins; every session ends and every token is revoked at once. `actor_id`:
    the administrator who did it (None from the shell)."""
    user.is_active = False
    ended, revoked = sessions.end_all(session, user.id, now, sessions.DEACTIVATED)
    audit.lock_global_chain(session)
    audit.record_event(session, None, EventType.USER_DEACTIVATED, now, actor_id=actor_id,
                       payload={"user_id": user.id, "username": user.username,
                                "sessions_ended": ended, "tokens_revoked": revoked})
    session.flush()
    return ended, revoked


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def add_opd(session: Session, code: str, name: str) -> Opd:
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code or len(code) > 32 or any(c.isspace() for c in code):
        raise InvalidInputError(N_("An OPD code is 1-32 characters without spaces"),
                                code="invalid_opd_code")
    if not name or len(name) > 200:
        raise InvalidInputError(N_("An OPD name is 1-200 characters"), code="invalid_opd_name")
    if session.scalar(select(Opd.id).where(func.upper(Opd.code) == code)):
        raise ConflictError(N_("This OPD code is already taken"), code="opd_taken")
    opd = Opd(code=code, name=name)
    session.add(opd)
    session.flush()
    return opd


def list_opds(session: Session) -> list[Opd]:
    return list(session.scalars(select(Opd).order_by(Opd.code)))

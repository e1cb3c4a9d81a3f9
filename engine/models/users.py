"""People, the roles (swimlanes) they work in, and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, utcnow
from engine.models.opds import Opd

ROLE_CODES = (
    "kepala_ukpbj", "tim_kelembagaan", "pj_kinerja", "admin", "auditor", "pemilik_proses"
)
# Who may open the modeler, edit drafts and deploy versions (webapp/modeler).
MODELER_ROLES = frozenset({"pemilik_proses", "admin"})
# Roles whose people each belong to one OPD: a lane of such a role must say which variable
# names the OPD of its tasks (engine.sop), and they act only on their own OPD's tasks.
OPD_ROLES = frozenset({"pj_kinerja"})


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(18))
    # Where notices by e-mail go (set by an administrator); None: no e-mail.
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opds.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the language of the mail this person receives (None: Indonesian)
    locale: Mapped[str | None] = mapped_column(String(5))

    opd: Mapped[Opd | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    # What a session layer (Flask-Login) asks of a user object; plain attributes, so the
    # engine stays free of web imports.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, role: str) -> bool:
        return role in self.roles


class Role(Base):
    """The roles there are, as reference data a migration adds to: a user's role must be one
    of them (user_roles.role refers here), so a typo cannot grant a role nobody checks."""

    __tablename__ = "roles"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32), ForeignKey("roles.code"))

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, so a leaked table grants nothing."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # A name the owner gives it ("skrip laporan"), when it was last used, and when it was
    # revoked (by its owner, a sign-out everywhere, a new password or deactivation).
    label: Mapped[str | None] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

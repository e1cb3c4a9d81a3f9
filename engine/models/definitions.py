"""Process definitions and their immutable deployed versions.

A deploy stores the BPMN text, its forms and the activity metadata once per version,
keyed by a content hash; instances point at the version they started on, and the
live workflow state never repeats the spec.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, utcnow


class Definition(Base):
    __tablename__ = "definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[DefinitionVersion]] = relationship(
        back_populates="definition", order_by="DefinitionVersion.version"
    )


class DefinitionVersion(Base):
    __tablename__ = "definition_versions"
    __table_args__ = (
        UniqueConstraint("definition_id", "version"),
        UniqueConstraint("definition_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id"), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    # The content is large (the whole diagram and its forms) and immutable: it is loaded only
    # when asked for, and hot paths read it through engine.services.versions' cache. The
    # diagram text is a group of its own: showing a form never loads it.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True, deferred_group="diagram")
    forms: Mapped[dict] = mapped_column(deferred=True, deferred_group="content")
    activities: Mapped[dict] = mapped_column(deferred=True, deferred_group="content")
    lane_roles: Mapped[dict] = mapped_column(deferred=True, deferred_group="content")
    # The SOP's own rules as the diagram declares them (engine.sop.SopRules.to_dict()).
    rules: Mapped[dict] = mapped_column(deferred=True, deferred_group="content", default=dict)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)

    definition: Mapped[Definition] = relationship(back_populates="versions", lazy="joined")

"""A process owner's unfinished new version of a diagram and its forms (webapp/modeler).

A draft lives on the server so a closed tab loses nothing, and carries a revision
number: a save names the revision it was based on and is refused (409) when someone else
saved in between, so two owners never overwrite each other silently.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, utcnow
from engine.models.definitions import DefinitionVersion
from engine.models.users import User


class ProcessDraft(Base):
    __tablename__ = "process_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The process the draft will become a version of (its main process id once it parses;
    # None for an upload whose diagram is not yet readable) and the version it started from.
    definition_key: Mapped[str | None] = mapped_column(String(120), index=True)
    base_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("definition_versions.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict] = mapped_column(default=dict)  # form key -> form-js schema
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the draft was deployed: it then opens read-only, pointing at its version.
    deployed_version_id: Mapped[int | None] = mapped_column(ForeignKey("definition_versions.id"))

    base_version: Mapped[DefinitionVersion | None] = relationship(
        foreign_keys=[base_version_id], lazy="joined"
    )
    deployed_version: Mapped[DefinitionVersion | None] = relationship(
        foreign_keys=[deployed_version_id], lazy="joined"
    )
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id], lazy="joined")

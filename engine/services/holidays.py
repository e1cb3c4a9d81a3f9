"""The holiday table: seeded from the `holidays` package, edited by an admin."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import indonesian_holidays
from engine.models import Holiday
from engine.models.holidays import SOURCE_MANUAL, SOURCE_PACKAGE


def seed_holidays(session: Session, years: Iterable[int], now: datetime) -> int:
    """Add or refresh package holidays for `years`; rows edited by hand are never overwritten."""
    existing = {h.on: h for h in session.scalars(select(Holiday))}
    added = 0
    for seed in indonesian_holidays(years):
        row = existing.get(seed.on)
        if row is None:
            session.add(
                Holiday(
                    on=seed.on,
                    name=seed.name,
                    kind=seed.kind,
                    source=SOURCE_PACKAGE,
                    changed_at=now,
                )
            )
            added += 1
        elif row.source == SOURCE_PACKAGE and (row.name, row.kind) != (seed.name, seed.kind):
            row.name, row.kind, row.changed_at = seed.name, seed.kind, now
    session.flush()
    return added


def list_holidays(session: Session, start: date, end: date) -> list[Holiday]:
    return list(
        session.scalars(
            select(Holiday).where(Holiday.on >= start, Holiday.on <= end).order_by(Holiday.on)
        )
    )


def set_holiday(
    session: Session,
    actor_id: int,
    on: date,
    name: str,
    kind: str,
    now: datetime,
    legal_basis: str | None = None,
) -> Holiday:
    row = session.scalars(select(Holiday).where(Holiday.on == on)).first()
    if row is None:
        row = Holiday(on=on)
        session.add(row)
    row.name, row.kind, row.legal_basis = name, kind, legal_basis
    row.source, row.changed_by_id, row.changed_at = SOURCE_MANUAL, actor_id, now
    session.flush()
    return row

"""The holiday table: seeded from the `holidays` package, edited by an admin."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import indonesian_holidays
from engine.models import Holiday
from engine.models.holidays import SOURCE_MANUAL, SOURCE_PACKAGE


@dataclass(frozen=True)
class SeedResult:
    added: int
    updated: int
    kept_manual: int  # package days left alone because an admin edited (or removed) them


def seed_holidays(session: Session, years: Iterable[int], now: datetime) -> int:
    """Add or refresh package holidays for `years`; rows edited by hand are never overwritten.
    Returns how many rows were added."""
    return seed_years(session, years, now).added


def seed_years(session: Session, years: Iterable[int], now: datetime) -> SeedResult:
    """As seed_holidays, counting what was added, refreshed and kept as edited by hand."""
    existing = {h.on: h for h in session.scalars(select(Holiday))}
    added = updated = kept = 0
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
        elif row.source != SOURCE_PACKAGE:
            kept += 1
        elif (row.name, row.kind) != (seed.name, seed.kind):
            row.name, row.kind, row.changed_at = seed.name, seed.kind, now
            updated += 1
    session.flush()
    return SeedResult(added, updated, kept)


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

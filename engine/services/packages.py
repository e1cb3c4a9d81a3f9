"""SIRUP procurement packages: importing a file (preview, then confirm) and listing them.

Import is two steps over the same bytes. `preview_import` reads the file (engine.sirup),
matches each row's satuan kerja to an OPD and compares it with what is stored, and writes
nothing. `confirm_import` gets the bytes again with the sha256 the preview showed, plans
the same way, refuses when the file changed or any row is refused (a file goes in whole or
not at all), then upserts on (tahun_anggaran, kd_rup) with bulk INSERT ... ON CONFLICT DO
UPDATE statements and records one PACKAGES_IMPORTED event per budget year.

OPD matching never guesses: a row's Kode Satker equal to an OPD's code, or its Satuan
Kerja equal to an OPD's name once case, spaces and punctuation are set aside ("DINAS
KESEHATAN" is "Dinas Kesehatan"). No match is "unknown OPD"; two are "ambiguous OPD".
(The opds table has no SIRUP satker code of its own: an administrator who wants matching by
code gives the OPD that code.)

Who: the Tim Kelembagaan and administrators import; Kepala UKPBJ, the Tim, auditors and
administrators read every OPD's packages, a PJ Kinerja only their own OPD's (asking for
another OPD is the same 404 as asking for one that does not exist).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import PurePath

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.errors import N_, ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from engine.events import EventType
from engine.models import Opd, Package, User
from engine.runtime import runtime_of
from engine.services import access, audit
from engine.sirup import PackageRow, Refusal, read_packages
from engine.sirup.formats import check_size
from engine.sirup.limits import limits_from
from engine.sirup.values import FIRST_YEAR, LAST_YEAR

IMPORTER_ROLES = frozenset({"tim_kelembagaan", "admin"})
# Columns a later import may change; the key (tahun_anggaran, kd_rup) never changes.
COMPARED = ("nama_paket", "pagu", "metode_pengadaan", "jenis_pengadaan", "kd_satker",
            "nama_satker", "opd_id", "tgl_awal_pemilihan", "tgl_akhir_pemilihan",
            "status_pdn", "status_ukm", "sumber_dana")
BATCH = 1000  # rows per INSERT ... ON CONFLICT statement
MAX_PER_PAGE = 200
MAX_FILENAME = 200
NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass
class PlannedRow:
    """A readable row with its OPD, and for an update what changes ({column: [old, new]})."""

    row: PackageRow
    opd_id: int
    changes: dict[str, list] = field(default_factory=dict)


@dataclass
class ImportPlan:
    filename: str
    sha256: str
    format: str
    years: list[int]
    added: list[PlannedRow] = field(default_factory=list)
    updated: list[PlannedRow] = field(default_factory=list)
    unchanged: list[PlannedRow] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    @property
    def refused_lines(self) -> int:
        return len({refusal.line for refusal in self.refused})

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "updated": len(self.updated),
                "unchanged": len(self.unchanged), "refused": self.refused_lines}


# ---- who may ---------------------------------------------------------------------------------

def ensure_importer(actor: User) -> None:
    """The Tim Kelembagaan and administrators import; never a read-only role beside them."""
    if not actor.roles & IMPORTER_ROLES:
        raise PermissionDeniedError(
            N_("Only the Tim Kelembagaan and administrators may import SIRUP packages"),
            code="packages_import_only")
    access.ensure_can_write(actor)


def readable_opd(actor: User, opd_id: int | None) -> int | None:
    """The OPD a list is limited to (None: every OPD), after the actor's rights."""
    if not may_read(actor):
        raise PermissionDeniedError(N_("Your role may not read procurement packages"),
                                    code="packages_read_denied")
    if access.is_overseer(actor):
        return opd_id
    if opd_id is not None and opd_id != actor.opd_id:
        raise NotFoundError(N_("No such OPD"), code="opd_not_found")
    return actor.opd_id


# ---- import ----------------------------------------------------------------------------------

def preview_import(session: Session, actor: User, filename: str, data: bytes, now: datetime,
                   *, tahun_anggaran: int | None = None) -> ImportPlan:
    """What importing the file would do; nothing is written."""
    ensure_importer(actor)
    return _plan(session, filename, data, tahun_anggaran)


def confirm_import(session: Session, actor: User, filename: str, data: bytes,
                   expected_sha256: str, now: datetime, *,
                   tahun_anggaran: int | None = None) -> ImportPlan:
    """Import the file previewed (same sha256), whole, in the caller's transaction."""
    ensure_importer(actor)
    check_size(data, limits_from(runtime_of(session).settings))
    sha256 = hashlib.sha256(data).hexdigest()  # checked before the file is read again
    if sha256 != (expected_sha256 or "").strip().lower():
        raise ConflictError(N_("This is not the file that was previewed: preview it again"),
                            code="import_file_changed",
                            details={"sha256": sha256, "expected": expected_sha256})
    plan = _plan(session, filename, data, tahun_anggaran)
    if plan.refused:
        raise InvalidInputError(
            N_("Some rows of the file are refused: correct them and import the file again"),
            code="import_has_refusals",
            details={"refused_lines": plan.refused_lines,
                     "refused": [refusal_dict(r) for r in plan.refused[:1000]]})
    _upsert(session, actor, plan.added + plan.updated, now)
    _record(session, actor, plan, now)
    return plan


def check_year(value: int | None) -> int | None:
    if value is not None and not FIRST_YEAR <= value <= LAST_YEAR:
        raise InvalidInputError(N_("Choose a year between 2000 and 2100"), code="invalid_year",
                                details={"tahun": [N_("Choose a year between 2000 and 2100")]})
    return value


def refusal_dict(refusal: Refusal) -> dict:
    return {"line": refusal.line, "code": refusal.code, "message": refusal.message,
            "field": refusal.field, "value": refusal.value}


def clean_filename(filename: str | None) -> str:
    """The last part of the uploaded name, printable, at most 200 characters (it goes into
    the audit event)."""
    name = PurePath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-MAX_FILENAME:] or "sirup"


def _plan(session: Session, filename: str, data: bytes, year: int | None) -> ImportPlan:
    read = read_packages(data, limits_from(runtime_of(session).settings), check_year(year))
    plan = ImportPlan(clean_filename(filename), read.sha256, read.format,
                      sorted({row.tahun_anggaran for row in read.rows}), refused=read.refusals)
    opds = _OpdIndex(session)
    stored = _stored(session, plan.years)
    for row in read.rows:
        opd_id = opds.match(row, plan.refused)
        if opd_id is None:
            continue
        planned = PlannedRow(row, opd_id)
        old = stored.get(row.key)
        if old is None:
            plan.added.append(planned)
            continue
        planned.changes = {name: [old[name], new] for name in COMPARED
                           if old[name] != (new := _value(planned, name))}
        (plan.updated if planned.changes else plan.unchanged).append(planned)
    plan.refused.sort(key=lambda r: r.line)
    return plan


def _value(planned: PlannedRow, name: str):
    return planned.opd_id if name == "opd_id" else getattr(planned.row, name)


def _stored(session: Session, years: list[int]) -> dict[tuple[int, str], dict]:
    if not years:
        return {}
    columns = [getattr(Package, name) for name in COMPARED]
    query = select(Package.tahun_anggaran, Package.kd_rup, *columns).where(
        Package.tahun_anggaran.in_(years))
    return {(row.tahun_anggaran, row.kd_rup): row._mapping for row in session.execute(query)}


class _OpdIndex:
    """The OPDs by code and by normalised name, read once per import."""

    def __init__(self, session: Session):
        self.by_code: dict[str, set[int]] = {}
        self.by_name: dict[str, set[int]] = {}
        for opd in session.execute(select(Opd.id, Opd.code, Opd.name)):
            self.by_code.setdefault(opd.code.lower(), set()).add(opd.id)
            self.by_name.setdefault(normalise_name(opd.name), set()).add(opd.id)

    def match(self, row: PackageRow, refusals: list[Refusal]) -> int | None:
        found = set()
        if row.kd_satker:
            found |= self.by_code.get(row.kd_satker.lower(), set())
        if row.nama_satker:
            found |= self.by_name.get(normalise_name(row.nama_satker), set())
        if len(found) == 1:
            return found.pop()
        shown = row.nama_satker or row.kd_satker
        if found:
            refusals.append(Refusal(row.line, "ambiguous_opd", N_(
                "This satuan kerja matches more than one OPD"), "nama_satker", shown))
        else:
            refusals.append(Refusal(row.line, "unknown_opd", N_(
                "Unknown OPD: no OPD has this satuan kerja's name or code"), "nama_satker",
                shown))
        return None


def normalise_name(name: str) -> str:
    """'Dinas Kesehatan', 'DINAS  KESEHATAN' and 'Dinas Kesehatan.' are one name."""
    return NOT_ALNUM.sub("", name.lower())


def _upsert(session: Session, actor: User, planned: list[PlannedRow], now: datetime) -> None:
    if not planned:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Package.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["tahun_anggaran", "kd_rup"],
        set_={name: statement.excluded[name]
              for name in (*COMPARED, "imported_at", "imported_by_id")})
    values = [_values(item, actor, now) for item in planned]
    session.flush()
    for start in range(0, len(values), BATCH):  # one statement, executed for many rows
        session.execute(statement, values[start:start + BATCH])


def _values(item: PlannedRow, actor: User, now: datetime) -> dict:
    row = item.row
    return {"tahun_anggaran": row.tahun_anggaran, "kd_rup": row.kd_rup,
            **{name: _value(item, name) for name in COMPARED},
            "imported_at": now, "imported_by_id": actor.id}


def _record(session: Session, actor: User, plan: ImportPlan, now: datetime) -> None:
    """One PACKAGES_IMPORTED event per budget year of the file, with that year's counts."""
    audit.lock_global_chain(session)
    for year in plan.years:
        counts = {name: Counter(item.row.tahun_anggaran for item in getattr(plan, name))[year]
                  for name in ("added", "updated", "unchanged")}
        audit.record_event(session, None, EventType.PACKAGES_IMPORTED, now, actor_id=actor.id,
                           payload={"tahun_anggaran": year, "filename": plan.filename,
                                    "sha256": plan.sha256, **counts})
        session.flush()


# ---- reading ---------------------------------------------------------------------------------

@dataclass
class PackagePage:
    items: list[Package]
    total: int
    total_pagu: Decimal
    page: int
    per_page: int


def list_packages(session: Session, actor: User, tahun: int, opd_id: int | None = None,
                  q: str | None = None, metode: str | None = None, jenis: str | None = None,
                  page: int = 1, per_page: int = 50) -> PackagePage:
    """One budget year's packages the actor may read, filtered, by OPD and name; the
    total and Σ pagu are of every row the filters match, not only this page."""
    opd_id = readable_opd(actor, opd_id)
    check_year(tahun)
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInputError(N_("Choose a page from 1 and 1-200 rows per page"),
                                code="invalid_page")
    conditions = _conditions(tahun, opd_id, q, metode, jenis)
    total, total_pagu = session.execute(
        select(func.count(), func.coalesce(func.sum(Package.pagu), 0)).where(*conditions)).one()
    items = session.scalars(select(Package).where(*conditions)
                            .order_by(Package.opd_id, Package.nama_paket, Package.kd_rup)
                            .offset((page - 1) * per_page).limit(per_page))
    return PackagePage(list(items), total, Decimal(str(total_pagu)).quantize(Decimal("0.01")),
                       page, per_page)


def _conditions(tahun: int, opd_id: int | None, q: str | None, metode: str | None,
                jenis: str | None) -> list:
    conditions = [Package.tahun_anggaran == tahun]
    if opd_id is not None:
        conditions.append(Package.opd_id == opd_id)
    if metode:
        conditions.append(func.lower(Package.metode_pengadaan) == metode.strip().lower())
    if jenis:
        conditions.append(func.lower(Package.jenis_pengadaan) == jenis.strip().lower())
    if q and q.strip():
        text = q.strip().lower()
        conditions.append(or_(func.lower(Package.nama_paket).contains(text, autoescape=True),
                              Package.kd_rup == text))
    return conditions


def may_read(actor: User) -> bool:
    """Whether the actor may read any packages at all (the header's link to the list)."""
    return access.is_overseer(actor) or ("pj_kinerja" in actor.roles and actor.opd_id is not None)


def readable_opds(session: Session, actor: User) -> list[Opd]:
    """The OPDs whose packages the actor may list, by name: every active one for the
    overseers (and any inactive one that has packages), a PJ Kinerja's own only."""
    if access.is_overseer(actor):
        with_packages = select(Package.opd_id).distinct()
        return list(session.scalars(
            select(Opd).where(or_(Opd.is_active.is_(True), Opd.id.in_(with_packages)))
            .order_by(Opd.name)))
    readable_opd(actor, None)  # refuses a role that may read none
    return list(session.scalars(select(Opd).where(Opd.id == actor.opd_id)))

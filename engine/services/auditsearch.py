"""Finding runs for the audit pages: filtered, sorted, paged and counted in SQL.

An auditor looks for runs by what they ran on (definition, version), who took part (an OPD
with a task in the run), how far they got (reached a period), their status, when they were
started (dates in the deployment's zone), whether a step was late, and words of their title
or registration number. Everything is one query on `process_instances` with EXISTS probes
into `human_tasks` (its `instance_id, opd_id` and `instance_id, state, ...` indexes), so a
page costs the same whatever the runs' histories hold.

"Late" is engine.services.durations' rule written in SQL: a task completed on a local day
after its due date, or still open while today is past it. Counts per status ignore the
status filter (they say how many of each the other filters find), the total does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import N_, InvalidInputError
from engine.models import Definition, DefinitionVersion, HumanTask, Opd, ProcessInstance, User
from engine.models.instances import STATUS_COMPLETED, STATUS_RUNNING
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.runtime import runtime_of
from engine.services import access

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
TEXT_LIMIT = 200
STATUSES = (STATUS_RUNNING, STATUS_COMPLETED)
SORTS = {
    "started": ProcessInstance.started_at,
    "title": func.lower(ProcessInstance.title),
    "status": ProcessInstance.status,
    "events": ProcessInstance.event_count,
}


@dataclass(frozen=True)
class RunSearch:
    """What the auditor asked for; every field optional. Dates are local calendar days,
    both ends included."""

    definition_key: str | None = None
    version_id: int | None = None
    opd_code: str | None = None
    period_no: int | None = None  # runs that reached this period (or a later one)
    status: str | None = None
    started_from: date | None = None
    started_until: date | None = None
    late_only: bool = False
    text: str | None = None
    sort: str = "started"
    descending: bool = True
    page: int = 1
    per_page: int = PAGE_SIZE


@dataclass(frozen=True)
class FoundRun:
    instance: ProcessInstance
    has_late_step: bool


@dataclass(frozen=True)
class SearchResult:
    runs: list[FoundRun]
    total: int
    by_status: dict[str, int]
    page: int
    pages: int


@dataclass(frozen=True)
class SearchChoices:
    """What the search form offers: definitions with their versions, and the OPDs."""

    definitions: list[Definition]
    versions: list[DefinitionVersion]
    opds: list[Opd]
    statuses: tuple[str, ...] = field(default=STATUSES)


def search_runs(session: Session, viewer: User, search: RunSearch, now: datetime) -> SearchResult:
    """One page of the runs matching `search`, with the total and the counts per status."""
    opd_id = check_search(session, viewer, search)
    zone = runtime_of(session).settings.zone
    others = _conditions(search, opd_id, zone)
    late = late_step_clause(session, zone, now)
    if search.late_only:
        others.append(late)
    by_status = _count_by_status(session, others)
    total = by_status.get(search.status, 0) if search.status else sum(by_status.values())
    pages = max(1, -(-total // search.per_page))
    page = min(search.page, pages)
    conditions = [*others, ProcessInstance.status == search.status] if search.status else others
    ids = session.scalars(
        select(ProcessInstance.id).where(*conditions).order_by(*_order(search))
        .offset((page - 1) * search.per_page).limit(search.per_page)
    ).all()
    runs = _found_runs(session, ids, late)
    return SearchResult(runs, total, by_status, page, pages)


def _found_runs(session: Session, ids: list[int], late: ColumnElement[bool]) -> list[FoundRun]:
    """The page's runs in the order found, each with its late flag.

    The sort reads only ids and sort keys; whole rows and the late probe are fetched for
    the page's ids alone, so a page of 10,000 runs sorts small rows and probes 25 runs."""
    if not ids:
        return []
    late_ids = set(session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.id.in_(ids), late)))
    rows = {row.id: row for row in session.scalars(
        select(ProcessInstance).where(ProcessInstance.id.in_(ids)))}
    return [FoundRun(rows[run_id], run_id in late_ids) for run_id in ids]


def search_choices(session: Session, viewer: User) -> SearchChoices:
    access.ensure_audit_reader(viewer)
    definitions = list(session.scalars(select(Definition).order_by(Definition.name)))
    versions = list(session.scalars(
        select(DefinitionVersion).order_by(DefinitionVersion.definition_id,
                                           DefinitionVersion.version)))
    opds = list(session.scalars(select(Opd).order_by(Opd.name)))
    return SearchChoices(definitions, versions, opds)


# ---- checking what was asked ---------------------------------------------------------------

def check_search(session: Session, viewer: User, search: RunSearch) -> int | None:
    """Refuse values no form offers, each named by its field (InvalidInputError with the
    problems by field in `details`); returns the OPD's row id."""
    access.ensure_audit_reader(viewer)
    problems: dict[str, list[str]] = {}
    for name, message in _value_problems(search):
        problems.setdefault(name, []).append(message)
    opd_id = None
    if search.opd_code and "opd" not in problems:
        opd_id = session.scalar(select(Opd.id).where(Opd.code == search.opd_code))
        if opd_id is None:
            problems["opd"] = [N_("There is no such OPD")]
    if search.definition_key and "definition" not in problems and session.scalar(
            select(Definition.id).where(Definition.key == search.definition_key)) is None:
        problems["definition"] = [N_("There is no such process")]
    if search.version_id is not None and session.get(DefinitionVersion, search.version_id) is None:
        problems["version"] = [N_("There is no such version")]
    if problems:
        raise InvalidInputError("Some search fields are not valid", code="invalid_search",
                                details=problems)
    return opd_id


def _value_problems(search: RunSearch):
    for name, value in (("text", search.text), ("opd", search.opd_code),
                        ("definition", search.definition_key)):
        if value and has_control_characters(value):
            yield name, N_("Remove the control characters from this field")
    if search.status is not None and search.status not in STATUSES:
        yield "status", N_("Choose a status from the list")
    if search.period_no is not None and search.period_no < 1:
        yield "period", N_("A period is a whole number from 1")
    if search.started_from and search.started_until and search.started_from > search.started_until:
        yield "started_until", N_("This date is before the start of the range")
    if search.text is not None and len(search.text) > TEXT_LIMIT:
        yield "text", N_("Search for at most 200 characters")
    if search.sort not in SORTS:
        yield "sort", N_("Choose a sort order from the list")
    if search.page < 1 or not 1 <= search.per_page <= MAX_PAGE_SIZE:
        yield "page", N_("There is no such page")


def has_control_characters(value: str) -> bool:
    """NUL and the other C0 controls: no title, code or key holds one (and PostgreSQL
    refuses NUL in any text it is sent)."""
    return any(ord(character) < 32 for character in value)


# ---- the query -----------------------------------------------------------------------------

def _conditions(search: RunSearch, opd_id: int | None, zone: ZoneInfo) -> list[ColumnElement]:
    """Every filter but the status and the late flag (counted and added by the caller)."""
    found: list[ColumnElement] = []
    if search.definition_key:
        found.append(ProcessInstance.version_id.in_(
            select(DefinitionVersion.id).join(Definition)
            .where(Definition.key == search.definition_key)))
    if search.version_id is not None:
        found.append(ProcessInstance.version_id == search.version_id)
    if opd_id is not None:
        found.append(exists().where(HumanTask.instance_id == ProcessInstance.id,
                                    HumanTask.opd_id == opd_id))
    if search.period_no is not None:
        found.append(ProcessInstance.period_no >= search.period_no)
    found.extend(_started_between(search.started_from, search.started_until, zone))
    if search.text and search.text.strip():
        words = search.text.strip()
        found.append(or_(ProcessInstance.title.icontains(words, autoescape=True),
                         ProcessInstance.registration_no.icontains(words, autoescape=True)))
    return found


def _started_between(first: date | None, last: date | None, zone: ZoneInfo) -> list:
    """Local days as UTC instants: from the first day's midnight to the day after the last."""
    found = []
    if first is not None:
        found.append(ProcessInstance.started_at >= _local_midnight(first, zone))
    if last is not None:
        found.append(ProcessInstance.started_at < _local_midnight(last + timedelta(days=1), zone))
    return found


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def late_step_clause(session: Session, zone: ZoneInfo, now: datetime) -> ColumnElement[bool]:
    """EXISTS a late task in the run (correlated to ProcessInstance): completed on a local
    day after its due date, or open while today (local) is past it (durations.pass_timing)."""
    today = now.astimezone(zone).date()
    completed_late = and_(HumanTask.state == TASK_COMPLETED,
                          local_date(session, HumanTask.completed_at, zone, now)
                          > HumanTask.due_on)
    open_late = and_(HumanTask.state == TASK_OPEN, HumanTask.due_on < today)
    return exists().where(HumanTask.instance_id == ProcessInstance.id,
                          HumanTask.due_on.is_not(None), or_(completed_late, open_late))


def local_date(session: Session, column, zone: ZoneInfo, now: datetime) -> ColumnElement:
    """The local calendar day of a UTC timestamp column, in SQL.

    PostgreSQL converts with the zone's rules (`timezone(zone, ts)`); SQLite has no zone
    database, so the zone's offset at `now` is added (exact for zones without daylight
    saving, such as every Indonesian zone) and `date()` gives 'YYYY-MM-DD', which compares
    with the stored due dates as text.
    """
    if session.get_bind().dialect.name == "sqlite":
        offset = now.astimezone(zone).utcoffset() or timedelta(0)
        return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")
    return cast(func.timezone(zone.key, column), Date)


def _count_by_status(session: Session, conditions: list) -> dict[str, int]:
    rows = session.execute(
        select(ProcessInstance.status, func.count()).where(*conditions)
        .group_by(ProcessInstance.status))
    return {status: count for status, count in rows}


def _order(search: RunSearch) -> tuple:
    column = SORTS[search.sort]
    if search.descending:
        return column.desc(), ProcessInstance.id.desc()
    return column.asc(), ProcessInstance.id.asc()

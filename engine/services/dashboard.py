"""The overseers' dashboard (Dasbor): where every running run stands, which tasks are due
soon or late per OPD, the achievement of each indicator across a run's periods, and how
punctually each OPD sent its period report (row 12).

Only overseers read it (Kepala UKPBJ, the Tim Pengelolaan Kelembagaan, administrators and
auditors): it counts every OPD's tasks and shows figures made of every OPD's reports, which
a PJ Kinerja may not see (engine.services.access).

Every figure is aggregated in SQL with a fixed number of statements, whatever the number of
runs, tasks or OPDs: one statement per section, never one per run or per OPD. Achievements
are row 13's own computation (engine.indicators.compile_achievements) fed with the same
inputs engine.services.taskviews gives it, so the dashboard and row 13 never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.errors import N_, InvalidInputError, NotFoundError, PermissionDeniedError
from engine.models import HumanTask, Opd, ProcessInstance, User
from engine.models.instances import STATUS_RUNNING
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.runtime import runtime_of
from engine.services import access, achievements
from engine.services.deadlines import WorkingCalendar

SOON_DAYS = (1, 2, 3)  # "due soon": within this many working days from today
DEFAULT_SOON_DAYS = 3
MAX_CHOICES = 100  # runs offered in the run selector, newest first
ON_TIME, LATE, MISSING, PENDING = "tepat_waktu", "terlambat", "tidak_ada", "belum_jatuh_tempo"
DISCIPLINE_STATES = (ON_TIME, LATE, MISSING, PENDING)
REPORT_FORM = achievements.REPORT_FORM


@dataclass(frozen=True)
class OpenRow:
    """One SOP row a run waits on: how many tasks are open there and for how many OPDs."""

    sop_step: str | None
    name: str
    tasks: int
    opds: int
    due_on: date | None


@dataclass(frozen=True)
class RunStanding:
    id: int
    registration_no: str
    title: str
    period_no: int
    rows: tuple[OpenRow, ...]
    next_due_on: date | None
    late: int


@dataclass(frozen=True)
class OpdDue:
    """Open tasks of one OPD (None: the shared steps of the UKPBJ) due soon and late."""

    opd_code: str | None
    opd_name: str | None
    due_soon: int
    late: int


@dataclass(frozen=True)
class DueSummary:
    today: date
    horizon: date
    days: int
    opds: tuple[OpdDue, ...]


@dataclass(frozen=True)
class RunChoice:
    id: int
    registration_no: str
    title: str
    status: str
    period_no: int


@dataclass(frozen=True)
class IndicatorSeries:
    """One indicator's figures in each run period that row 13 shows (its `tren`)."""

    kode: str | None
    nama: str | None
    satuan: str | None
    points: tuple[dict, ...]


@dataclass(frozen=True)
class OpdDiscipline:
    opd_code: str
    opd_name: str
    states: dict[int, str]  # period_no -> one of DISCIPLINE_STATES


@dataclass(frozen=True)
class Discipline:
    periods: tuple[int, ...]
    opds: tuple[OpdDiscipline, ...]

    def totals(self, period_no: int) -> dict[str, int]:
        """How many OPDs are in each state for one period."""
        counts = dict.fromkeys(DISCIPLINE_STATES, 0)
        for opd in self.opds:
            if (state := opd.states.get(period_no)) is not None:
                counts[state] += 1
        return counts


@dataclass(frozen=True)
class Dashboard:
    runs: tuple[RunStanding, ...]
    due: DueSummary
    choices: tuple[RunChoice, ...]
    chosen: RunChoice | None
    achievements: tuple[IndicatorSeries, ...]
    discipline: Discipline


# ---- who may -------------------------------------------------------------------------------

def may_read(actor: User) -> bool:
    return access.is_overseer(actor)


def ensure_reader(actor: User) -> None:
    """Overseers only: the dashboard counts and compares every OPD."""
    if not may_read(actor):
        raise PermissionDeniedError(
            N_("Only the Kepala UKPBJ, the Tim Kelembagaan, administrators and auditors may "
               "open the dashboard"),
            code="dashboard_overseers_only",
        )


# ---- the whole page ------------------------------------------------------------------------

def get_dashboard(
    session: Session, actor: User, now: datetime, *, instance_id: int | None = None,
    days: int = DEFAULT_SOON_DAYS,
) -> Dashboard:
    """Every section; achievements and discipline for `instance_id`, else the latest
    running run (else the latest run of all)."""
    ensure_reader(actor)
    check_days(days)
    choices = list_run_choices(session, actor)
    chosen = _choose(choices, instance_id) if instance_id is not None else _default(choices)
    if chosen is None and instance_id is not None:
        chosen = _as_choice(_get_run(session, instance_id))
    return Dashboard(
        runs=tuple(list_runs_in_progress(session, actor, now)),
        due=list_due_tasks(session, actor, now, days=days),
        choices=tuple(choices),
        chosen=chosen,
        achievements=tuple(run_achievements(session, actor, chosen.id)) if chosen else (),
        discipline=(reporting_discipline(session, actor, chosen.id, now) if chosen
                    else Discipline((), ())),
    )


def check_days(days: int) -> None:
    if days not in SOON_DAYS:
        raise InvalidInputError(
            N_("Due soon means within 1 to 3 working days"), code="invalid_due_window",
            details={"hari": [N_("Choose 1, 2 or 3 working days")]},
        )


def list_run_choices(session: Session, actor: User) -> list[RunChoice]:
    """The newest runs (running first) for the run selector."""
    ensure_reader(actor)
    running_first = case((ProcessInstance.status == STATUS_RUNNING, 0), else_=1)
    rows = session.execute(
        select(ProcessInstance.id, ProcessInstance.registration_no, ProcessInstance.title,
               ProcessInstance.status, ProcessInstance.period_no)
        .order_by(running_first, ProcessInstance.started_at.desc(), ProcessInstance.id.desc())
        .limit(MAX_CHOICES)
    ).all()
    return [RunChoice(*row) for row in rows]


def _default(choices: list[RunChoice]) -> RunChoice | None:
    return choices[0] if choices else None


def _choose(choices: list[RunChoice], instance_id: int) -> RunChoice | None:
    return next((choice for choice in choices if choice.id == instance_id), None)


def _get_run(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFoundError(N_("Instance not found"), code="instance_not_found")
    return instance


def _as_choice(instance: ProcessInstance) -> RunChoice:
    return RunChoice(instance.id, instance.registration_no, instance.title, instance.status,
                     instance.period_no)


# ---- (a) runs in progress ------------------------------------------------------------------

def list_runs_in_progress(session: Session, actor: User, now: datetime) -> list[RunStanding]:
    """Every running run, oldest first, with the SOP rows it waits on (open tasks grouped
    by row: how many, for how many OPDs, the earliest due date) and its late tasks."""
    ensure_reader(actor)
    today = _today(session, now)
    runs = session.execute(
        select(ProcessInstance.id, ProcessInstance.registration_no, ProcessInstance.title,
               ProcessInstance.period_no)
        .where(ProcessInstance.status == STATUS_RUNNING)
        .order_by(ProcessInstance.started_at, ProcessInstance.id)
    ).all()
    rows, late = _open_rows(session, today)
    standings = []
    for run_id, registration_no, title, period_no in runs:
        open_rows = tuple(sorted(rows.get(run_id, []), key=lambda r: _step_number(r.sop_step)))
        next_due = min((r.due_on for r in open_rows if r.due_on), default=None)
        standings.append(RunStanding(run_id, registration_no, title, period_no, open_rows,
                                     next_due, late.get(run_id, 0)))
    return standings


def _open_rows(session: Session, today: date):
    """Open tasks of running runs per (run, row), in one statement; and late ones per run."""
    is_late = case((HumanTask.due_on < today, 1), else_=0)
    query = (
        select(HumanTask.instance_id, HumanTask.sop_step, HumanTask.element_id,
               func.min(HumanTask.name), func.count(),
               func.count(func.distinct(HumanTask.opd_id)), func.min(HumanTask.due_on),
               func.sum(is_late))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(ProcessInstance.status == STATUS_RUNNING, HumanTask.state == TASK_OPEN)
        .group_by(HumanTask.instance_id, HumanTask.sop_step, HumanTask.element_id)
    )
    rows: dict[int, list[OpenRow]] = {}
    late: dict[int, int] = {}
    for run_id, step, _element, name, tasks, opds, due_on, late_count in session.execute(query):
        rows.setdefault(run_id, []).append(OpenRow(step, name, tasks, opds, due_on))
        late[run_id] = late.get(run_id, 0) + int(late_count or 0)
    return rows, late


def _step_number(step: str | None) -> int:
    digits = "".join(ch for ch in step or "" if ch.isdigit())
    return int(digits) if digits else 999


def _today(session: Session, now: datetime) -> date:
    return now.astimezone(runtime_of(session).settings.zone).date()


# ---- (b) due soon and late, per OPD --------------------------------------------------------

def list_due_tasks(
    session: Session, actor: User, now: datetime, *, days: int = DEFAULT_SOON_DAYS
) -> DueSummary:
    """Open tasks of running runs due from today to the end of the `days`-th working day
    after it (the working calendar), and those past their due date, per OPD."""
    ensure_reader(actor)
    check_days(days)
    calendar = WorkingCalendar.load(session, now)
    today = calendar.local_date(now)
    horizon = calendar.add(today, days)
    soon = case((HumanTask.due_on.between(today, horizon), 1), else_=0)
    late = case((HumanTask.due_on < today, 1), else_=0)
    rows = session.execute(
        select(Opd.code, Opd.name, func.sum(soon), func.sum(late))
        .select_from(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Opd, Opd.id == HumanTask.opd_id)
        .where(ProcessInstance.status == STATUS_RUNNING, HumanTask.state == TASK_OPEN,
               HumanTask.due_on <= horizon)
        .group_by(Opd.code, Opd.name)
    ).all()
    opds = [OpdDue(code, name, int(s or 0), int(lt or 0)) for code, name, s, lt in rows]
    opds.sort(key=lambda o: (o.opd_name is not None, -o.late, -o.due_soon, o.opd_name or ""))
    return DueSummary(today, horizon, days, tuple(opds))


# ---- (c) achievement per indicator across periods ------------------------------------------

def run_achievements(session: Session, actor: User, instance_id: int) -> list[IndicatorSeries]:
    """Each planned indicator's target, realisation and achievement in every period of the
    run that row 13 would show for it, from row 13's own computation."""
    ensure_reader(actor)
    instance = _get_run(session, instance_id)
    rows = achievements.compile_run(session, instance)
    return [
        IndicatorSeries(row.get("kode"), row.get("nama"), row.get("satuan"),
                        tuple(point for point in row.get("tren") or []
                              if point.get("periode_no", 0) >= 1))
        for row in rows
    ]


# ---- (d) reporting discipline per OPD and period -------------------------------------------

def reporting_discipline(
    session: Session, actor: User, instance_id: int, now: datetime
) -> Discipline:
    """Per OPD and period of the run, its row-12 report: sent by the due date (tepat
    waktu), sent after it (terlambat), still open past it (tidak ada), or still open and
    not yet due. The first sending counts: a report reopened later was still sent then."""
    ensure_reader(actor)
    _get_run(session, instance_id)
    is_open = case((HumanTask.state == TASK_OPEN, 1), else_=0)
    sent_at = case((HumanTask.state == TASK_COMPLETED, HumanTask.completed_at), else_=None)
    rows = session.execute(
        select(HumanTask.period_no, Opd.code, Opd.name, func.min(sent_at),
               func.min(HumanTask.due_on), func.sum(is_open))
        .join(Opd, Opd.id == HumanTask.opd_id)
        .where(HumanTask.instance_id == instance_id, HumanTask.form_key == REPORT_FORM,
               HumanTask.state.in_((TASK_OPEN, TASK_COMPLETED)))
        .group_by(HumanTask.period_no, Opd.code, Opd.name)
    ).all()
    zone = runtime_of(session).settings.zone
    today = now.astimezone(zone).date()
    opds: dict[str, OpdDiscipline] = {}
    for period_no, code, name, sent, due_on, still_open in rows:
        sent_on = _as_utc(sent).astimezone(zone).date() if sent is not None else None
        state = _discipline_state(sent_on, due_on, bool(still_open), today)
        opds.setdefault(code, OpdDiscipline(code, name, {})).states[period_no] = state
    periods = tuple(sorted({p for opd in opds.values() for p in opd.states}))
    return Discipline(periods, tuple(sorted(opds.values(), key=lambda o: o.opd_name)))


def _discipline_state(sent_on: date | None, due_on: date | None, still_open: bool,
                      today: date) -> str:
    if sent_on is not None:
        return ON_TIME if due_on is None or sent_on <= due_on else LATE
    if still_open and due_on is not None and today > due_on:
        return MISSING
    return PENDING


def _as_utc(moment) -> datetime:
    """min() over a CASE loses the column's type on some databases: read it back."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

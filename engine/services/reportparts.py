"""The parts of a period report around its figures (engine.services.reports): the period
itself, the reporting discipline of row 12, row 11's progress, the action plan, the
analysis of rows 14, 15 and 17, and who signs the report.

Each reads engine.services.reportsources' rows in memory; only the discipline (the
holiday calendar, for "Terlambat n HK") and the signatory make a query of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import indicators
from engine.models import HumanTask, User, UserRole
from engine.models.tasks import TASK_COMPLETED
from engine.services.deadlines import WorkingCalendar
from engine.services.durations import pass_timing
from engine.services.nip import format_nip
from engine.services.periods import MONTHS_PER_PERIOD
from engine.services.reportsources import (
    ANALYSIS_FORM,
    DECISION_FORM,
    FREQUENCY_FORM,
    PROGRESS_FORM,
    REPORT_FORM,
    WRITE_UP_FORM,
    Sources,
    TaskRow,
)

ON_TIME, LATE, NOT_YET, NOT_OPEN = "tepat_waktu", "terlambat", "belum_melapor", "belum_dibuka"
KEPALA_ROLE = "kepala_ukpbj"
KEPALA_TITLE = "Kepala UKPBJ"  # users have no jabatan field: the role's own title


@dataclass(frozen=True)
class PeriodInfo:
    """The run period: its number, label in the run's frequency, days, and neighbours."""

    number: int
    label: str
    start: date | None
    end: date | None
    previous: int | None
    next: int | None
    count: int


@dataclass(frozen=True)
class Submission:
    """One OPD's row-12 report of the period: who sent it and when, against its due date."""

    opd_code: str
    opd_name: str
    state: str  # ON_TIME, LATE, NOT_YET (open, not sent), NOT_OPEN (row 12 not opened yet)
    # working days after due_on: when it was sent (LATE), or so far (NOT_YET, overdue)
    person: str | None
    completed_at: datetime | None
    due_on: date | None
    days_late: int


@dataclass(frozen=True)
class OpdProgress:
    """One OPD's row 11 of the period: how the action plan went, and what held it up."""

    opd_code: str
    opd_name: str
    progress: str
    obstacles: str


@dataclass(frozen=True)
class ActionItem:
    action: str
    schedule: str
    responsible: str


@dataclass(frozen=True)
class Analysis:
    """Rows 14 (analysis, method, recommendations), 15 (the write-up) and 17 (the
    meeting's decision) of the period; empty strings where the row is not done yet."""

    method: str
    text: str
    recommendations: tuple[tuple[str, str], ...]
    title: str
    body: str
    decision: str
    meeting_notes: str
    approved: str


@dataclass(frozen=True)
class Signatory:
    title: str
    name: str
    nip: str  # formatted "19850315 201001 1 002", or "" when unknown


def period_info(sources: Sources, period_no: int, last: int) -> PeriodInfo:
    """The period's label in the run's reporting frequency (row 9), its first and last day
    (the day after the previous end; the first period starts with its month window)."""
    frequency = sources.latest(FREQUENCY_FORM).get("frekuensi_pelaporan")
    if frequency not in MONTHS_PER_PERIOD:
        frequency = "tahunan"
    ends = sources.period_ends()
    end = ends.get(period_no)
    unit = indicators.Indicator(code="", frequency=frequency)
    label = indicators.period_label(unit, indicators.period_index(unit, end, period_no))
    return PeriodInfo(
        number=period_no, label=label, start=_start(ends, period_no, frequency), end=end,
        previous=period_no - 1 if period_no > 1 else None,
        next=period_no + 1 if period_no < last else None, count=last)


def _start(ends: Mapping[int, date], period_no: int, frequency: str) -> date | None:
    if (before := ends.get(period_no - 1)) is not None:
        return before + timedelta(days=1)
    end = ends.get(period_no)
    if end is None:
        return None
    months = MONTHS_PER_PERIOD[frequency]
    first_month = (end.month - 1) // months * months + 1
    return date(end.year, first_month, 1)


def period_reports(sources: Sources, period_no: int) -> dict[str, list[TaskRow]]:
    return sources.per_opd(REPORT_FORM, period_no)


def submissions(session: Session, sources: Sources, period_no: int,
                now: datetime) -> tuple[Submission, ...]:
    """Each OPD taking part, its latest row 12 of the period judged
    against its due date as every audit view judges it (durations.pass_timing)."""
    tasks = period_reports(sources, period_no)
    dues = [r.due_on for rows in tasks.values() for r in rows if r.due_on]
    calendar = WorkingCalendar.load(session, now, since=min(dues, default=None))
    return tuple(_submission(code, name, tasks.get(code, []), calendar, now)
                 for code, name in sources.opds().items())


def _submission(code: str, name: str, rows: list[TaskRow], calendar, now) -> Submission:
    if not rows:
        return Submission(code, name, NOT_OPEN, None, None, None, 0)
    done = [r for r in rows if r.state == TASK_COMPLETED]
    task = done[-1] if done else rows[-1]
    if not done:  # still open: how late it is already, counted up to now
        timing = pass_timing(calendar, now, None, task.due_on, now)
        return Submission(code, name, NOT_YET, None, None, task.due_on, timing.days_late)
    # only the lateness is read, so the pass is measured from its own end
    timing = pass_timing(calendar, task.completed_at, task.completed_at, task.due_on, now)
    return Submission(code, name, LATE if timing.late else ON_TIME, task.person,
                      task.completed_at, task.due_on, timing.days_late)


def progress(sources: Sources, period_no: int) -> tuple[OpdProgress, ...]:
    """Row 11 of each OPD that has done it this period."""
    names = sources.opds()
    found = []
    for code, rows in sources.per_opd(PROGRESS_FORM, period_no).items():
        done = [r for r in rows if r.state == TASK_COMPLETED]
        if done:
            data = done[-1].data
            found.append(OpdProgress(code, names.get(code, code), _text(data.get("progres")),
                                     _text(data.get("kendala"))))
    return tuple(sorted(found, key=lambda p: (p.opd_name, p.opd_code)))


def action_plan(answer: Mapping) -> dict[str, list[ActionItem]]:
    """Row 4's (or 17a's) `rencana_aksi` per indicator code."""
    plan: dict[str, list[ActionItem]] = {}
    for row in answer.get("rencana_aksi") or ():
        if isinstance(row, Mapping) and row.get("kode_indikator"):
            plan.setdefault(str(row["kode_indikator"]), []).append(ActionItem(
                _text(row.get("aksi")), _text(row.get("jadwal")),
                _text(row.get("penanggung_jawab"))))
    return plan


def recommendations(answer: Mapping) -> dict[str, list[str]]:
    """Row 14's recommendations per indicator code."""
    found: dict[str, list[str]] = {}
    for row in answer.get("rekomendasi") or ():
        if isinstance(row, Mapping) and row.get("rekomendasi"):
            found.setdefault(str(row.get("kode_indikator") or ""), []).append(
                _text(row["rekomendasi"]))
    return found


def analysis(sources: Sources, period_no: int) -> Analysis:
    row14 = sources.latest(ANALYSIS_FORM, period_no=period_no)
    row15 = sources.latest(WRITE_UP_FORM, period_no=period_no)
    row17 = sources.latest(DECISION_FORM, period_no=period_no)
    advice = tuple((_text(r.get("kode_indikator")), _text(r.get("rekomendasi")))
                   for r in row14.get("rekomendasi") or () if isinstance(r, Mapping))
    return Analysis(
        method=_text(row14.get("metode_analisis")), text=_text(row14.get("analisis")),
        recommendations=advice, title=_text(row15.get("judul_laporan")),
        body=_text(row15.get("isi_laporan")), decision=_text(row17.get("keputusan_periode")),
        meeting_notes=_text(row17.get("catatan_rapat")),
        approved=_text(row17.get("rekomendasi_disetujui")))


def signatory(session: Session, instance_id: int) -> Signatory:
    """The run's Kepala UKPBJ: who last completed a Kepala step of it, else the first
    active Kepala UKPBJ account; the title is the role's, users having no jabatan field."""
    person = session.scalars(
        select(User).join(HumanTask, HumanTask.completed_by_id == User.id)
        .where(HumanTask.instance_id == instance_id, HumanTask.role == KEPALA_ROLE,
               HumanTask.state == TASK_COMPLETED)
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1)
    ).first() or session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == KEPALA_ROLE, User.is_active.is_(True))
        .order_by(User.id).limit(1)
    ).first()
    if person is None:
        return Signatory(KEPALA_TITLE, "", "")
    return Signatory(KEPALA_TITLE, person.full_name, format_nip(person.nip))


def _text(value) -> str:
    return "" if value is None else str(value).strip()

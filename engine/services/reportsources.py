"""What a period report reads from a run, in one query over its task rows.

Every answer a report needs is a completed task of the run: the plan (rows 1-4), the
OPDs' rows 10-12, the shared rows 14, 15 and 17 of each period, and 17a's updated
action plan. `load_sources` selects them once (up to the period asked for) with the OPD
and the person who completed each, and `Sources` picks from those rows in memory, so a
report costs the same few queries whatever the number of OPDs and periods.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import sop
from engine.models import HumanTask, Opd, User
from engine.models.tasks import TASK_CANCELLED, TASK_COMPLETED

PLAN_FORM, TARGET_FORM, REPORT_FORM = sop.CONTEXT_VIEWS["capaian"]  # rows 2, 3 and 12
GOALS_FORM = "perencanaan-tujuan"  # row 1: the strategic areas, code and name
ACTION_PLAN_FORM = "perencanaan-rencana-aksi"  # row 4
ACTION_UPDATE_FORM = "pembaruan-rencana-aksi"  # row 17a: the plan with approved changes
FREQUENCY_FORM = "laporan-sosialisasi"  # row 9: the run's reporting frequency
MAPPING_FORM = "pemetaan-paket"  # row 10, one task per OPD taking part
PROGRESS_FORM = "pelaksanaan-rencana-aksi"  # row 11, per OPD and period
ANALYSIS_FORM = "analisis-rekomendasi"  # row 14
WRITE_UP_FORM = "laporan-kinerja"  # row 15
DECISION_FORM = "keputusan-periode"  # row 17
FORMS = (PLAN_FORM, TARGET_FORM, REPORT_FORM, GOALS_FORM, ACTION_PLAN_FORM,
         ACTION_UPDATE_FORM, FREQUENCY_FORM, MAPPING_FORM, PROGRESS_FORM, ANALYSIS_FORM,
         WRITE_UP_FORM, DECISION_FORM)


@dataclass(frozen=True)
class TaskRow:
    """One task of the run as a report reads it."""

    id: int
    form_key: str
    period_no: int
    state: str
    opd_code: str | None
    opd_name: str | None
    person: str | None
    completed_at: datetime | None
    due_on: date | None
    data: dict
    context: dict


def load_sources(session: Session, instance_id: int, period_no: int) -> Sources:
    """The run's tasks of the report's forms up to `period_no`, oldest first (one query)."""
    rows = session.execute(
        select(HumanTask.id, HumanTask.form_key, HumanTask.period_no, HumanTask.state,
               Opd.code, Opd.name, User.full_name, HumanTask.completed_at, HumanTask.due_on,
               HumanTask.data, HumanTask.context)
        .outerjoin(Opd, Opd.id == HumanTask.opd_id)
        .outerjoin(User, User.id == HumanTask.completed_by_id)
        .where(HumanTask.instance_id == instance_id, HumanTask.form_key.in_(FORMS),
               HumanTask.period_no <= period_no, HumanTask.state != TASK_CANCELLED)
        .order_by(HumanTask.period_no, HumanTask.completed_at, HumanTask.id)
    ).all()
    return Sources([TaskRow(*row[:9], data=row[9] or {}, context=row[10] or {})
                    for row in rows])


class Sources:
    """The rows of load_sources, and the answers a report takes from them."""

    def __init__(self, rows: list[TaskRow]):
        self.rows = rows

    def done(self, *form_keys: str) -> Iterable[TaskRow]:
        return (r for r in self.rows if r.form_key in form_keys and r.state == TASK_COMPLETED)

    def latest(self, *form_keys: str, period_no: int | None = None,
               before: int | None = None) -> dict:
        """The latest completed answer of the forms (of one period, or before one)."""
        found = [r for r in self.done(*form_keys)
                 if (period_no is None or r.period_no == period_no)
                 and (before is None or r.period_no < before)]
        found.sort(key=lambda r: (r.completed_at, r.id))  # completed rows all have one
        return found[-1].data if found else {}

    def opds(self) -> dict[str, str]:
        """The OPDs taking part (any task of rows 10-12): code -> name, by name."""
        named = {r.opd_code: r.opd_name or r.opd_code for r in self.rows if r.opd_code}
        return dict(sorted(named.items(), key=lambda item: (item[1], item[0])))

    def period_ends(self) -> dict[int, date]:
        """Each period's end, as its tasks' context carries it (`akhir_periode`)."""
        ends = {}
        for row in self.rows:
            if row.period_no and (end := iso_date(row.context.get("akhir_periode"))):
                ends[row.period_no] = end
        return ends

    def per_opd(self, form_key: str, period_no: int) -> dict[str, list[TaskRow]]:
        """OPD -> its tasks of `form_key` in one period (any state), oldest first."""
        grouped: dict[str, list[TaskRow]] = {}
        for row in self.rows:
            if row.form_key == form_key and row.period_no == period_no and row.opd_code:
                grouped.setdefault(row.opd_code, []).append(row)
        return grouped

    def reports(self) -> tuple[list[tuple[int, str, dict]], dict[str, str]]:
        """Every OPD's latest row-12 answer per period, and the OPDs' names: what
        engine.indicators reads (a task reopened counts with its latest answer)."""
        latest, names = {}, {}
        for row in self.done(REPORT_FORM):
            opd = row.opd_code or ""
            latest[(row.period_no, opd)] = row.data
            names[opd] = row.opd_name or opd
        return [(p, opd, answer) for (p, opd), answer in latest.items()], names


def iso_date(value) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None

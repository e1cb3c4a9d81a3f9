"""A run's achievements as row 13 computes them: the one place that gathers their inputs.

Row 13's view (engine.services.taskviews, stored on its task when the task opens) and the
dashboard (any run, at any time) both call `compile_run`, so both show the same figures.
It feeds engine.indicators.compile_achievements the latest plan (row 2), the latest
targets (row 3), and every OPD's latest row-12 answer per period up to the run's current
period, read in one statement, with each period's end from the row-12 tasks' context. No
figure is computed here: engine.indicators computes them all.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import indicators, sop
from engine.models import HumanTask, Opd, ProcessInstance
from engine.models.tasks import TASK_COMPLETED
from engine.services.formlists import latest_submission

PLAN_FORM, TARGET_FORM, REPORT_FORM = sop.CONTEXT_VIEWS["capaian"]


def compile_run(session: Session, instance: ProcessInstance,
                current_end: str | None = None) -> list[dict]:
    """engine.indicators.compile_achievements as of the run's current period: the latest
    plan (row 2), the latest targets (row 3) and every OPD's latest row-12 answer per
    period so far. `current_end` (ISO date) is the current period's end when the caller
    knows it from the period's own data (row 13 opening) rather than from its reports."""
    planned = latest_submission(session, instance.id, PLAN_FORM).get("indikator")
    targets = latest_submission(session, instance.id, TARGET_FORM)
    reports, ends, names = run_reports(session, instance)
    if (end := _iso_date(current_end)) is not None:
        ends[instance.period_no] = end
    return indicators.compile_achievements(
        planned or [],
        targets.get("target") or [],
        reports,
        period_no=instance.period_no,
        period_targets=targets.get("target_periode") or [],
        period_ends=ends,
        opd_names=names,
    )


def run_reports(session: Session, instance: ProcessInstance):
    """The run's completed row-12 answers up to its current period in one statement, as
    report lines (an OPD's latest answer in a period counts), period ends and OPD names."""
    rows = session.execute(
        select(HumanTask.period_no, HumanTask.data, HumanTask.context, Opd.code, Opd.name)
        .outerjoin(Opd, Opd.id == HumanTask.opd_id)
        .where(HumanTask.instance_id == instance.id, HumanTask.form_key == REPORT_FORM,
               HumanTask.state == TASK_COMPLETED, HumanTask.period_no <= instance.period_no)
        .order_by(HumanTask.period_no, HumanTask.completed_at, HumanTask.id)
    ).all()
    latest, ends, names = {}, {}, {}
    for period_no, answer, context, code, name in rows:
        latest[(period_no, code or "")] = answer
        names[code or ""] = name or code or ""
        if (end := _iso_date((context or {}).get("akhir_periode"))) is not None:
            ends[period_no] = end
    reports = [
        line
        for (period_no, opd), answer in latest.items()
        for line in indicators.reports_from_answer(period_no, opd, answer)
    ]
    return reports, ends, names


def _iso_date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None

"""What a task shows beside its form, computed once when the task is created.

Storing the prefill and the context on the task row lets the inbox, the task page and
the API show a task without loading the workflow: the answers given before (so a plan
sent back at row 6 comes back with every earlier answer filled in), the variables the
diagram lists in `context_keys` (the revision notes, the OPD, the period, ...), and the
computed view a task declares (for row 13, the achievement of each indicator).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import forms, indicators, sop
from engine.models import HumanTask, Opd, ProcessInstance
from engine.models.tasks import TASK_COMPLETED


def build_prefill(form: dict, data: dict) -> dict:
    return forms.prefill(form, data) if form else {}


def build_context(
    session: Session, instance: ProcessInstance, rules: sop.SopRules, element_id: str, data: dict
) -> dict:
    context = rules.context(data)
    view = rules.context_views.get(element_id)
    if view == "capaian":
        context["capaian"] = _achievements(session, instance, data)
    return context


def latest_submission(session: Session, instance_id: int, form_key: str) -> dict:
    data = session.scalars(
        select(HumanTask.data)
        .where(
            HumanTask.instance_id == instance_id,
            HumanTask.form_key == form_key,
            HumanTask.state == TASK_COMPLETED,
        )
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
        .limit(1)
    ).first()
    return data or {}


def _achievements(session: Session, instance: ProcessInstance, data: dict) -> list[dict]:
    plan_form, target_form = sop.CONTEXT_VIEWS["capaian"]
    planned = latest_submission(session, instance.id, plan_form).get("indikator")
    targets = latest_submission(session, instance.id, target_form).get("target")
    reports = data.get("laporan_periode") or []
    if isinstance(reports, dict):
        reports = list(reports.values())
    return indicators.compile_achievements(planned or [], targets or [], reports)


def uses_values_key(form: dict) -> bool:
    """Whether any component (at any depth) takes its options from the context."""
    stack = list(form.get("components") or [])
    while stack:
        component = stack.pop()
        if component.get("valuesKey"):
            return True
        stack.extend(component.get("components") or [])
    return False


def form_context(session: Session, form: dict | None = None) -> dict:
    """Option lists that forms name by `valuesKey` (the OPDs to invite at row 7).

    Given a form that needs none, returns {} without querying.
    """
    if form is not None and not uses_values_key(form):
        return {}
    opds = session.scalars(select(Opd).where(Opd.is_active.is_(True)).order_by(Opd.name))
    return {"daftar_opd": [{"label": o.name, "value": o.code} for o in opds]}

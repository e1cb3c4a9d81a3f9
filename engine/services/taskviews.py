"""What a task shows beside its form, computed once when the task is created.

Storing the prefill and the context on the task row lets the inbox, the task page and
the API show a task without loading the workflow: the answers given before (so a plan
sent back at row 6 comes back with every earlier answer filled in), the variables the
diagram lists in `context_keys` (the revision notes, the OPD, the period, ...), and the
computed view a task declares (for row 13, the achievement of each indicator).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import forms, indicators, sop
from engine.forms.schemas import key_of, members
from engine.forms.submissions import PERIOD_BOUNDS
from engine.models import HumanTask, Opd, ProcessInstance
from engine.models.tasks import TASK_COMPLETED
from engine.runtime import runtime_of
from engine.services import periods, versions


def build_prefill(
    form: dict,
    data: dict,
    session: Session | None = None,
    instance: ProcessInstance | None = None,
) -> dict:
    """Earlier answers (never earlier decisions), and a proposed end for a new period.

    The proposal needs the reporting frequency, chosen at row 9; a period's own data does
    not carry it, so it is read from the run's latest answer that holds it.
    """
    if not form:
        return {}
    shown = forms.prefill(form, data)
    known = dict(data)
    for variable in periods.frequency_variables(form):
        if variable not in known and session is not None and instance is not None:
            known[variable] = latest_answer(session, instance, variable)
    shown.update(periods.proposed_ends(form, known))
    return shown


def latest_answer(session: Session, instance: ProcessInstance, variable: str):
    """The value of `variable` in the run's latest completed form that asks for it at its
    top level (the reporting frequency of row 9), or None."""
    content = versions.content_of(session, instance.version)
    form_keys = [
        key
        for key, form in content.forms.items()
        if any(key_of(comp) == variable for comp in members(form.get("components") or []))
    ]
    if not form_keys:
        return None
    found = session.scalars(
        select(HumanTask.data)
        .where(
            HumanTask.instance_id == instance.id,
            HumanTask.form_key.in_(form_keys),
            HumanTask.state == TASK_COMPLETED,
        )
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
        .limit(1)
    ).first()
    return (found or {}).get(variable)


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


def values_keys(form: dict) -> list[str]:
    """The `valuesKey`s of a form's components (at any depth), in order, each once."""
    found: list[str] = []
    stack = list(reversed(form.get("components") or []))
    while stack:
        component = stack.pop()
        key = component.get("valuesKey")
        if isinstance(key, str) and key and key not in found:
            found.append(key)
        stack.extend(reversed(component.get("components") or []))
    return found


def uses_values_key(form: dict) -> bool:
    """Whether any component (at any depth) takes its options from the context."""
    return bool(values_keys(form))


def form_options(session: Session, form: dict) -> dict[str, list[dict]]:
    """Exactly the option lists `form` names by `valuesKey` ({} for a form that names none),
    so a client of the API can fill every field from the task alone."""
    wanted = values_keys(form or {})
    if not wanted:
        return {}
    lists = _option_lists(session)
    return {key: lists.get(key, []) for key in wanted}


def form_context(
    session: Session,
    form: dict | None = None,
    *,
    task: HumanTask | None = None,
    now: datetime | None = None,
) -> dict:
    """What validating (or showing) a form needs beyond the form: the option lists named by
    `valuesKey` (the OPDs to invite at row 7) and, given the task and the moment, the bounds
    of a new period's end (after the previous end, not before today).

    Given a form that needs none of it, returns {} without querying.
    """
    context = {} if form is not None and not uses_values_key(form) else _option_lists(session)
    if form and task is not None and now is not None and periods.period_end_fields(form):
        zone = runtime_of(session).settings.zone
        context[PERIOD_BOUNDS] = periods.bounds_for(form, task.context or {}, now, zone)
    return context


def _option_lists(session: Session) -> dict[str, list[dict]]:
    opds = session.scalars(select(Opd).where(Opd.is_active.is_(True)).order_by(Opd.name))
    return {"daftar_opd": [{"label": o.name, "value": o.code} for o in opds]}

"""What a task shows beside its form, computed once when the task is created.

Storing the prefill and the context on the task row lets the inbox, the task page and
the API show a task without loading the workflow: the answers given before (so a plan
sent back at row 6 comes back with every earlier answer filled in), the variables the
diagram lists in `context_keys` (the revision notes, the OPD, the period, ...), and the
computed view a task declares (for row 13, the achievement of each indicator).

The option lists a form fills from the server are not stored with the task: they are read
when the task is shown or completed (engine.services.formlists), since the Tim may import
an OPD's SIRUP packages after its row-10 task was created.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import forms, sop
from engine.forms.schemas import key_of, members
from engine.forms.submissions import PERIOD_BOUNDS
from engine.models import HumanTask, ProcessInstance
from engine.models.tasks import TASK_COMPLETED
from engine.runtime import runtime_of
from engine.services import achievements, formlists, periods, versions
from engine.services.formlists import FormLists


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


def _achievements(session: Session, instance: ProcessInstance, data: dict) -> list[dict]:
    """Each planned indicator as of the run's current period, from the plan (row 2), the
    targets (row 3) and every OPD report of the run so far (row 12, all periods: kumulatif
    sums and the trend need the earlier ones): engine.services.achievements."""
    return achievements.compile_run(session, instance, data.get("akhir_periode"))


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


def form_options(
    session: Session, form: dict, task: HumanTask | None = None
) -> dict[str, list[dict]]:
    """Exactly the option lists `form` names by `valuesKey` ({} for a form that names none),
    as the task's page and its validation see them (its OPD's packages, its run's plan),
    so a client of the API can fill every field from the task alone."""
    return form_lists(session, form, task).options


def task_form_lists(session: Session, task: HumanTask) -> FormLists:
    """The lists, refusal messages and facts of the task's own form, for the task."""
    form = versions.content_of(session, task.instance.version).form(task.form_key)
    return form_lists(session, form or {}, task)


def form_lists(session: Session, form: dict | None, task: HumanTask | None) -> FormLists:
    """The lists, refusal messages and facts of the lists `form` names (none read for a form
    naming none); without a form, the lists that need no task, for readers of answers."""
    if form is None:
        return formlists.task_free_lists(session)
    return formlists.lists_for(session, values_keys(form), task)


def form_context(
    session: Session,
    form: dict | None = None,
    *,
    task: HumanTask | None = None,
    now: datetime | None = None,
) -> dict:
    """What validating (or showing) a form needs beyond the form: the option lists named by
    `valuesKey` (the OPDs to invite at row 7; given the task, its OPD's SIRUP packages for
    the run's budget year and the indicators planned at row 2 of its run), their refusal
    messages and facts (engine.services.formlists), and, given the task and the moment, the
    bounds of a new period's end (after the previous end, not before today).

    The lists are per task: the OPD is the task's, the year and the plan its run's. Each list
    costs one query; given a form that needs none of it, returns {} without querying.
    """
    context = form_lists(session, form, task).context()
    if form and task is not None and now is not None and periods.period_end_fields(form):
        zone = runtime_of(session).settings.zone
        context[PERIOD_BOUNDS] = periods.bounds_for(form, task.context or {}, now, zone)
    return context

"""The run's diagram as the viewer script draws it: the deployed BPMN and, per element, its
state and the words of its badge, already in the reader's language.

engine.services.diagramviews computes where the run stands (counts for the current period,
OPD rows, the timer waited on); this module only words it. The bundle receives text, never
msgids, so strings a user reads come from the server's translations, not from JavaScript.
"""

from __future__ import annotations

from flask_babel import gettext

from engine.services import versions
from engine.services.diagramviews import STATE_OPEN, STATE_WAITING, Counts, DiagramView
from webapp.i18n import format_day


def waiting_text(until, first: bool = False) -> str:
    """'menunggu sampai 31 Desember 2026' (without a day when none is known); `first`
    capitalises it to begin a sentence or a badge."""
    if until is None:
        text = gettext("waiting for its timer")
    else:
        text = gettext("waiting until %(day)s", day=format_day(until))
    return text[:1].upper() + text[1:] if first else text


def _badge(view: DiagramView, element_id: str, counts: Counts) -> dict | None:
    """The badge on a shape: the period's number, the OPDs done, the timer's day, or the
    tasks done when a step has several (one per OPD, or a step done again after revision)."""
    if element_id == view.period_call and view.period_no:
        text = gettext("Period %(n)s", n=view.period_no)
        title = gettext("Period %(n)s is in progress", n=view.period_no) \
            if counts.state == STATE_OPEN else gettext("Period %(n)s is done", n=view.period_no)
        return {"text": text, "title": title, "kind": "period"}
    if element_id == view.opd_call:
        return {"text": f"{counts.done}/{counts.total}", "kind": "count",
                "title": gettext("%(done)s of %(total)s OPDs done", done=counts.done,
                                 total=counts.total)}
    if counts.state == STATE_WAITING:
        wait = next((w for w in view.waits if w.element_id == element_id), None)
        until = wait.until if wait else None
        return {"text": waiting_text(until, first=True), "title": waiting_text(until),
                "kind": "wait"}
    if counts.total > 1:
        return {"text": f"{counts.done}/{counts.total}", "kind": "count",
                "title": gettext("%(done)s of %(total)s tasks of this step completed",
                                 done=counts.done, total=counts.total)}
    return None


def diagram_payload(view: DiagramView, version) -> dict:
    """What the viewer script reads: the BPMN, each element's state and badge, the pool
    each call activity calls (where a click drills down) and the current position."""
    return {
        "xml": versions.diagram_of(version),
        "elements": {
            element_id: {**counts.to_dict(), "badge": _badge(view, element_id, counts)}
            for element_id, counts in sorted(view.elements.items())
        },
        "calls": {k: v for k, v in view.calls.items() if v},
        "position": list(view.position),
    }

"""Audit pages: one run's history on the exact version it ran on (audit.history).

GET /audit/pelaksanaan/<instance_id>: engine.services.replay.history_of gives the whole
page data (it checks the audit role itself); this module only words it for the reader.
The page is readable without JavaScript: the header with the verification verdict, the
timeline (one line per event, time in the deployment's zone, submitted data by its form
labels), every step's passes against its Waktu and the per-OPD work of rows 10-12 are
rendered here. The page's script (frontend/src/audit/) draws the diagram and the step
slider from two JSON blocks: `history-data` (the service's dict, as it is) and
`history-view` (the diagram, form labels, OPD names and the sentences it shows, already
translated, since strings a user reads never come from the bundle).
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, render_template, url_for
from flask_babel import get_locale, gettext
from flask_login import login_required
from sqlalchemy import select

from engine import forms
from engine.models import DefinitionVersion, Opd
from engine.services import replay, versions
from engine.services.diagramviews import outline_of
from engine.services.eventviews import ShownField, describe_data
from engine.services.replay_graph import graph_of
from engine.services.taskviews import form_context
from engine.services.verification import verify_instance
from webapp.audit import bp
from webapp.filters import format_filesize, page_formats
from webapp.i18n import DEFAULT_LOCALE, format_moment
from webapp.requests import actor, now
from webapp.transaction import db

DATA_EVENTS = frozenset({"instance_started", "task_completed"})


@dataclass
class Line:
    """One event of the timeline as the page shows it."""

    seq: int
    when_iso: str
    when: str
    kind: str
    what: str
    activity: str | None
    actor: str
    lane: str
    opd: str | None
    opd_name: str
    period_no: int | None
    period: str
    goto: str
    late: bool
    fields: list[ShownField] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    comment: str | None = None


@bp.get("/pelaksanaan/<int:instance_id>", endpoint="history")
@login_required
def history(instance_id: int):
    session, user = db(), actor()
    data = replay.history_of(session, user, instance_id, now())
    version = session.get(DefinitionVersion, data["instance"]["version"]["id"])
    outline = outline_of(session, version)
    reader = _FormReader(session, version, outline)
    opds = dict(session.execute(select(Opd.code, Opd.name)).all())
    words = _Words()
    lines = [_line(event, reader, words) for event in data["events"]]
    return render_template(
        "audit/history.html", run=data["instance"], data=data, lines=lines,
        filters=_filters(lines), activities=_activities(data, opds),
        opd_tables=_opd_tables(data["opd_work"]), verdict=_verdict(session, instance_id),
        links=_links(instance_id, version.id), pools=_pools(outline),
        view=_script_view(version, outline, reader, opds),
        period_text=period_text, waktu_text=waktu_text, iso_moment=iso_moment)


# ---- words ---------------------------------------------------------------------------------

def period_text(period_no: int | None) -> str:
    """'Perencanaan' before the first period (rows 1-10), else 'Periode n'."""
    if not period_no:
        return gettext("Planning")
    return gettext("Period %(n)s", n=period_no)


def waktu_text(days: int | float | None, waktu: int | None) -> str:
    """'3 HK / Waktu 5 HK', or '3 HK' for a step without a Waktu."""
    if waktu:
        return gettext("%(days)s WD / Waktu %(waktu)s WD", days=days or 0, waktu=waktu)
    return gettext("%(days)s WD", days=days or 0)


def _moment(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def iso_moment(iso: str | None) -> str:
    """An ISO moment from the page data, in the deployment's time zone."""
    return format_moment(_moment(iso))


# ---- the header ----------------------------------------------------------------------------

def _links(instance_id: int, version_id: int) -> dict:
    """The bundle and heatmap pages, once their routes exist (other modules add them)."""
    rules = current_app.view_functions
    return {
        "bundle": url_for("audit.bundle", instance_id=instance_id)
        if "audit.bundle" in rules else None,
        "heatmap": url_for("audit.heatmap", version_id=version_id)
        if "audit.heatmap" in rules else None,
        "search": url_for("audit.search") if "audit.search" in rules else None,
    }


def _verdict(session, instance_id: int) -> dict:
    """engine.services.verification's verdict (documents checked in the app's storage),
    worded: what was checked, or where the chain breaks."""
    verdict = verify_instance(session, instance_id)
    problem = gettext(verdict.message, **(verdict.params or {})) if verdict.message else ""
    if verdict.ok:
        return {"ok": True, "events": verdict.events_checked,
                "checkpoints": verdict.checkpoints_checked,
                "documents": verdict.documents_checked, "signed": verdict.signature_ok}
    if verdict.broken_seq:
        text = gettext("Chain broken at event %(seq)s: %(problem)s", seq=verdict.broken_seq,
                       problem=problem)
    else:
        text = gettext("Chain broken: %(problem)s", problem=problem)
    return {"ok": False, "text": text}


# ---- the timeline --------------------------------------------------------------------------

class _FormReader:
    """The version's forms as labelled fields, and where each gateway's flows lead, read
    once per page."""

    def __init__(self, session, version: DefinitionVersion, outline) -> None:
        self.content = versions.content_of(session, version)
        self.context = form_context(session)
        self.formats = page_formats()
        self._fields: dict[str, list] = {}
        self.leads_to = {flow: outline.names.get(target, "")
                         for (_, target), flow in graph_of(session, version).choices.items()}

    def fields(self, form_key: str | None) -> list:
        key = form_key or ""
        if key not in self._fields:
            self._fields[key] = forms.iter_fields(self.content.form(key), context=self.context)
        return self._fields[key]

    def form_key(self, event: dict) -> str | None:
        if event["type"] == "instance_started":
            return self.content.start.get("form_key")
        return self.content.activity(event.get("element_id") or "").get("form_key")

    def describe(self, event: dict) -> list[ShownField]:
        if event["type"] == "gateway_taken":
            names = [self.leads_to.get(flow) for flow in event.get("flows_taken") or ()]
            shown = ", ".join(name for name in names if name)
            return [ShownField(gettext("Continues to"), shown)] if shown else []
        submitted = event.get("submitted")
        if not submitted or event["type"] not in DATA_EVENTS:
            return []
        shown = describe_data(self.fields(self.form_key(event)), submitted, self.formats)
        return [item for item in shown if item.text or item.table]


class _Words:
    """The few words every line repeats, each worded once per page (a run has thousands of
    lines; events of one action share their moment)."""

    def __init__(self) -> None:
        self.goto = gettext("Show event %(n)s on the diagram")
        self.system = gettext("System")
        self._cache: dict[tuple, str] = {}

    def _once(self, key: tuple, make) -> str:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def label(self, msgid: str) -> str:
        return self._once(("label", msgid), lambda: gettext(msgid))

    def moment(self, iso: str) -> str:
        return self._once(("moment", iso), lambda: iso_moment(iso))

    def period(self, number: int | None) -> str:
        return self._once(("period", number), lambda: period_text(number))


def _line(event: dict, reader: _FormReader, words: _Words) -> Line:
    person = event.get("actor") or {}
    period_no = event.get("period_no")
    return Line(
        seq=event["seq"], when_iso=event["occurred_at"], when=words.moment(event["occurred_at"]),
        kind=event["type"], what=words.label(event["label"]) if event.get("label") else "",
        activity=event.get("element_name"), actor=person.get("name") or words.system,
        lane=event.get("lane") or "", opd=event.get("opd"), opd_name=event.get("opd_name") or "",
        period_no=period_no, period=words.period(period_no) if period_no is not None else "",
        goto=words.goto % {"n": event["seq"]}, late=bool(event.get("late")),
        fields=reader.describe(event), comment=event.get("comment"),
        documents=[{"name": doc["filename"], "size": format_filesize(doc.get("size")),
                    "url": url_for("inbox.download", document_id=doc["id"])}
                   for doc in event.get("documents") or ()])


def _filters(lines: list[Line]) -> dict:
    """The values the timeline's filters offer: only those that occur in this run."""
    kinds = {line.kind: line.what for line in lines}
    return {
        "lanes": sorted({line.lane for line in lines if line.lane}),
        "opds": sorted({(line.opd, line.opd_name or line.opd) for line in lines if line.opd},
                       key=lambda pair: pair[1]),
        "periods": sorted({line.period_no for line in lines if line.period_no is not None}),
        "kinds": sorted(kinds.items(), key=lambda pair: pair[1]),
    }


# ---- passes per step and the OPDs' work ----------------------------------------------------

def _step_order(step: str | None) -> tuple:
    """By the row's leading number ('17a' after '17', '11-17' beside '11'); none last."""
    text = step or ""
    number = re.match(r"\d+", text)
    return (0, int(number.group()), text) if number else (1, 0, text)


def _activities(data: dict, opds: dict) -> list[dict]:
    """Every step that ran, in SOP order, each pass worded."""
    rows = []
    for element_id, entry in data["activities"].items():
        if not entry.get("passes"):
            continue
        passes = [{**one, "opd_name": opds.get(one.get("opd"), one.get("opd")) or "",
                   "opened": iso_moment(one.get("opened_at")),
                   "ended": iso_moment(one["ended_at"]) if one.get("ended_at") else None}
                  for one in entry.get("passes_detail") or ()]
        rows.append({**entry, "element_id": element_id, "passes_detail": passes})
    return sorted(rows, key=lambda row: _step_order(row.get("sop_step")))


def _opd_tables(work: list[dict]) -> list[dict]:
    """One table per period: a row per OPD, a cell per step (rows 10-12) with its passes."""
    periods: dict[int, dict] = defaultdict(lambda: {"steps": set(), "rows": defaultdict(dict)})
    for item in work:
        table = periods[item.get("period_no") or 0]
        step = item.get("sop_step") or ""
        table["steps"].add(step)
        row = table["rows"][(item.get("opd_name") or item.get("opd") or "")]
        row.setdefault(step, []).append(item)
    return [{"period_no": number,
             "steps": sorted(table["steps"], key=_step_order),
             "rows": sorted(table["rows"].items())}
            for number, table in sorted(periods.items())]


# ---- what the script needs -----------------------------------------------------------------

def _labels(reader: _FormReader) -> tuple[dict, dict]:
    """Every form field's label and option labels, for the data panel: by its path in the
    data ("target.target", a column of the list "target") and by its bare key, the
    top-level field's first, so a list's column never takes its list's label."""
    labels: dict[str, str] = {}
    options: dict[str, dict] = {}
    queue = deque(("", item) for key in reader.content.forms for item in reader.fields(key))
    while queue:
        prefix, item = queue.popleft()
        path = f"{prefix}.{item.key}" if prefix and item.key else (item.key or prefix)
        queue.extend((path, child) for child in item.children)
        if not item.key:
            continue
        for name in {path, item.key}:
            if item.label:
                labels.setdefault(name, item.label)
            if item.options:
                options.setdefault(name, {}).update(
                    {str(value): str(label) for label, value in item.options})
    return labels, options


def _pools(outline) -> list[dict]:
    """The diagram's pools that can be shown one at a time, the main process first."""
    return [{"participant_id": p.participant_id, "name": p.name,
             "is_main": p.process_id == outline.main_process_id}
            for p in outline.processes if p.participant_id]


def _script_view(version: DefinitionVersion, outline, reader: _FormReader, opds: dict) -> dict:
    pools = {p.process_id: p.participant_id for p in outline.processes}
    labels, options = _labels(reader)
    return {
        "xml": versions.diagram_of(version),
        "calls": {call: pools.get(called) for call, called in outline.calls.items()
                  if pools.get(called)},
        "labels": labels, "options": options, "opds": opds,
        "locale": str(get_locale() or DEFAULT_LOCALE),
        "text": _texts(),
    }


def _texts() -> dict:
    """The sentences the script writes, translated here (placeholders %(name)s)."""
    return {
        "step": gettext("Event %(k)s of %(n)s: %(what)s"),
        "passes": gettext("%(n)s×"),
        "sum_waktu": gettext("Σ %(days)s WD / Waktu %(waktu)s WD"),
        "sum": gettext("Σ %(days)s WD"),
        "badge_title": gettext("%(name)s: %(n)s passes up to this event, %(days)s working days "
                               "in all"),
        "late_mark": gettext("late"),
        "flow_title": gettext("Taken %(n)s times"),
        "data_title": gettext("Data at step %(k)s"),
        "process": gettext("Process data"),
        "opd": gettext("Data of %(opd)s"),
        "no_data": gettext("No data yet."),
        "no_changes": gettext("This event changed no data."),
        "before": gettext("Before"),
        "after": gettext("After"),
        "changes": gettext("What event %(k)s changed"),
        "yes": gettext("Yes"),
        "no": gettext("No"),
        "empty": "—",
        "shown": gettext("%(shown)s of %(total)s events shown"),
        "passes_of": gettext("Passes of %(name)s"),
        "no_passes": gettext("This step has not run."),
    }

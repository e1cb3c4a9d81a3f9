"""The overseers' dashboard (`/laporan/dasbor`): the running runs and where each stands, the
tasks due soon and late per OPD, one run's achievement per indicator across its periods and
each OPD's punctuality with its period report (row 12).

engine.services.dashboard decides who may see it and computes every figure; this module
only words and formats them. The two charts are drawn in the browser (frontend/src/
dashboard, Chart.js) from one JSON block; the same words and numbers fill the tables beside
them, so what a screen reader reads is what the chart shows.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from engine.errors import N_
from engine.services import dashboard
from webapp.filters import format_percent
from webapp.reports import bp
from webapp.requests import actor, now
from webapp.transaction import db

ACHIEVEMENT_WORDS = {
    "tidak_dapat_dihitung": N_("Cannot be computed"),
    "tanpa_realisasi": N_("No report yet"),
    "tanpa_target": N_("No target"),
}
DISCIPLINE_WORDS = {
    dashboard.ON_TIME: N_("On time"),
    dashboard.LATE: N_("Late"),
    dashboard.MISSING: N_("Missing"),
    dashboard.PENDING: N_("Not yet due"),
}
# The colour of each state in the stacked bars; the table beside it names the state.
DISCIPLINE_COLOURS = {
    dashboard.ON_TIME: "#1e7a45",
    dashboard.LATE: "#b8860b",
    dashboard.MISSING: "#b42318",
    dashboard.PENDING: "#8a94a3",
}


@bp.app_context_processor
def dashboard_navigation() -> dict:
    """`can_read_dashboard()` for the header's link."""

    def can_read_dashboard() -> bool:
        return bool(current_user.is_authenticated and dashboard.may_read(current_user))

    return {"can_read_dashboard": can_read_dashboard}


@bp.get("/dasbor", endpoint="dashboard")
@login_required
def dashboard_page():
    days = _int(request.args.get("hari"))
    days = days if days in dashboard.SOON_DAYS else dashboard.DEFAULT_SOON_DAYS
    shown = dashboard.get_dashboard(db(), actor(), now(), instance_id=_int(request.args.get("run")),
                                    days=days)
    charts = {"achievement": achievement_chart(shown.achievements),
              "discipline": discipline_chart(shown.discipline)}
    return render_template("reports/dashboard.html", shown=shown, charts=charts,
                           discipline_words=DISCIPLINE_WORDS, soon_days=dashboard.SOON_DAYS)


def achievement_chart(series) -> dict:
    """One line per indicator over the run's periods: the achievement (None where there is
    none) and the words shown for each point in the table and the tooltip."""
    periods = sorted({point["periode_no"] for s in series for point in s.points})
    datasets = []
    for indicator in series:
        by_period = {point["periode_no"]: point for point in indicator.points}
        points = [by_period.get(p) for p in periods]
        datasets.append({
            "code": indicator.kode,
            "label": " ".join(part for part in (indicator.kode, indicator.nama) if part),
            "data": [p["capaian"] if p and p["status"] == "dihitung" else None for p in points],
            "text": [_achievement_text(p) for p in points],
            "periodLabels": [p["label_periode"] if p else "" for p in points],
        })
    return {
        "labels": [gettext("Period %(num)s", num=p) for p in periods],
        "yTitle": gettext("Achievement (%)"),
        "datasets": datasets,
    }


def _achievement_text(point: dict | None) -> str:
    if point is None:
        return "—"
    if point["status"] == "dihitung":
        return format_percent(point["capaian"])
    return gettext(ACHIEVEMENT_WORDS.get(point["status"], point["status"]))


def discipline_chart(discipline: dashboard.Discipline) -> dict:
    """Per period, how many OPDs sent their report on time, late, not at all, or are not
    yet due: one stacked bar per period."""
    totals = [discipline.totals(p) for p in discipline.periods]
    return {
        "labels": [gettext("Period %(num)s", num=p) for p in discipline.periods],
        "yTitle": gettext("Number of OPDs"),
        "datasets": [
            {"state": state, "label": gettext(word), "colour": DISCIPLINE_COLOURS[state],
             "data": [counts[state] for counts in totals]}
            for state, word in DISCIPLINE_WORDS.items()
        ],
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None

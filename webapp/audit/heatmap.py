"""Audit page: a version's heatmap (audit.heatmap), durations against Waktu over all its runs.

GET /audit/peta-panas/<version_id>?periode=&opd=: engine.services.heatmap gives the figures
(it checks the audit role itself); this module words them for the reader. Everything is
readable without JavaScript: the filters (a plain GET form), the version picker (links),
the slowest steps, the most often late OPDs and every step in one table. The page's script
(frontend/src/heatmap/) draws the diagram from the `heatmap-config` JSON block: the
diagram's XML, each activity's band and the sentence on its overlay, already translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from babel.numbers import format_decimal
from flask import render_template, request
from flask_babel import get_locale, gettext
from flask_login import login_required

from engine.errors import N_, InvalidInputError
from engine.services import heatmap as heatmaps
from webapp.audit import bp
from webapp.i18n import DEFAULT_LOCALE
from webapp.requests import actor, now
from webapp.transaction import db

# The colour bands, in the legend's order: (band, what it means).
BANDS = (
    ("fast", N_("Fast: at most half the Waktu (≤ 0.5×)")),
    ("on_time", N_("On time: within the Waktu (≤ 1×)")),
    ("over", N_("Over the Waktu: up to 1.5×")),
    ("late", N_("Late: more than 1.5× the Waktu")),
    ("no_data", N_("No completed pass yet")),
    ("no_waktu", N_("No Waktu of its own")),
)
# The short word on each activity's overlay, so the colour is never the only sign.
BAND_WORDS = {
    "fast": N_("Fast"),
    "on_time": N_("On time"),
    "over": N_("Over the Waktu"),
    "late": N_("Late"),
    "no_data": N_("No data"),
    "no_waktu": N_("No Waktu"),
}
MAX_OPD_CODE = 32


@bp.get("/peta-panas/<id:version_id>")
@login_required
def heatmap(version_id: int):
    session, user = db(), actor()
    period_no, opd_code = read_filters(request.args)
    result = heatmaps.heatmap_of(session, user, version_id, now(), period_no=period_no,
                                 opd_code=opd_code)
    diagram = heatmaps.diagram_of(session, user, version_id)
    rows = [shown(activity) for activity in result["activities"].values()]
    return render_template(
        "audit/heatmap.html", result=result, rows=rows,
        slowest=[shown(activity) for activity in result["slowest"]],
        late_opds=[shown_opd(row) for row in result["late_opds"]],
        bands=[(band, gettext(text)) for band, text in BANDS], pools=diagram["pools"],
        deployed_at=datetime.fromisoformat(result["version"]["deployed_at"]),
        config=page_config(diagram, rows),
    )


def read_filters(args: Mapping[str, str]) -> tuple[int | None, str | None]:
    """`periode` (a whole number, 0 = planning) and `opd` (a code); empty means all."""
    raw_period = (args.get("periode") or "").strip()
    code = (args.get("opd") or "").strip() or None
    period = None
    if raw_period:
        if not (raw_period.isascii() and raw_period.isdigit()) or \
                int(raw_period) > heatmaps.MAX_PERIOD:
            raise InvalidInputError("Choose a period from the list", code="invalid_parameter",
                                    details={"periode": ["Not a period number"]})
        period = int(raw_period)
    if code is not None and len(code) > MAX_OPD_CODE:
        raise InvalidInputError("There is no OPD with this code", code="unknown_opd",
                                details={"opd": ["No OPD with this code"]})
    return period, code


# ---- wording -----------------------------------------------------------------------------

def _locale() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def number(value: float | None) -> str:
    """Working days or a ratio, at most two decimals, in the reader's locale."""
    if value is None:
        return "—"
    return format_decimal(round(value, 2), format="#,##0.##", locale=_locale())


def share(value: float | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value * 100, format="#,##0.#", locale=_locale()) + "%"


def overlay_text(activity: dict) -> str:
    """The sentence on an activity in the diagram: median, Waktu, p90 and how many."""
    if not activity["count"]:
        return gettext("no completed pass, n=0")
    if not activity["waktu"]:
        return gettext("median %(median)s HK, p90 %(p90)s, n=%(n)s",
                       median=number(activity["median_days"]),
                       p90=number(activity["p90_days"]), n=activity["count"])
    return gettext("median %(median)s HK / Waktu %(waktu)s HK, p90 %(p90)s, n=%(n)s",
                   median=number(activity["median_days"]), waktu=activity["waktu"],
                   p90=number(activity["p90_days"]), n=activity["count"])


def shown(activity: dict) -> dict:
    """An activity's figures as the tables and the diagram show them."""
    word = BAND_WORDS[activity["band"]]
    return {
        **activity,
        "band_word": gettext(word),
        "median_text": number(activity["median_days"]),
        "p90_text": number(activity["p90_days"]),
        "ratio_text": (number(activity["median_ratio"]) + "×"
                       if activity["median_ratio"] is not None else "—"),
        "p90_ratio_text": (number(activity["p90_ratio"]) + "×"
                           if activity["p90_ratio"] is not None else "—"),
        "share_text": share(activity["late_share"]),
        "overlay": overlay_text(activity),
    }


def shown_opd(row: dict) -> dict:
    return {**row, "share_text": share(row["share"])}


def page_config(diagram: dict, rows: list[dict]) -> dict:
    """What the page's script reads from its JSON block (no inline script: CSP)."""
    return {
        "xml": diagram["xml"],
        "pools": diagram["pools"],
        "calls": diagram["calls"],
        "activities": {row["element_id"]: {"band": row["band"], "word": row["band_word"],
                                           "text": row["overlay"], "name": row["name"]}
                       for row in rows},
        "texts": {
            "main": gettext("Main process"),
            "whole": gettext("Whole diagram"),
            "failed": gettext("The diagram could not be shown. The table of all steps "
                              "below holds the same figures."),
        },
    }

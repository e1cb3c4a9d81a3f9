"""The audit search (`/audit/`): every run, found by definition, version, OPD, period,
status, start date, a late step or words of its title or registration number; sorted,
paged and counted by engine.services.auditsearch, which checks the reader's role.

The query string is read here into typed values; a value that cannot be one (a period
that is no number, a date that is no date) or that the service refuses (an OPD that does
not exist, an end before the start) is shown beside its field with what was typed kept,
and the page answers 400 without results, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from engine.errors import N_, InvalidInputError
from engine.services import access, auditsearch
from engine.services.auditsearch import RunSearch
from webapp.audit import bp
from webapp.requests import actor, now
from webapp.transaction import db

FIELDS = ("definition", "version", "opd", "period", "status", "from", "until", "late", "q",
          "sort", "dir")
# The service names some fields by what they mean; the form by what the URL carries.
SERVICE_FIELDS = {"started_from": "from", "started_until": "until", "text": "q",
                  "period": "period"}
DIRECTIONS = ("asc", "desc")
TEXT_INPUT_LIMIT = 1000
MAX_PAGE = 100_000
HISTORY_ENDPOINT = "audit.history"
SORT_LABELS = {
    "started": N_("Started"),
    "title": N_("Title"),
    "status": N_("Status"),
    "events": N_("Events"),
}


@bp.app_context_processor
def audit_navigation() -> dict:
    """`can_audit()` for the header's link to the audit pages; `run_history_url(id)` for the
    links to one run's history (its own page once it is there, else the run's page)."""
    def can_audit() -> bool:
        return bool(current_user.is_authenticated and access.is_audit_reader(current_user))

    return {"can_audit": can_audit, "run_history_url": run_history_url}


def run_history_url(instance_id: int) -> str:
    if HISTORY_ENDPOINT in current_app.view_functions:
        return url_for(HISTORY_ENDPOINT, instance_id=instance_id)
    return url_for("inbox.instance", instance_id=instance_id)


@dataclass
class SearchForm:
    """What was typed (shown back as it was), the problems by field, and the search made
    of the values that could be read (a field that could not is left out of it)."""

    values: dict[str, str]
    search: RunSearch
    errors: dict[str, str] = field(default_factory=dict)

    def is_unreadable_date(self, name: str) -> bool:
        """A date field whose text is no date: shown as text, since a date input would
        drop it (and the browser complain) instead of keeping what was typed."""
        return bool(self.values.get(name)) and _iso_day(self.values[name]) is None


@bp.get("/", endpoint="search")
@login_required
def search_page():
    session, user = db(), actor()
    choices = auditsearch.search_choices(session, user)
    form = read_form(request.args)
    try:
        auditsearch.check_search(session, user, form.search)
    except InvalidInputError as error:
        for name, message in service_errors(error).items():
            form.errors.setdefault(name, message)  # a typing problem is said first
    result = None if form.errors else auditsearch.search_runs(session, user, form.search, now())
    status = 400 if form.errors else 200
    page = render_template("audit/search.html", form=form, result=result, choices=choices,
                           sort_labels=SORT_LABELS, sorted_by=_sorted_by(form))
    return page, status


def read_form(args) -> SearchForm:
    """The query string as a RunSearch, with the problems of reading it by field."""
    values = {name: args.get(name, "")[:TEXT_INPUT_LIMIT] for name in FIELDS}
    errors: dict[str, str] = {}
    reader = _Reader(values, errors)
    search = RunSearch(
        definition_key=values["definition"] or None,
        version_id=reader.whole("version"),
        opd_code=values["opd"] or None,
        period_no=reader.whole("period"),
        status=values["status"] or None,
        started_from=reader.day("from"),
        started_until=reader.day("until"),
        late_only=values["late"] in ("1", "on", "true"),
        text=values["q"] or None,
        sort=values["sort"] or "started",
        descending=reader.direction(),
        page=_page(args.get("page", "")),
    )
    return SearchForm(values, search, errors)


class _Reader:
    """Turns typed text into values, noting a problem by field instead of raising."""

    def __init__(self, values: dict[str, str], errors: dict[str, str]):
        self.values, self.errors = values, errors

    def whole(self, name: str) -> int | None:
        raw = self.values[name].strip()
        if not raw:
            return None
        if not raw.isdigit() or len(raw) > 9:
            self.errors[name] = gettext("Enter a whole number, such as 2")
            return None
        return int(raw)

    def day(self, name: str) -> date | None:
        raw = self.values[name].strip()
        if not raw:
            return None
        found = _iso_day(raw)
        if found is None:
            self.errors[name] = gettext("Enter a date such as 2026-01-31")
        return found

    def direction(self) -> bool:
        raw = self.values["dir"] or "desc"
        if raw not in DIRECTIONS:
            self.errors["dir"] = gettext("Choose an order from the list")
        return raw != "asc"


def _iso_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _page(raw: str) -> int:
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def service_errors(error: InvalidInputError) -> dict[str, str]:
    """The service's problems by the form's field names, translated."""
    details = error.details if isinstance(error.details, dict) else {}
    found = {}
    for name, messages in details.items():
        text = " ".join(gettext(message) for message in messages)
        found[SERVICE_FIELDS.get(name, name)] = text
    return found or {"q": gettext(error.message)}


def _sorted_by(form: SearchForm) -> tuple[str, bool]:
    if "sort" in form.errors:
        return "started", form.search.descending
    return form.search.sort, form.search.descending

"""The administrators' pages: the server's signing key with the latest checkpoints
(`/admin/kunci`, and its public key as a file), and the record of auditors' reads
(`/admin/bacaan`). Administrators only; everyone else gets 403.

The key page shows what an auditor outside needs to trust an exported bundle: the key's
id, its public key (PEM, to copy or download), its fingerprint (SHA-256 of the raw 32-byte
public key, whose first 16 hex digits are the key id), the file the key lives in, and the
newest signed checkpoints of the chain heads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Response, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from engine.errors import N_, InvalidInputError, NotFoundError
from engine.services import access, auditreads, signingkeys
from engine.services.auditreads import ReadFilters
from webapp.admin import bp
from webapp.requests import actor
from webapp.transaction import db

CHECKPOINTS_SHOWN = 20
HASH_SHOWN = 12
MAX_PAGE = 100_000
READ_FIELDS = ("user", "run", "from", "until")
SERVICE_FIELDS = {"since": "from", "until": "until", "run": "run"}
# What each kind of read is called on the page; any other shows its path only.
READ_LABELS = {
    "audit.search": N_("Run search"),
    "audit.history": N_("Run history"),
    "audit.heatmap": N_("Heatmap"),
    "audit.bundle": N_("Audit bundle"),
    "inbox.index": N_("Inbox"),
    "inbox.instances": N_("Process runs"),
    "inbox.instance": N_("Process run page"),
    "inbox.diagram": N_("Process run diagram"),
    "inbox.task": N_("Task page"),
    "inbox.download": N_("Document download"),
}


@bp.app_context_processor
def admin_navigation() -> dict:
    """`can_administer()` for the header's link to the administrators' pages."""
    def can_administer() -> bool:
        return bool(current_user.is_authenticated and access.is_admin(current_user))

    return {"can_administer": can_administer}


# ---- the signing key -------------------------------------------------------------------------

@bp.get("/kunci", endpoint="keys")
@login_required
def keys_page():
    session, user = db(), actor()
    key = signingkeys.key_view(session, user)  # refuses anyone but an admin first
    checkpoints = signingkeys.latest_checkpoints(session, user, CHECKPOINTS_SHOWN)
    return render_template("admin/keys.html", key=key, checkpoints=checkpoints,
                           hash_shown=HASH_SHOWN)


@bp.get("/kunci/publik.pem", endpoint="public_key")
@login_required
def public_key_file():
    key = signingkeys.key_view(db(), actor())
    if key.problem:  # the key page says why
        raise NotFoundError("The signing key cannot be used", code="signing_key_unusable")
    return Response(key.public_key_pem, mimetype="application/x-pem-file", headers={
        "Content-Disposition": f'attachment; filename="alur-{key.key_id}.pub.pem"'})


# ---- the auditors' reads ---------------------------------------------------------------------

@dataclass
class ReadsForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    filters: ReadFilters | None = None

    def is_unreadable_date(self, name: str) -> bool:
        """A date field whose text is no date: shown as text, which keeps what was typed
        (a date input would drop it)."""
        return bool(self.values.get(name)) and _day(self.values[name], name, {}) is None


@bp.get("/bacaan", endpoint="reads")
@login_required
def reads_page():
    session, user = db(), actor()
    auditors = auditreads.list_auditors(session, user)  # refuses anyone but an admin first
    form = read_reads_form(request.args)
    found = None
    if form.filters is not None:
        try:
            found = auditreads.list_reads(session, user, form.filters)
        except InvalidInputError as error:
            form.errors.update(_service_errors(error))
    page = render_template("admin/reads.html", form=form, found=found, auditors=auditors,
                           read_labels=READ_LABELS)
    return page, 400 if form.errors else 200


def read_reads_form(args) -> ReadsForm:
    values = {name: args.get(name, "")[:200] for name in READ_FIELDS}
    form = ReadsForm(values)
    user_id = _whole(values["user"], "user", form.errors)
    since = _day(values["from"], "from", form.errors)
    until = _day(values["until"], "until", form.errors)
    raw_page = args.get("page", "")
    page = min(int(raw_page), MAX_PAGE) if raw_page.isdigit() and int(raw_page) > 0 else 1
    if not form.errors:
        form.filters = ReadFilters(user_id=user_id, registration_no=values["run"].strip() or None,
                                   since=since, until=until, page=page)
    return form


def _whole(raw: str, name: str, errors: dict) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if raw.isdigit() and len(raw) <= 9:
        return int(raw)
    errors[name] = gettext("Choose a person from the list")
    return None


def _day(raw: str, name: str, errors: dict) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = gettext("Enter a date such as 2026-01-31")
        return None


def _service_errors(error: InvalidInputError) -> dict[str, str]:
    details = error.details if isinstance(error.details, dict) else {}
    found = {SERVICE_FIELDS.get(name, name): " ".join(gettext(m) for m in messages)
             for name, messages in details.items()}
    return found or {"run": gettext(error.message)}

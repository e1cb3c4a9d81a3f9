"""`/admin/insiden`: background jobs that failed their last try (incidents), with their
error, and a "try again" button each; and how many jobs wait and how many are overdue.
Administrators only (engine.services.incidents checks the role); everyone else gets 403.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.services import incidents
from webapp.admin import bp
from webapp.requests import actor, now
from webapp.transaction import db


@bp.get("/insiden", endpoint="incidents")
@login_required
def incidents_page():
    session, user = db(), actor()
    found = incidents.list_incidents(session, user)
    counts = incidents.count_jobs(session, user, now())
    return render_template("admin/incidents.html", incidents=found, counts=counts)


@bp.post("/insiden/<id:job_id>/coba-lagi", endpoint="retry_incident")
@login_required
def retry_incident(job_id: int):
    incidents.retry_incident(db(), actor(), job_id, now())
    flash(gettext("The job will be tried again in a moment."), "success")
    return redirect(url_for("admin.incidents"))

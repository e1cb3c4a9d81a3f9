"""Bukti dukung: upload on a task's page, download from the task and Pelaksanaan pages.

Uploads are judged by the service (size, type by content); a refused file re-renders the
task page with the reason and a 4xx status, so nothing is stored. Downloads are always
attachments, with the type the service detected and nosniff set for every response, and
are streamed from the storage (engine.storage: the upload folder or an S3 bucket).
"""

from __future__ import annotations

from flask import flash, redirect, request, send_file, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import InvalidInputError, PayloadTooLargeError
from engine.services import documents, tasks
from webapp.inbox import bp
from webapp.inbox.tasks import keep_draft, render_task, upload_limit
from webapp.requests import actor, now
from webapp.transaction import db


@bp.post("/tasks/<id:task_id>/documents")
@login_required
def upload(task_id: int):
    session, user = db(), actor()
    task = tasks.get_task_for(session, user, task_id)
    values = keep_draft(session, user, task)  # the form's fields ride along: nothing is lost
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return render_task(task, values=values, upload_error=gettext("Choose a file to upload."),
                           status=400)
    try:
        document = documents.add_document(session, user, task_id, sent.filename, sent.stream,
                                          now(), max_bytes=upload_limit())
    except (InvalidInputError, PayloadTooLargeError) as error:
        return render_task(task, values=values, upload_error=gettext(error.message),
                           status=error.status)
    flash(gettext("“%(name)s” has been uploaded.", name=document.filename), "success")
    return redirect(url_for("inbox.task", task_id=task_id) + "#bukti-dukung")


@bp.get("/documents/<id:document_id>")
@login_required
def download(document_id: int):
    session = db()
    document = documents.get_document_for(session, actor(), document_id)
    stream = documents.open_document(session, document)
    response = send_file(stream, mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0, etag=False)
    if stream.size is not None:
        response.content_length = stream.size
    response.headers["Cache-Control"] = "private, no-store"
    return response

"""Record every read by an auditor: who got which page or API answer, about which run, when.

After each successful (below 400) GET or HEAD by a signed-in person holding the `auditor`
role (the page session's person, or the API token's), the request's facts are noted while
its context is still there: the person, the view's `instance_id` and `version_id` (every
audit route names them so), the endpoint, the path with its query, page or API, and the
request's `now`. The row itself is written once the answer has gone out, in a short write
transaction of its own: a small WSGI middleware wraps the answer's body of a noted read so
that its `close()`, which every WSGI server calls after the last byte, writes the row. (A
Flask `call_on_close` would not do: a file sent with `send_file` passes its body straight
to the server, which then never closes the Response object.) So:

- the request's read-only transaction is never asked to write, and is already closed (on
  SQLite the write lock is taken only after the reader let go of its snapshot);
- a streamed answer or a file (a bundle, a document) is recorded once it is complete,
  never lost because the view returned before its body was sent;
- a failure to record is logged and costs the auditor nothing: the page has already been
  delivered, and nothing here can turn it into an error.

Static files and `/healthz` are not reads of anything. Only a noted read's body is
wrapped, so everyone else's downloads keep the server's zero-copy file sending. Werkzeug's
test client closes a response only when asked (`response.close()`, or `buffered=True`), so
tests of the log do.
"""

from __future__ import annotations

import logging
from functools import partial

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.wsgi import ClosingIterator

from engine.db import unit_of_work
from engine.models import User
from engine.services import auditreads
from engine.services.auditreads import VIA_API, VIA_PAGE, ReadRecord
from webapp.requests import is_api_request, now

log = logging.getLogger(__name__)

RECORDED_METHODS = frozenset({"GET", "HEAD"})
NOT_READS = frozenset({"static", "health.healthz"})
RECORDED_ROLE = "auditor"
NOTED_READ = "alur.read"  # the WSGI environ key a noted read waits under


def init_readlog(app: Flask) -> None:
    """Note auditors' reads after every response, and write each once it has gone out."""
    app.after_request(_note_read)
    app.wsgi_app = RecordAfterResponse(app.wsgi_app, app)


class RecordAfterResponse:
    """WSGI middleware: the body of an answer that is a noted read is closed, by the
    server, only after its last byte; closing it then records the read."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app

    def __call__(self, environ, start_response):
        body = self.wsgi_app(environ, start_response)
        read = environ.pop(NOTED_READ, None)
        if read is None:
            return body
        factory = self.app.extensions["alur"].session_factory
        return ClosingIterator(body, partial(record, factory, read))


def _note_read(response):
    """Note the read while the request is still here; the middleware writes it."""
    try:
        read = read_of(response)
    except Exception:  # noqa: BLE001 - the log must never cost the reader their page
        log.exception("could not note the read of %s", request.path)
        return response
    if read is not None:
        request.environ[NOTED_READ] = read
    return response


def read_of(response) -> ReadRecord | None:
    """The read this response is, if it is a successful read by an auditor."""
    endpoint = request.endpoint or ""
    if request.method not in RECORDED_METHODS or response.status_code >= 400:
        return None
    if not endpoint or endpoint in NOT_READS or endpoint.endswith(".static"):
        return None
    reader = _reader()
    if reader is None or RECORDED_ROLE not in reader.roles:
        return None
    arguments = request.view_args or {}
    return ReadRecord(
        user_id=reader.id,
        endpoint=endpoint,
        path=_path(),
        via=VIA_API if is_api_request() else VIA_PAGE,
        at=now(),
        instance_id=_row_id(arguments.get("instance_id")),
        version_id=_row_id(arguments.get("version_id")),
    )


def record(factory: sessionmaker[Session], read: ReadRecord) -> None:
    """Write one read in a transaction of its own; a failure is logged, never raised."""
    try:
        with unit_of_work(factory) as session:
            auditreads.record_read(session, read)
            session.commit()
    except Exception:  # noqa: BLE001 - the answer is out already; a lost row is logged
        log.exception("could not record the read of %s by user %s", read.path, read.user_id)


def _reader() -> User | None:
    """The API token's person on the API, the session's on the pages (webapp.requests)."""
    if is_api_request():
        return g.get("api_user")
    user = current_user._get_current_object()
    return user if user is not None and user.is_authenticated else None


def _path() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


def _row_id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None

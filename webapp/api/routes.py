"""The API blueprint's hooks and the token endpoint; tasks.py and instances.py add the rest.

Before any view: the body is checked (size, JSON content type), then the bearer token.
After every 401: the WWW-Authenticate challenge.
"""

from __future__ import annotations

from engine.services import users
from webapp.api import bp, instances, tasks  # noqa: F401  (registers their views)
from webapp.api.auth import add_challenge, authenticate_request
from webapp.api.inputs import check_body, json_object, load
from webapp.api.schemas import TokenRequestSchema, TokenSchema, dump
from webapp.requests import now
from webapp.transaction import db

bp.before_request(check_body)
bp.before_request(authenticate_request)
bp.after_request(add_challenge)

__all__ = ["bp"]


@bp.post("/auth/token")
def issue_token():
    body = load(TokenRequestSchema(), json_object())
    session, moment = db(), now()
    user = users.authenticate(session, body["username"], body["password"])
    token, row = users.issue_token(session, user, moment)
    answer = {"token": token, "expires_at": row.expires_at, "user": user}
    return dump(TokenSchema(), answer, {"now": moment}), 201

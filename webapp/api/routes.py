"""The API blueprint's hooks and the token endpoints; tasks.py and instances.py add the rest.

Before any view: the body is checked (size, JSON content type), then the bearer token.
After every 401: the WWW-Authenticate challenge.

A token request is a sign-in: it goes through engine.services.throttle in a unit of work
of its own, committed whatever the answer, so failures are counted although the answer is
401, and a locked username or address gets 429 with Retry-After, its password unchecked.
"""

from __future__ import annotations

from flask import current_app, g

from engine.db import unit_of_work
from engine.services import throttle, users
from webapp.api import (  # noqa: F401  (registers their views)
    bp,
    bundles,
    comments,
    definitions,
    diffs,
    docs,
    drafts,
    heatmap,
    history,
    incidents,
    instances,
    packages,
    reassign,
    reports,
    savedfilters,
    tasks,
    verify,
)
from webapp.api.auth import add_challenge, authenticate_request
from webapp.api.auth_schemas import IssuedTokenSchema, TokenListSchema, TokenRequestSchema
from webapp.api.inputs import ID, check_body, json_object, load
from webapp.api.openapi import documented
from webapp.api.schemas import dump
from webapp.auth.sessions import client_address
from webapp.errors import error_response
from webapp.requests import actor, now
from webapp.transaction import db

bp.before_request(check_body)
bp.before_request(authenticate_request)
bp.after_request(add_challenge)

__all__ = ["bp"]


@bp.post("/auth/token")
@documented("Sign in: issue a bearer token", tag="auth", ok={201: IssuedTokenSchema},
            body=TokenRequestSchema, errors=(401, 429), public=True)
def issue_token():
    body = load(TokenRequestSchema(), json_object())
    moment = now()
    with unit_of_work(current_app.extensions["alur"].session_factory) as work:
        outcome = throttle.sign_in(work, body["username"], body["password"],
                                   client=client_address(), now=moment, via="api")
        if outcome.user is not None:
            token, row = users.issue_token(work, outcome.user, moment, body["label"])
        work.commit()
    if isinstance(outcome.error, throttle.TooManyAttemptsError):
        response = error_response(outcome.error)
        response.headers["Retry-After"] = str(outcome.error.retry_after)
        return response
    user = outcome.user_or_raise()
    answer = {"id": row.id, "label": row.label, "token": token, "expires_at": row.expires_at,
              "user": user}
    return dump(IssuedTokenSchema(), answer, {"now": moment}), 201


@bp.delete("/auth/token")
@documented("Revoke the token of this request", tag="auth", ok={204: None})
def revoke_calling_token():
    users.revoke_token(db(), actor(), g.api_token_id, now())
    return "", 204


@bp.get("/auth/tokens")
@documented("List the caller's tokens", tag="auth", ok={200: TokenListSchema})
def list_tokens():
    rows = users.own_tokens(db(), actor().id)
    return dump(TokenListSchema(), {"items": rows}, {"now": now()})


@bp.delete(f"/auth/tokens/<{ID}:token_id>")
@documented("Revoke one of the caller's tokens", tag="auth", ok={204: None},
            errors=(403, 404))
def revoke_token(token_id: int):
    users.revoke_token(db(), actor(), token_id, now())
    return "", 204

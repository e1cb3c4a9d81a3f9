"""Who is calling: a bearer token on every request except the one that issues tokens.

Session cookies are ignored here, so signing in to the pages never authorises an API
call (and the blueprint needs no CSRF protection). Only the token's SHA-256 is stored;
services.users looks it up and refuses revoked and expired tokens and inactive users. A
token's last_used_at is noted at most once a minute, beside the request's transaction
(API reads are read-only), so reads stay cheap.
"""

from __future__ import annotations

from flask import g, request

from engine.errors import AuthenticationError
from engine.services import users
from webapp.auth.sessions import write_aside
from webapp.requests import now
from webapp.transaction import db

PUBLIC_ENDPOINTS = frozenset({"api.issue_token", "api.openapi_json", "api.api_docs"})
TOKEN_MAX_LENGTH = 512
CHALLENGE = 'Bearer realm="alur-kinerja"'


def authenticate_request() -> None:
    """Before every view but the token request: the token's user becomes `g.api_user`,
    which webapp.requests.actor() gives the views."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    moment = now()
    try:
        row = users.token_for(db(), _bearer_token(), moment)
    except AuthenticationError as error:
        g.api_auth_error = error.code
        raise
    g.api_user, g.api_token_id = row.user, row.id
    if users.token_needs_touch(row, moment):
        write_aside(lambda session: users.touch_token(session, row.id, moment))


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise AuthenticationError("Send the header `Authorization: Bearer <token>`",
                                  code="unauthenticated")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > TOKEN_MAX_LENGTH:
        raise AuthenticationError("Invalid or expired token", code="invalid_token")
    return token


def add_challenge(response):
    """Every 401 says how to authenticate (RFC 6750), and why a token was refused."""
    if response.status_code == 401:
        challenge = CHALLENGE
        if g.get("api_auth_error") == "invalid_token":
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
    return response

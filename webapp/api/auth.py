"""Who is calling: a bearer token on every request except the one that issues tokens.

Session cookies are ignored here, so signing in to the pages never authorises an API
call (and the blueprint needs no CSRF protection). Only the token's SHA-256 is stored;
services.users looks it up and refuses expired tokens and inactive users.
"""

from __future__ import annotations

from flask import g, request

from engine.errors import AuthenticationError
from engine.services import users
from webapp.requests import now
from webapp.transaction import db

PUBLIC_ENDPOINTS = frozenset({"api.issue_token"})
TOKEN_MAX_LENGTH = 512
CHALLENGE = 'Bearer realm="alur-kinerja"'


def authenticate_request() -> None:
    """Before every view but the token request: the token's user becomes `g.api_user`,
    which webapp.requests.actor() gives the views."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    try:
        g.api_user = users.user_for_token(db(), _bearer_token(), now())
    except AuthenticationError as error:
        g.api_auth_error = error.code
        raise


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

"""Who acts and when, for the request being served: one answer for the pages and the API.

Services take `actor` and `now` as arguments; the views get both from here. A page's
person is the Flask-Login user of the session cookie. An API request's person is the
bearer token's user that webapp.api.auth puts in `g.api_user` before any view runs, and
never the cookie's, so signing in to the pages cannot authorise an API call.

`now()` is read once per request, so every service a view calls and every value it
dumps agree on the moment; the NOW setting (a datetime or a callable) pins it for tests.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, g, request
from flask_login import current_user

from engine.errors import AuthenticationError
from engine.models import User

API_BLUEPRINT = "api"


def now() -> datetime:
    """Now, in UTC, the same all through one request."""
    if "alur_now" not in g:
        fixed = current_app.config.get("NOW")
        g.alur_now = fixed() if callable(fixed) else fixed or datetime.now(UTC)
    return g.alur_now


def is_api_request() -> bool:
    return request.blueprint == API_BLUEPRINT


def actor() -> User:
    """The person the request acts for: the token's user on the API, else the signed-in one.

    Views call it after their guard (login_required, or the API's authenticate_request);
    should one forget, the answer is a 401, never somebody else's identity.
    """
    user = g.get("api_user") if is_api_request() else current_user._get_current_object()
    if user is None or not user.is_authenticated:
        raise AuthenticationError("Sign in to continue", code="unauthenticated")
    return user

"""The JSON API (`/api/v1`) for other systems and scripts: bearer tokens, no cookies.

One blueprint, `bp`, split by subject: routes.py (the hooks and the token endpoint),
tasks.py and instances.py add their views to it; webapp/__init__.py registers it from
routes.py. Every view parses its input with a schema from schemas.py, calls one service
with the request's `now`, and dumps the result with a schema.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)

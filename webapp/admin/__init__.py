"""The administrators' pages (role admin): the server's signing key and checkpoints, and
the record of auditors' reads. Every view calls engine services, which check the role.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__)

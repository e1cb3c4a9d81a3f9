"""What the SOP produces, as pages (`/laporan`): the SIRUP procurement packages per OPD and
year, and importing them from a file. Every view calls engine services, which check the
role and the OPD (engine.services.packages).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
